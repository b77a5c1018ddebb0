// Tensor operators of the inference engine. Spatial operators take and return NHWC tensors
// ([batch, height, width, channels]); the others are layout-free. Shapes are checked and a
// mismatch throws dysta::InputError naming the operator. GEMMs run on OpenBLAS.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "dysta/inference/tensor.h"

namespace dysta::inference {

// Threads OpenBLAS may use inside one GEMM (default 1: the engine parallelises over images).
void set_gemm_threads(int threads);

// Stops the worker threads the pthreads build of OpenBLAS starts when it is loaded (they spin
// before going to sleep, costing CPU); OpenBLAS starts them again on its next multi-threaded
// call. No effect with a BLAS that lacks that entry point, or before the first GEMM (OpenBLAS is
// loaded with dlopen on the first GEMM or set_gemm_threads(), so a run that never calls BLAS
// never loads it). Throws std::runtime_error from the first GEMM if OpenBLAS cannot be loaded.
void stop_blas_threads();

// The address of a function of the OpenBLAS library the GEMMs use (CBLAS or LAPACK, e.g.
// "cblas_dgemm", "dpotrf_"), loading it first; throws std::runtime_error if the library cannot be
// loaded or lacks `name`. For code outside the inference engine that needs more of BLAS/LAPACK.
void* blas_symbol(const char* name);

// Threads that compute the GEMMs of one operator together (a runtime running one layer on
// several CPU threads). While a ScopedGemmPool is alive on a thread, every GEMM that thread runs
// (conv2d, conv2d_nchw, dense, matmul) is cut into gemm_row_blocks(M) blocks of consecutive rows
// of its M-row output, each one single-threaded OpenBLAS call; the pool's threads and the caller
// take blocks until none is left. The blocks depend on M only, so no result bit depends on the
// number of threads (a pool of 1 computes them one after the other); they may differ in the last
// bits from the same GEMM without a pool (one call for all rows).
inline constexpr std::int64_t kGemmMinBlockRows = 64;
inline constexpr std::int64_t kGemmMaxBlocks = 16;
// min(kGemmMaxBlocks, ceil(m / kGemmMinBlockRows)) blocks (at least 1) of ceil(m / blocks) rows,
// the last one shorter.
std::int64_t gemm_row_blocks(std::int64_t m);

class GemmPool {
 public:
  // `threads` >= 1 counts the caller: threads - 1 helper threads are started.
  explicit GemmPool(std::size_t threads);
  ~GemmPool();
  GemmPool(const GemmPool&) = delete;
  GemmPool& operator=(const GemmPool&) = delete;
  std::size_t threads() const { return helpers_.size() + 1; }
  // Runs fn(0), ..., fn(count - 1), each once, on the helpers and the calling thread; returns
  // when all have run. Callers on several threads take turns. `fn` must not throw.
  void run(std::size_t count, const std::function<void(std::size_t)>& fn);

 private:
  struct Batch;
  void helper_loop();

  std::mutex call_mutex_;  // one batch at a time
  std::mutex mutex_;
  std::condition_variable wake_;
  std::shared_ptr<Batch> batch_;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
  std::vector<std::thread> helpers_;
};

// Routes the calling thread's GEMMs through `pool` (see GemmPool) until destroyed; restores the
// previous setting.
class ScopedGemmPool {
 public:
  explicit ScopedGemmPool(GemmPool& pool);
  ~ScopedGemmPool();
  ScopedGemmPool(const ScopedGemmPool&) = delete;
  ScopedGemmPool& operator=(const ScopedGemmPool&) = delete;

 private:
  GemmPool* previous_;
};

// Zero padding around the two spatial axes, in pixels.
struct Padding2D {
  int top = 0, bottom = 0, left = 0, right = 0;
};

// TensorFlow "same" padding: output size ceil(in / stride); when the total padding is odd the
// extra pixel goes bottom/right.
Padding2D same_padding(std::int64_t in_h, std::int64_t in_w, int kernel_h, int kernel_w,
                       int stride_h, int stride_w, int dilation_h = 1, int dilation_w = 1);

struct Conv2DParams {
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  Padding2D pad;
  int groups = 1;
};

// Output spatial size of a convolution/pooling window: floor((in + pads - span) / stride) + 1.
std::int64_t conv_output_size(std::int64_t in, int pad_begin, int pad_end, int kernel, int stride,
                              int dilation = 1);

// x [N,H,W,Cin]; kernel [kh,kw,Cin/groups,Cout] (TF layout; group g reads input channels
// g*Cin/groups.. and writes output channels g*Cout/groups..); bias null or [Cout].
Tensor conv2d(const Tensor& x, const Tensor& kernel, const Tensor* bias, const Conv2DParams& p);

// x [N,H,W,C]; kernel [kh,kw,C,M] (TF depthwise layout); output channel c*M+m; bias null or
// [C*M]. `p.groups` is ignored.
Tensor depthwise_conv2d(const Tensor& x, const Tensor& kernel, const Tensor* bias,
                        const Conv2DParams& p);

// NCHW convolution (ONNX layout): x [N,C,H,W]; kernel [Cout, C/groups, kh, kw]; bias null or
// [Cout]; output [N,Cout,OH,OW]. Group g reads input channels g*C/groups.. and writes output
// channels g*Cout/groups.. (a depthwise conv is groups = C).
Tensor conv2d_nchw(const Tensor& x, const Tensor& kernel, const Tensor* bias,
                   const Conv2DParams& p);

// Per-channel affine map y = x*scale[c] + shift[c], c the index along `axis`.
Tensor channel_affine(const Tensor& x, const std::vector<float>& scale,
                      const std::vector<float>& shift, std::size_t axis);

// Batch-norm inference coefficients: scale = gamma / sqrt(var + eps), shift = beta - mean*scale.
void batch_norm_coefficients(const std::vector<float>& gamma, const std::vector<float>& beta,
                             const std::vector<float>& mean, const std::vector<float>& var,
                             float eps, std::vector<float>& scale, std::vector<float>& shift);

Tensor relu(const Tensor& x);
Tensor clip(const Tensor& x, float lo, float hi);  // min(max(x, lo), hi); ReLU6 is clip(x, 0, 6)
Tensor sigmoid(const Tensor& x);
Tensor hard_sigmoid(const Tensor& x, float alpha, float beta);  // clip(alpha*x + beta, 0, 1)

// Element-wise sum of tensors of identical shape.
Tensor add_all(const std::vector<const Tensor*>& xs);

// Concatenation along `axis`; all other dimensions must agree.
Tensor concat(const std::vector<const Tensor*>& xs, std::size_t axis);

// Zero padding of the spatial axes of an NHWC tensor.
Tensor zero_pad2d(const Tensor& x, const Padding2D& pad);

struct Pool2DParams {
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  Padding2D pad;
  // Average pooling: divide by the full window (true) or by the cells inside the input (false,
  // TF "same" and ONNX's default).
  bool count_include_pad = false;
};

// Padded cells count as -infinity.
Tensor max_pool2d(const Tensor& x, const Pool2DParams& p);
Tensor avg_pool2d(const Tensor& x, const Pool2DParams& p);

// [N,H,W,C] -> [N,C], the mean over H and W.
Tensor global_avg_pool(const Tensor& x);

// [N, ...] -> [N, product of the rest].
Tensor flatten(const Tensor& x);

// x [N,K] times w [K,M] plus bias (null or [M]).
Tensor dense(const Tensor& x, const Tensor& w, const Tensor* bias);

// Softmax over the last axis.
Tensor softmax_last(const Tensor& x);

enum class BinaryOp { kAdd, kSub, kMul, kDiv, kPow };

// Element-wise binary operator with numpy broadcasting.
Tensor binary(const Tensor& a, const Tensor& b, BinaryOp op);

// Numpy broadcast of two shapes; throws InputError when they are incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// Axis permutation: output axis i is input axis perm[i].
Tensor transpose(const Tensor& x, const std::vector<std::size_t>& perm);

// Numpy matmul: a [..., M, K] times b [..., K, N]; batch dimensions broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);

// NCHW <-> NHWC.
Tensor nchw_to_nhwc(const Tensor& x);
Tensor nhwc_to_nchw(const Tensor& x);

}  // namespace dysta::inference
