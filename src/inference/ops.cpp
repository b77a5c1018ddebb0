#include "dysta/inference/ops.h"

#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>

#include "dysta/error.h"

namespace dysta::inference {
namespace {

// OpenBLAS is loaded on the first GEMM (dlopen), not with the program: a scheduling run of the
// CLI then neither relocates it (and libgfortran) at start-up nor starts its thread pool.
// DYSTA_BLAS_LIBRARY: the library CMake found (BLA_VENDOR OpenBLAS); tried after the runtime
// soname, which is what an installed dysta finds without the -dev package.
struct Blas {
  decltype(&cblas_sgemm) sgemm = nullptr;
  void (*set_num_threads)(int) = nullptr;  // openblas_set_num_threads
  // OpenBLAS (pthreads build): joins the thread pool, which its exec_blas() re-creates on
  // demand; absent from other builds (null).
  int (*thread_shutdown)() = nullptr;  // blas_thread_shutdown_
};
std::once_flag g_blas_once;
std::atomic<const Blas*> g_blas{nullptr};

void* g_blas_lib = nullptr;

const Blas& blas() {
  std::call_once(g_blas_once, [] {
    void* lib = nullptr;
    std::string errors;
    for (const char* name : {"libopenblas.so.0", DYSTA_BLAS_LIBRARY}) {
      lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
      if (lib != nullptr) break;
      const char* e = dlerror();
      errors += std::string(errors.empty() ? "" : "; ") + (e != nullptr ? e : name);
    }
    if (lib == nullptr) throw std::runtime_error("cannot load OpenBLAS: " + errors);
    g_blas_lib = lib;
    static Blas api;
    api.sgemm = reinterpret_cast<decltype(api.sgemm)>(dlsym(lib, "cblas_sgemm"));
    api.set_num_threads = reinterpret_cast<void (*)(int)>(dlsym(lib, "openblas_set_num_threads"));
    api.thread_shutdown = reinterpret_cast<int (*)()>(dlsym(lib, "blas_thread_shutdown_"));
    if (api.sgemm == nullptr || api.set_num_threads == nullptr) {
      throw std::runtime_error(
          "cannot load OpenBLAS: cblas_sgemm or openblas_set_num_threads "
          "missing from the library");
    }
    g_blas.store(&api, std::memory_order_release);
  });
  return *g_blas.load(std::memory_order_acquire);
}

}  // namespace

void* blas_symbol(const char* name) {
  blas();
  void* f = dlsym(g_blas_lib, name);
  if (f == nullptr) {
    throw std::runtime_error(std::string("cannot load OpenBLAS: ") + name +
                             " missing from the library");
  }
  return f;
}

namespace {

using i64 = std::int64_t;

[[noreturn]] void fail(const char* op, const std::string& message) {
  throw InputError("", 0, op, message);
}

void require(bool ok, const char* op, const std::string& message) {
  if (!ok) fail(op, message);
}

// C[M,N] (row stride ldc) = A[M,K] (lda) * B[K,N] (ldb), row-major.
std::once_flag g_threads_once;
thread_local GemmPool* t_gemm_pool = nullptr;  // ScopedGemmPool

void sgemm(i64 m, i64 n, i64 k, const float* a, i64 lda, const float* b, i64 ldb, float* c,
           i64 ldc) {
  blas().sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
               static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b, static_cast<int>(ldb), 0.0f,
               c, static_cast<int>(ldc));
}

void gemm(i64 m, i64 n, i64 k, const float* a, i64 lda, const float* b, i64 ldb, float* c,
          i64 ldc) {
  // Single-threaded GEMMs unless set_gemm_threads() asked otherwise: images run in parallel.
  std::call_once(g_threads_once, [] { blas().set_num_threads(1); });
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (i64 i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return;
  }
  if (t_gemm_pool == nullptr) {
    sgemm(m, n, k, a, lda, b, ldb, c, ldc);
    return;
  }
  const i64 blocks = gemm_row_blocks(m);
  const i64 rows = (m + blocks - 1) / blocks;
  t_gemm_pool->run(static_cast<std::size_t>(blocks), [&](std::size_t block) {
    const i64 r0 = static_cast<i64>(block) * rows;
    if (r0 < m) sgemm(std::min(rows, m - r0), n, k, a + r0 * lda, lda, b, ldb, c + r0 * ldc, ldc);
  });
}

void add_bias_rows(float* y, i64 rows, i64 cols, const Tensor* bias) {
  if (bias == nullptr) return;
  const float* b = bias->ptr();
  for (i64 r = 0; r < rows; ++r) {
    float* row = y + r * cols;
    for (i64 c = 0; c < cols; ++c) row[c] += b[c];
  }
}

std::vector<float>& scratch() {
  thread_local std::vector<float> buffer;
  return buffer;
}

struct Geometry {
  i64 n, h, w, c, oh, ow;
};

Geometry spatial_geometry(const char* op, const Tensor& x, int kh, int kw, int sh, int sw, int dh,
                          int dw, const Padding2D& pad) {
  require(x.rank() == 4, op, "input must be NHWC (rank 4), got " + shape_string(x.shape));
  require(kh > 0 && kw > 0 && sh > 0 && sw > 0 && dh > 0 && dw > 0, op,
          "kernel, stride and dilation must be positive");
  Geometry g{x.dim(0), x.dim(1), x.dim(2), x.dim(3), 0, 0};
  g.oh = conv_output_size(g.h, pad.top, pad.bottom, kh, sh, dh);
  g.ow = conv_output_size(g.w, pad.left, pad.right, kw, sw, dw);
  require(g.oh > 0 && g.ow > 0, op, "window larger than the padded input " + shape_string(x.shape));
  return g;
}

}  // namespace

i64 gemm_row_blocks(i64 m) {
  return std::clamp<i64>((m + kGemmMinBlockRows - 1) / kGemmMinBlockRows, 1, kGemmMaxBlocks);
}

void stop_blas_threads() {
  const Blas* api = g_blas.load(std::memory_order_acquire);
  if (api != nullptr && api->thread_shutdown != nullptr) api->thread_shutdown();
}

void set_gemm_threads(int threads) {
  std::call_once(g_threads_once, [] {});
  blas().set_num_threads(std::max(1, threads));
}

// One run(): items are taken through `next`; the caller waits until `done` reaches `count`.
// Helpers hold the batch by shared_ptr, so one that wakes late finds no item left.
struct GemmPool::Batch {
  Batch(const std::function<void(std::size_t)>& f, std::size_t n) : fn(f), count(n) {}
  const std::function<void(std::size_t)>& fn;
  std::size_t count;
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex mutex;
  std::condition_variable finished;

  void work() {
    for (std::size_t i; (i = next.fetch_add(1)) < count;) {
      fn(i);
      if (done.fetch_add(1) + 1 == count) {
        std::lock_guard lock(mutex);
        finished.notify_all();
      }
    }
  }
};

GemmPool::GemmPool(std::size_t threads) {
  if (threads == 0) throw std::invalid_argument("GemmPool: threads must be >= 1");
  for (std::size_t t = 1; t < threads; ++t) helpers_.emplace_back([this] { helper_loop(); });
}

GemmPool::~GemmPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : helpers_) t.join();
}

void GemmPool::helper_loop() {
  std::uint64_t seen = 0;
  while (true) {
    std::shared_ptr<Batch> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      batch = batch_;
    }
    batch->work();
  }
}

void GemmPool::run(std::size_t count, const std::function<void(std::size_t)>& fn) {
  if (helpers_.empty() || count < 2) {
    for (std::size_t i = 0; i < count; ++i) fn(i);
    return;
  }
  std::lock_guard call(call_mutex_);
  auto batch = std::make_shared<Batch>(fn, count);
  {
    std::lock_guard lock(mutex_);
    batch_ = batch;
    ++generation_;
  }
  wake_.notify_all();
  batch->work();
  std::unique_lock lock(batch->mutex);
  batch->finished.wait(lock, [&] { return batch->done.load() == count; });
}

ScopedGemmPool::ScopedGemmPool(GemmPool& pool) : previous_(t_gemm_pool) {
  t_gemm_pool = &pool;
}

ScopedGemmPool::~ScopedGemmPool() {
  t_gemm_pool = previous_;
}

i64 conv_output_size(i64 in, int pad_begin, int pad_end, int kernel, int stride, int dilation) {
  const i64 span = static_cast<i64>(kernel - 1) * dilation + 1;
  const i64 padded = in + pad_begin + pad_end;
  if (padded < span) return 0;
  return (padded - span) / stride + 1;
}

Padding2D same_padding(i64 in_h, i64 in_w, int kernel_h, int kernel_w, int stride_h, int stride_w,
                       int dilation_h, int dilation_w) {
  const auto total = [](i64 in, int k, int s, int d) {
    const i64 out = (in + s - 1) / s;
    const i64 span = static_cast<i64>(k - 1) * d + 1;
    return std::max<i64>((out - 1) * s + span - in, 0);
  };
  const i64 th = total(in_h, kernel_h, stride_h, dilation_h);
  const i64 tw = total(in_w, kernel_w, stride_w, dilation_w);
  Padding2D p;
  p.top = static_cast<int>(th / 2);
  p.bottom = static_cast<int>(th - th / 2);
  p.left = static_cast<int>(tw / 2);
  p.right = static_cast<int>(tw - tw / 2);
  return p;
}

Tensor conv2d(const Tensor& x, const Tensor& kernel, const Tensor* bias, const Conv2DParams& p) {
  const char* op = "conv2d";
  require(kernel.rank() == 4, op,
          "kernel must be [kh,kw,Cin/groups,Cout], got " + shape_string(kernel.shape));
  const int kh = static_cast<int>(kernel.dim(0)), kw = static_cast<int>(kernel.dim(1));
  const Geometry g =
      spatial_geometry(op, x, kh, kw, p.stride_h, p.stride_w, p.dilation_h, p.dilation_w, p.pad);
  const i64 groups = p.groups;
  require(groups >= 1 && g.c % groups == 0 && kernel.dim(3) % groups == 0, op,
          "channels not divisible by groups");
  const i64 cin_g = g.c / groups, cout = kernel.dim(3), cout_g = cout / groups;
  require(
      kernel.dim(2) == cin_g, op,
      "kernel " + shape_string(kernel.shape) + " does not match input " + shape_string(x.shape));
  require(bias == nullptr || bias->size() == cout, op, "bias must have Cout values");

  Tensor y({g.n, g.oh, g.ow, cout});
  const i64 rows = g.n * g.oh * g.ow;
  const bool pointwise = kh == 1 && kw == 1 && p.stride_h == 1 && p.stride_w == 1 &&
                         p.pad.top == 0 && p.pad.bottom == 0 && p.pad.left == 0 &&
                         p.pad.right == 0 && groups == 1;
  if (pointwise) {
    gemm(rows, cout, g.c, x.ptr(), g.c, kernel.ptr(), cout, y.ptr(), cout);
    add_bias_rows(y.ptr(), rows, cout, bias);
    return y;
  }
  const i64 cols = static_cast<i64>(kh) * kw * cin_g;
  std::vector<float>& col = scratch();
  col.resize(static_cast<std::size_t>(rows * cols));
  for (i64 grp = 0; grp < groups; ++grp) {
    // im2col: one row per output pixel, columns ordered (ky, kx, channel) like the kernel.
    float* dst = col.data();
    for (i64 n = 0; n < g.n; ++n) {
      const float* xn = x.ptr() + n * g.h * g.w * g.c;
      for (i64 oy = 0; oy < g.oh; ++oy) {
        for (i64 ox = 0; ox < g.ow; ++ox) {
          for (int ky = 0; ky < kh; ++ky) {
            const i64 iy = oy * p.stride_h - p.pad.top + static_cast<i64>(ky) * p.dilation_h;
            for (int kx = 0; kx < kw; ++kx) {
              const i64 ix = ox * p.stride_w - p.pad.left + static_cast<i64>(kx) * p.dilation_w;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) {
                std::fill(dst, dst + cin_g, 0.0f);
              } else {
                std::memcpy(dst, xn + (iy * g.w + ix) * g.c + grp * cin_g,
                            static_cast<std::size_t>(cin_g) * sizeof(float));
              }
              dst += cin_g;
            }
          }
        }
      }
    }
    gemm(rows, cout_g, cols, col.data(), cols, kernel.ptr() + grp * cout_g, cout,
         y.ptr() + grp * cout_g, cout);
  }
  add_bias_rows(y.ptr(), rows, cout, bias);
  return y;
}

Tensor depthwise_conv2d(const Tensor& x, const Tensor& kernel, const Tensor* bias,
                        const Conv2DParams& p) {
  const char* op = "depthwise_conv2d";
  require(kernel.rank() == 4, op, "kernel must be [kh,kw,C,M], got " + shape_string(kernel.shape));
  const int kh = static_cast<int>(kernel.dim(0)), kw = static_cast<int>(kernel.dim(1));
  const Geometry g =
      spatial_geometry(op, x, kh, kw, p.stride_h, p.stride_w, p.dilation_h, p.dilation_w, p.pad);
  require(
      kernel.dim(2) == g.c, op,
      "kernel " + shape_string(kernel.shape) + " does not match input " + shape_string(x.shape));
  const i64 mult = kernel.dim(3), cout = g.c * mult;
  require(bias == nullptr || bias->size() == cout, op, "bias must have C*M values");
  const float* w = kernel.ptr();
  std::vector<float> wt;
  if (mult != 1) {
    // Kernel for multiplier m as [kh,kw,C] planes, so the inner loop runs over channels.
    wt.resize(kernel.data.size());
    for (i64 k = 0; k < static_cast<i64>(kh) * kw; ++k)
      for (i64 c = 0; c < g.c; ++c)
        for (i64 m = 0; m < mult; ++m)
          wt[(m * kh * kw + k) * g.c + c] = w[(k * g.c + c) * mult + m];
  }
  Tensor y({g.n, g.oh, g.ow, cout});
  std::vector<float> acc(static_cast<std::size_t>(g.c));
  for (i64 m = 0; m < mult; ++m) {
    const float* wm = mult == 1 ? w : wt.data() + m * kh * kw * g.c;
    for (i64 n = 0; n < g.n; ++n) {
      const float* xn = x.ptr() + n * g.h * g.w * g.c;
      for (i64 oy = 0; oy < g.oh; ++oy) {
        for (i64 ox = 0; ox < g.ow; ++ox) {
          std::fill(acc.begin(), acc.end(), 0.0f);
          float* a = acc.data();
          for (int ky = 0; ky < kh; ++ky) {
            const i64 iy = oy * p.stride_h - p.pad.top + static_cast<i64>(ky) * p.dilation_h;
            if (iy < 0 || iy >= g.h) continue;
            for (int kx = 0; kx < kw; ++kx) {
              const i64 ix = ox * p.stride_w - p.pad.left + static_cast<i64>(kx) * p.dilation_w;
              if (ix < 0 || ix >= g.w) continue;
              const float* xp = xn + (iy * g.w + ix) * g.c;
              const float* wp = wm + (static_cast<i64>(ky) * kw + kx) * g.c;
              for (i64 c = 0; c < g.c; ++c) a[c] += xp[c] * wp[c];
            }
          }
          float* yp = y.ptr() + ((n * g.oh + oy) * g.ow + ox) * cout;
          if (mult == 1) {
            std::copy(acc.begin(), acc.end(), yp);
          } else {
            for (i64 c = 0; c < g.c; ++c) yp[c * mult + m] = acc[static_cast<std::size_t>(c)];
          }
        }
      }
    }
  }
  if (bias != nullptr) add_bias_rows(y.ptr(), g.n * g.oh * g.ow, cout, bias);
  return y;
}

Tensor conv2d_nchw(const Tensor& x, const Tensor& kernel, const Tensor* bias,
                   const Conv2DParams& p) {
  const char* op = "conv2d_nchw";
  require(x.rank() == 4, op, "input must be NCHW (rank 4), got " + shape_string(x.shape));
  require(kernel.rank() == 4, op,
          "kernel must be [Cout,Cin/groups,kh,kw], got " + shape_string(kernel.shape));
  const i64 n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  const i64 cout = kernel.dim(0), cin_g = kernel.dim(1);
  const int kh = static_cast<int>(kernel.dim(2)), kw = static_cast<int>(kernel.dim(3));
  const i64 groups = p.groups;
  require(groups >= 1 && c % groups == 0 && cout % groups == 0 && c / groups == cin_g, op,
          "kernel " + shape_string(kernel.shape) + " does not match input " +
              shape_string(x.shape) + " with " + std::to_string(groups) + " groups");
  require(bias == nullptr || bias->size() == cout, op, "bias must have Cout values");
  require(
      kh > 0 && kw > 0 && p.stride_h > 0 && p.stride_w > 0 && p.dilation_h > 0 && p.dilation_w > 0,
      op, "kernel, stride and dilation must be positive");
  const i64 oh = conv_output_size(h, p.pad.top, p.pad.bottom, kh, p.stride_h, p.dilation_h);
  const i64 ow = conv_output_size(w, p.pad.left, p.pad.right, kw, p.stride_w, p.dilation_w);
  require(oh > 0 && ow > 0, op, "window larger than the padded input " + shape_string(x.shape));
  const i64 cout_g = cout / groups, ohw = oh * ow, hw = h * w;
  Tensor y({n, cout, oh, ow});
  const bool pointwise = kh == 1 && kw == 1 && p.stride_h == 1 && p.stride_w == 1 &&
                         p.pad.top == 0 && p.pad.bottom == 0 && p.pad.left == 0 && p.pad.right == 0;
  if (cin_g == 1 && cout_g == 1) {
    // Depthwise: one 2-D correlation per channel plane.
    for (i64 b = 0; b < n; ++b) {
      for (i64 ch = 0; ch < c; ++ch) {
        const float* xp = x.ptr() + (b * c + ch) * hw;
        const float* wp = kernel.ptr() + ch * kh * kw;
        float* yp = y.ptr() + (b * cout + ch) * ohw;
        const float b0 = bias != nullptr ? bias->data[ch] : 0.0f;
        std::fill(yp, yp + ohw, b0);
        for (int ky = 0; ky < kh; ++ky) {
          for (int kx = 0; kx < kw; ++kx) {
            const float wv = wp[ky * kw + kx];
            // Output columns whose input column lies inside the image.
            const i64 off_x = static_cast<i64>(kx) * p.dilation_w - p.pad.left;
            i64 ox0 = 0, ox1 = ow;
            while (ox0 < ow && ox0 * p.stride_w + off_x < 0) ++ox0;
            while (ox1 > ox0 && (ox1 - 1) * p.stride_w + off_x >= w) --ox1;
            for (i64 oy = 0; oy < oh; ++oy) {
              const i64 iy = oy * p.stride_h - p.pad.top + static_cast<i64>(ky) * p.dilation_h;
              if (iy < 0 || iy >= h) continue;
              const float* row = xp + iy * w + off_x;
              float* out = yp + oy * ow;
              if (p.stride_w == 1) {
                for (i64 ox = ox0; ox < ox1; ++ox) out[ox] += wv * row[ox];
              } else {
                for (i64 ox = ox0; ox < ox1; ++ox) out[ox] += wv * row[ox * p.stride_w];
              }
            }
          }
        }
      }
    }
    return y;
  }
  const i64 rows = cin_g * kh * kw;
  std::vector<float>& col = scratch();
  if (!pointwise) col.resize(static_cast<std::size_t>(rows * ohw));
  for (i64 b = 0; b < n; ++b) {
    for (i64 g = 0; g < groups; ++g) {
      const float* xg = x.ptr() + (b * c + g * cin_g) * hw;
      const float* src = xg;
      if (!pointwise) {
        // im2col: row (ci, ky, kx), column (oy, ox).
        float* dst = col.data();
        for (i64 ci = 0; ci < cin_g; ++ci) {
          for (int ky = 0; ky < kh; ++ky) {
            for (int kx = 0; kx < kw; ++kx) {
              const i64 off_x = static_cast<i64>(kx) * p.dilation_w - p.pad.left;
              for (i64 oy = 0; oy < oh; ++oy) {
                const i64 iy = oy * p.stride_h - p.pad.top + static_cast<i64>(ky) * p.dilation_h;
                float* out = dst + oy * ow;
                if (iy < 0 || iy >= h) {
                  std::fill(out, out + ow, 0.0f);
                  continue;
                }
                const float* row = xg + ci * hw + iy * w;
                for (i64 ox = 0; ox < ow; ++ox) {
                  const i64 ix = ox * p.stride_w + off_x;
                  out[ox] = (ix >= 0 && ix < w) ? row[ix] : 0.0f;
                }
              }
              dst += ohw;
            }
          }
        }
        src = col.data();
      }
      float* yg = y.ptr() + (b * cout + g * cout_g) * ohw;
      gemm(cout_g, ohw, rows, kernel.ptr() + g * cout_g * rows, rows, src, ohw, yg, ohw);
      if (bias != nullptr) {
        for (i64 o = 0; o < cout_g; ++o) {
          const float bv = bias->data[g * cout_g + o];
          float* yo = yg + o * ohw;
          for (i64 i = 0; i < ohw; ++i) yo[i] += bv;
        }
      }
    }
  }
  return y;
}

Tensor channel_affine(const Tensor& x, const std::vector<float>& scale,
                      const std::vector<float>& shift, std::size_t axis) {
  const char* op = "channel_affine";
  require(axis < x.rank(), op, "axis out of range for " + shape_string(x.shape));
  const i64 c = x.dim(axis);
  require(static_cast<i64>(scale.size()) == c && static_cast<i64>(shift.size()) == c, op,
          "expected " + std::to_string(c) + " coefficients");
  i64 inner = 1;
  for (std::size_t i = axis + 1; i < x.rank(); ++i) inner *= x.dim(i);
  const i64 outer = x.size() / std::max<i64>(c * inner, 1);
  Tensor y(x.shape);
  const float* xp = x.ptr();
  float* yp = y.ptr();
  if (inner == 1) {
    for (i64 o = 0; o < outer; ++o)
      for (i64 k = 0; k < c; ++k, ++xp, ++yp) *yp = *xp * scale[k] + shift[k];
    return y;
  }
  for (i64 o = 0; o < outer; ++o) {
    for (i64 k = 0; k < c; ++k) {
      const float s = scale[static_cast<std::size_t>(k)], t = shift[static_cast<std::size_t>(k)];
      for (i64 i = 0; i < inner; ++i) *yp++ = *xp++ * s + t;
    }
  }
  return y;
}

void batch_norm_coefficients(const std::vector<float>& gamma, const std::vector<float>& beta,
                             const std::vector<float>& mean, const std::vector<float>& var,
                             float eps, std::vector<float>& scale, std::vector<float>& shift) {
  const std::size_t c = mean.size();
  require(gamma.size() == c && beta.size() == c && var.size() == c, "batch_norm",
          "gamma, beta, mean and variance must have the same length");
  scale.resize(c);
  shift.resize(c);
  for (std::size_t i = 0; i < c; ++i) {
    scale[i] = gamma[i] / std::sqrt(var[i] + eps);
    shift[i] = beta[i] - mean[i] * scale[i];
  }
}

namespace {
template <typename F>
Tensor map(const Tensor& x, F f) {
  Tensor y(x.shape);
  const float* xp = x.ptr();
  float* yp = y.ptr();
  const i64 n = x.size();
  for (i64 i = 0; i < n; ++i) yp[i] = f(xp[i]);
  return y;
}
}  // namespace

Tensor relu(const Tensor& x) {
  return map(x, [](float v) { return v > 0.0f ? v : 0.0f; });
}

Tensor clip(const Tensor& x, float lo, float hi) {
  return map(x, [lo, hi](float v) { return v < lo ? lo : (v > hi ? hi : v); });
}

Tensor sigmoid(const Tensor& x) {
  return map(x, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
}

Tensor hard_sigmoid(const Tensor& x, float alpha, float beta) {
  return map(x, [alpha, beta](float v) { return std::clamp(alpha * v + beta, 0.0f, 1.0f); });
}

Tensor add_all(const std::vector<const Tensor*>& xs) {
  require(!xs.empty(), "add", "no inputs");
  Tensor y = *xs[0];
  for (std::size_t k = 1; k < xs.size(); ++k) {
    require(xs[k]->shape == y.shape, "add",
            "shapes " + shape_string(y.shape) + " and " + shape_string(xs[k]->shape) + " differ");
    const float* xp = xs[k]->ptr();
    float* yp = y.ptr();
    const i64 n = y.size();
    for (i64 i = 0; i < n; ++i) yp[i] += xp[i];
  }
  return y;
}

Tensor concat(const std::vector<const Tensor*>& xs, std::size_t axis) {
  const char* op = "concat";
  require(!xs.empty(), op, "no inputs");
  Shape shape = xs[0]->shape;
  require(axis < shape.size(), op, "axis out of range for " + shape_string(shape));
  i64 total = 0;
  for (const Tensor* t : xs) {
    require(t->rank() == shape.size(), op, "ranks differ");
    for (std::size_t i = 0; i < shape.size(); ++i) {
      require(i == axis || t->dim(i) == shape[i], op,
              "shapes " + shape_string(shape) + " and " + shape_string(t->shape) + " differ");
    }
    total += t->dim(axis);
  }
  shape[axis] = total;
  Tensor y(shape);
  i64 outer = 1, inner = 1;
  for (std::size_t i = 0; i < axis; ++i) outer *= shape[i];
  for (std::size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
  float* yp = y.ptr();
  for (i64 o = 0; o < outer; ++o) {
    for (const Tensor* t : xs) {
      const i64 chunk = t->dim(axis) * inner;
      std::memcpy(yp, t->ptr() + o * chunk, static_cast<std::size_t>(chunk) * sizeof(float));
      yp += chunk;
    }
  }
  return y;
}

Tensor zero_pad2d(const Tensor& x, const Padding2D& pad) {
  require(x.rank() == 4, "zero_pad2d", "input must be NHWC, got " + shape_string(x.shape));
  const i64 n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
  const i64 oh = h + pad.top + pad.bottom, ow = w + pad.left + pad.right;
  Tensor y({n, oh, ow, c});
  for (i64 b = 0; b < n; ++b)
    for (i64 iy = 0; iy < h; ++iy)
      std::memcpy(y.ptr() + ((b * oh + iy + pad.top) * ow + pad.left) * c,
                  x.ptr() + (b * h + iy) * w * c, static_cast<std::size_t>(w * c) * sizeof(float));
  return y;
}

namespace {
template <bool kMax>
Tensor pool2d(const char* op, const Tensor& x, const Pool2DParams& p) {
  const Geometry g =
      spatial_geometry(op, x, p.kernel_h, p.kernel_w, p.stride_h, p.stride_w, 1, 1, p.pad);
  Tensor y({g.n, g.oh, g.ow, g.c});
  std::vector<float> acc(static_cast<std::size_t>(g.c));
  for (i64 n = 0; n < g.n; ++n) {
    const float* xn = x.ptr() + n * g.h * g.w * g.c;
    for (i64 oy = 0; oy < g.oh; ++oy) {
      for (i64 ox = 0; ox < g.ow; ++ox) {
        std::fill(acc.begin(), acc.end(), kMax ? -std::numeric_limits<float>::infinity() : 0.0f);
        i64 inside = 0;
        for (int ky = 0; ky < p.kernel_h; ++ky) {
          const i64 iy = oy * p.stride_h - p.pad.top + ky;
          if (iy < 0 || iy >= g.h) continue;
          for (int kx = 0; kx < p.kernel_w; ++kx) {
            const i64 ix = ox * p.stride_w - p.pad.left + kx;
            if (ix < 0 || ix >= g.w) continue;
            ++inside;
            const float* xp = xn + (iy * g.w + ix) * g.c;
            for (i64 c = 0; c < g.c; ++c) {
              if constexpr (kMax) {
                acc[c] = std::max(acc[c], xp[c]);
              } else {
                acc[c] += xp[c];
              }
            }
          }
        }
        float* yp = y.ptr() + ((n * g.oh + oy) * g.ow + ox) * g.c;
        if constexpr (kMax) {
          std::copy(acc.begin(), acc.end(), yp);
        } else {
          const float div = p.count_include_pad ? static_cast<float>(p.kernel_h * p.kernel_w)
                                                : static_cast<float>(std::max<i64>(inside, 1));
          for (i64 c = 0; c < g.c; ++c) yp[c] = acc[c] / div;
        }
      }
    }
  }
  return y;
}
}  // namespace

Tensor max_pool2d(const Tensor& x, const Pool2DParams& p) {
  return pool2d<true>("max_pool2d", x, p);
}
Tensor avg_pool2d(const Tensor& x, const Pool2DParams& p) {
  return pool2d<false>("avg_pool2d", x, p);
}

Tensor global_avg_pool(const Tensor& x) {
  require(x.rank() == 4, "global_avg_pool", "input must be NHWC, got " + shape_string(x.shape));
  const i64 n = x.dim(0), hw = x.dim(1) * x.dim(2), c = x.dim(3);
  Tensor y({n, c});
  for (i64 b = 0; b < n; ++b) {
    float* yp = y.ptr() + b * c;
    const float* xp = x.ptr() + b * hw * c;
    for (i64 i = 0; i < hw; ++i)
      for (i64 k = 0; k < c; ++k) yp[k] += xp[i * c + k];
    for (i64 k = 0; k < c; ++k) yp[k] /= static_cast<float>(hw);
  }
  return y;
}

Tensor flatten(const Tensor& x) {
  require(x.rank() >= 1, "flatten", "input must have a batch axis");
  const i64 n = x.dim(0);
  return Tensor({n, n == 0 ? 0 : x.size() / n}, x.data);
}

Tensor dense(const Tensor& x, const Tensor& w, const Tensor* bias) {
  require(x.rank() == 2 && w.rank() == 2 && x.dim(1) == w.dim(0), "dense",
          "cannot multiply " + shape_string(x.shape) + " by " + shape_string(w.shape));
  require(bias == nullptr || bias->size() == w.dim(1), "dense", "bias must have M values");
  Tensor y({x.dim(0), w.dim(1)});
  gemm(x.dim(0), w.dim(1), x.dim(1), x.ptr(), x.dim(1), w.ptr(), w.dim(1), y.ptr(), w.dim(1));
  add_bias_rows(y.ptr(), x.dim(0), w.dim(1), bias);
  return y;
}

Tensor softmax_last(const Tensor& x) {
  require(x.rank() >= 1, "softmax", "input must have an axis");
  const i64 c = x.shape.back();
  Tensor y(x.shape);
  if (c == 0) return y;
  const i64 rows = x.size() / c;
  for (i64 r = 0; r < rows; ++r) {
    const float* xp = x.ptr() + r * c;
    float* yp = y.ptr() + r * c;
    const float mx = *std::max_element(xp, xp + c);
    double sum = 0.0;
    for (i64 k = 0; k < c; ++k) {
      yp[k] = std::exp(xp[k] - mx);
      sum += yp[k];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (i64 k = 0; k < c; ++k) yp[k] *= inv;
  }
  return y;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const std::size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (std::size_t i = 0; i < r; ++i) {
    const i64 da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const i64 db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    require(da == db || da == 1 || db == 1, "broadcast",
            "shapes " + shape_string(a) + " and " + shape_string(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

namespace {

// Strides of `shape` aligned to the rank of `out`, 0 on broadcast axes.
std::vector<i64> broadcast_strides(const Shape& shape, const Shape& out) {
  std::vector<i64> strides(out.size(), 0);
  i64 s = 1;
  for (std::size_t k = shape.size(); k-- > 0;) {
    const std::size_t i = k + out.size() - shape.size();
    strides[i] = shape[k] == 1 ? 0 : s;
    s *= shape[k];
  }
  return strides;
}

template <typename F>
Tensor broadcast_apply(const Tensor& a, const Tensor& b, F f) {
  if (a.shape == b.shape) {
    Tensor y(a.shape);
    for (i64 i = 0; i < a.size(); ++i) y.data[i] = f(a.data[i], b.data[i]);
    return y;
  }
  const Shape out = broadcast_shapes(a.shape, b.shape);
  Tensor y(out);
  if (y.size() == 0) return y;
  if (b.size() == 1) {
    const float bv = b.data[0];
    for (i64 i = 0; i < y.size(); ++i) y.data[i] = f(a.data[a.size() == 1 ? 0 : i], bv);
    return y;
  }
  // Merge neighbouring axes with the same broadcast pattern, so the inner loop is as long as
  // possible (e.g. [1,C,H,W] * [1,C,1,1] runs as C rows of H*W with a fixed b).
  const std::vector<i64> sa_full = broadcast_strides(a.shape, out);
  const std::vector<i64> sb_full = broadcast_strides(b.shape, out);
  Shape dims;
  std::vector<i64> sa, sb;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 1) continue;
    const bool a_b = sa_full[i] == 0, b_b = sb_full[i] == 0;
    if (!dims.empty() && (sa.back() == 0) == a_b && (sb.back() == 0) == b_b) {
      dims.back() *= out[i];
      if (!a_b) sa.back() = sa_full[i];
      if (!b_b) sb.back() = sb_full[i];
      continue;
    }
    dims.push_back(out[i]);
    sa.push_back(sa_full[i]);
    sb.push_back(sb_full[i]);
  }
  if (dims.empty()) {
    y.data[0] = f(a.data[0], b.data[0]);
    return y;
  }
  const std::size_t r = dims.size();
  const i64 inner = dims[r - 1], ia = sa[r - 1], ib = sb[r - 1];
  std::vector<i64> idx(r, 0);
  i64 oa = 0, ob = 0;
  float* yp = y.ptr();
  const i64 rows = y.size() / inner;
  for (i64 row = 0; row < rows; ++row) {
    const float* ap = a.ptr() + oa;
    const float* bp = b.ptr() + ob;
    if (ia == 1 && ib == 1) {
      for (i64 k = 0; k < inner; ++k) yp[k] = f(ap[k], bp[k]);
    } else if (ia == 1 && ib == 0) {
      const float bv = *bp;
      for (i64 k = 0; k < inner; ++k) yp[k] = f(ap[k], bv);
    } else if (ia == 0 && ib == 1) {
      const float av = *ap;
      for (i64 k = 0; k < inner; ++k) yp[k] = f(av, bp[k]);
    } else {
      for (i64 k = 0; k < inner; ++k) yp[k] = f(ap[k * ia], bp[k * ib]);
    }
    yp += inner;
    // Advance the multi-index over the outer axes.
    for (std::size_t ax = r - 1; ax-- > 0;) {
      ++idx[ax];
      oa += sa[ax];
      ob += sb[ax];
      if (idx[ax] < dims[ax]) break;
      oa -= sa[ax] * dims[ax];
      ob -= sb[ax] * dims[ax];
      idx[ax] = 0;
    }
  }
  return y;
}

}  // namespace

Tensor binary(const Tensor& a, const Tensor& b, BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return broadcast_apply(a, b, [](float x, float y) { return x + y; });
    case BinaryOp::kSub:
      return broadcast_apply(a, b, [](float x, float y) { return x - y; });
    case BinaryOp::kMul:
      return broadcast_apply(a, b, [](float x, float y) { return x * y; });
    case BinaryOp::kDiv:
      return broadcast_apply(a, b, [](float x, float y) { return x / y; });
    case BinaryOp::kPow:
      return broadcast_apply(a, b, [](float x, float y) {
        return y == 2.0f ? x * x : static_cast<float>(std::pow(x, y));
      });
  }
  fail("binary", "unknown operator");
}

Tensor transpose(const Tensor& x, const std::vector<std::size_t>& perm) {
  const std::size_t r = x.rank();
  require(perm.size() == r, "transpose", "permutation length differs from rank");
  std::vector<bool> seen(r, false);
  for (const std::size_t p : perm) {
    require(p < r && !seen[p], "transpose", "invalid permutation");
    seen[p] = true;
  }
  Shape out(r);
  std::vector<i64> in_strides(r, 1);
  for (std::size_t i = r; i-- > 1;) in_strides[i - 1] = in_strides[i] * x.dim(i);
  std::vector<i64> strides(r);  // input stride of each output axis
  for (std::size_t i = 0; i < r; ++i) {
    out[i] = x.dim(perm[i]);
    strides[i] = in_strides[perm[i]];
  }
  Tensor y(out);
  if (y.size() == 0 || r == 0) {
    y.data = x.data;
    return y;
  }
  const i64 inner = out[r - 1], is = strides[r - 1];
  std::vector<i64> idx(r, 0);
  i64 off = 0;
  float* yp = y.ptr();
  const i64 rows = y.size() / inner;
  for (i64 row = 0; row < rows; ++row) {
    const float* xp = x.ptr() + off;
    for (i64 k = 0; k < inner; ++k) *yp++ = xp[k * is];
    for (std::size_t ax = r - 1; ax-- > 0;) {
      ++idx[ax];
      off += strides[ax];
      if (idx[ax] < out[ax]) break;
      off -= strides[ax] * out[ax];
      idx[ax] = 0;
    }
  }
  return y;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  const char* op = "matmul";
  require(a.rank() >= 2 && b.rank() >= 2, op, "inputs must have rank >= 2");
  const i64 m = a.dim(a.rank() - 2), k = a.dim(a.rank() - 1);
  const i64 k2 = b.dim(b.rank() - 2), n = b.dim(b.rank() - 1);
  require(k == k2, op, "cannot multiply " + shape_string(a.shape) + " by " + shape_string(b.shape));
  const Shape ba(a.shape.begin(), a.shape.end() - 2), bb(b.shape.begin(), b.shape.end() - 2);
  const Shape batch = broadcast_shapes(ba, bb);
  Shape out = batch;
  out.push_back(m);
  out.push_back(n);
  Tensor y(out);
  const i64 nb = element_count(batch);
  if (b.rank() == 2) {  // one weight matrix for every batch entry
    gemm(nb * m, n, k, a.ptr(), k, b.ptr(), n, y.ptr(), n);
    return y;
  }
  const std::vector<i64> sa = broadcast_strides(ba, batch), sb = broadcast_strides(bb, batch);
  for (i64 i = 0; i < nb; ++i) {
    i64 rem = i, oa = 0, ob = 0;
    for (std::size_t ax = batch.size(); ax-- > 0;) {
      const i64 c = rem % batch[ax];
      rem /= batch[ax];
      oa += c * sa[ax];
      ob += c * sb[ax];
    }
    gemm(m, n, k, a.ptr() + oa * m * k, k, b.ptr() + ob * k * n, n, y.ptr() + i * m * n, n);
  }
  return y;
}

Tensor nchw_to_nhwc(const Tensor& x) {
  require(x.rank() == 4, "nchw_to_nhwc", "input must have rank 4");
  return transpose(x, {0, 2, 3, 1});
}

Tensor nhwc_to_nchw(const Tensor& x) {
  require(x.rank() == 4, "nhwc_to_nchw", "input must have rank 4");
  return transpose(x, {0, 3, 1, 2});
}

}  // namespace dysta::inference
