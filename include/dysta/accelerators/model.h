// Accelerator performance models: the interface, the layer inputs they consume, and the registry.
//
// A model turns one layer's inputs (shape and sparsity masks of a CNN layer, or the statistics of
// an attention layer) into a latency in seconds with a named cycle breakdown. To add an
// accelerator: write one file in src/accelerators/ with a class deriving from AcceleratorModel and
// one DYSTA_REGISTER_ACCELERATOR(...) line (docs/accelerators.md walks through an example).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dysta/accelerators/bit_mask.h"
#include "dysta/registry.h"
#include "dysta/semantics.h"

namespace dysta {

enum class LayerType { conv, fc, attention };
std::string to_string(LayerType type);
// Parses "conv", "fc" or "attention"; throws InputError naming `field` otherwise.
LayerType parse_layer_type(std::string_view text, const std::string& field);

// Geometry of a convolution (grouped and depthwise included) or fully-connected layer. For fc,
// in_channels = in_features, out_channels = out_features, and every spatial size is 1.
struct LayerShape {
  LayerType type = LayerType::conv;
  std::int64_t in_channels = 0;   // C
  std::int64_t in_height = 1;     // H
  std::int64_t in_width = 1;      // W
  std::int64_t out_channels = 0;  // M
  std::int64_t kernel_h = 1;      // R
  std::int64_t kernel_w = 1;      // S
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_h = 0, pad_w = 0;  // zero padding on each side
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;  // g; depthwise: g = C

  // Output size with the real stride, padding and dilation (PyTorch's formula).
  std::int64_t out_height() const;
  std::int64_t out_width() const;
  // Expected mask shapes: activation (C, H, W) or (C); weights (M, C/g, R, S) or (M, C).
  std::vector<std::int64_t> activation_shape() const;
  std::vector<std::int64_t> weight_shape() const;
  // MACs of the dense layer with its real geometry, counting only taps inside the input.
  std::uint64_t dense_macs() const;
};

// Throws InputError naming `layer` and the offending field unless every size is positive, the
// channels divide by the groups and the output is non-empty.
void validate_shape(const LayerShape& shape, const std::string& layer);

// What Sanger needs of one attention layer (spec F.1, F.2).
struct AttentionStats {
  double density = 0;       // kept / valid attention entries (the CSV's overall-sparsity), (0, 1]
  double load_balance = 0;  // PE utilisation, the 50%-skip column, (0, 1]
  // The other load-balance columns of the Sanger CSV; NaN when unknown.
  double lb_50_no_skip = std::numeric_limits<double>::quiet_NaN();
  double lb_25_no_skip = std::numeric_limits<double>::quiet_NaN();
  double lb_25_skip = std::numeric_limits<double>::quiet_NaN();
  std::int64_t seq_len = 0;  // tokens; 0 = unknown
};

// One layer as a model sees it. Masks are borrowed, not owned; non-zero = 1.
struct LayerInput {
  std::string name;  // used in error messages
  LayerType type = LayerType::conv;
  LayerShape shape;                     // conv, fc
  const BitMask* activation = nullptr;  // conv: (C, H, W); fc: (C). Leading 1s are accepted.
  const BitMask* weights = nullptr;     // conv: (M, C/g, R, S); fc: (M, C)
  AttentionStats attention;             // attention
};

// Fraction of zeros of the layer's input as the profiles store it (spec F.5): for conv and fc the
// zero fraction of the input activation; for attention 1 - density.
double layer_sparsity(const LayerInput& layer);

struct CycleTerm {
  std::string name;
  double cycles = 0;
};

struct LayerLatency {
  double seconds = 0;
  double cycles = 0;  // at the accelerator clock
  // Named parts of `cycles`; they add up to it before any final rounding the model documents.
  std::vector<CycleTerm> breakdown;
};

// Contract: latency() depends only on its argument and the model's constants, is thread-safe
// (const), and throws InputError naming the layer and field for inputs the model cannot take.
class AcceleratorModel {
 public:
  virtual ~AcceleratorModel() = default;
  virtual std::string name() const = 0;
  virtual bool supports(LayerType type) const = 0;
  virtual LayerLatency latency(const LayerInput& layer) const = 0;
};

// Which file format of the original artifact a model's profiles are exported as.
enum class ArtifactCsv {
  sanger_stats,  // 50%-no-skip,50%-skip,25%-no-skip,25%-skip,overall-sparsity,batch-indx,layer-indx
  sim_lat,       // sim_lat,overall-sparsity,batch-indx,layer-indx
};

struct AcceleratorInfo {
  std::string name;
  std::string description;        // one line
  std::vector<ParamSpec> params;  // configurable constants with the reference defaults
  ArtifactCsv artifact_csv = ArtifactCsv::sim_lat;
  // Directory name for the artifact CSVs; the artifact recognises files by "sanger" or
  // "eyerissv2" in the path (spec B.1).
  std::string artifact_dir;
  std::function<std::unique_ptr<AcceleratorModel>(const ParamValues&, Semantics)> make;
};

Registry<AcceleratorInfo>& accelerator_registry();

// Creates a registered model; throws InputError for an unknown name or parameter.
std::unique_ptr<AcceleratorModel> make_accelerator(const std::string& name,
                                                   const ParamValues& params, Semantics semantics);

}  // namespace dysta

// Registers an AcceleratorInfo at start-up: DYSTA_REGISTER_ACCELERATOR({"name", "description",
// ...});
#define DYSTA_REGISTER_ACCELERATOR(...)                                                      \
  [[maybe_unused]] static const bool DYSTA_CONCAT(dysta_accelerator_registered_, __LINE__) = \
      ::dysta::accelerator_registry().add(::dysta::AcceleratorInfo __VA_ARGS__)
