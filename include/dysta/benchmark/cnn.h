// Profiles pruned variants of the real CNNs on real inputs with the Eyeriss-V2 model: per sample
// and conv/dense layer, the input-activation mask and the pruned weight mask go through the cycle
// model of spec F.3 (docs/benchmark.md, "Static and dynamic sparsity").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dysta/accelerators/bit_mask.h"
#include "dysta/accelerators/model.h"
#include "dysta/accelerators/profiling.h"
#include "dysta/benchmark/inputs.h"
#include "dysta/benchmark/pruning.h"
#include "dysta/benchmark/reconstruction.h"
#include "dysta/inference/network.h"

namespace dysta::benchmark {

enum class CnnTask { classifier, detector, embedding };

struct CnnModel {
  std::string key;         // benchmark name, no '_' (the artifact groups files by the text
                           // before the first '_'): mobilenetv2, inceptionv3, ssdmobilenetv1,
                           // faceresnet
  std::string real_model;  // inference model (dysta infer --list)
  CnnTask task = CnnTask::classifier;
  std::string description;
};

// The four CNNs of the benchmark, in this order.
const std::vector<CnnModel>& benchmark_cnns();
// Throws InputError naming `field` for an unknown key.
const CnnModel& find_cnn(const std::string& key, const std::string& field);

// A variant: dense (no pattern) or a pattern at a level.
//
// Level search (issue 12): with `goal` > 0, a pruned variant that does not keep its function is
// pruned again at the levels of `fallback`, in order, and the first that keeps it is shipped
// (else the last one tried). "Keeps its function" (meets_goal): not broken, and at least `goal`
// of the non-majority answers agree with the dense model. `level` names the slot (the profile
// set) the variant ships in whatever level it ends at.
struct CnnVariantSpec {
  std::optional<PrunePattern> pattern;
  PruneLevel level;
  bool reference = false;   // also time with reference semantics (pad_channels on)
  bool reconstruct = true;  // layer-wise reconstruction (reconstruction.h); false = magnitude
  std::vector<PruneLevel> fallback;  // lower levels to try, in order
  double goal = 0;                   // 0: no search
  std::string slot;                  // the profile set's level; empty = level.name
  // "dense" or "<pattern>_<level>", e.g. "unstructured_sparse20" (the artifact's file stems).
  std::string label() const;
  std::string slot_name() const { return pattern ? (slot.empty() ? level.name : slot) : "dense"; }
};

// One level tried by the search of CnnVariantSpec.
struct LevelAttempt {
  std::string label;       // "<pattern>_<level>"
  std::size_t inputs = 0;  // inputs the level was judged on
  double non_majority_agreement = 0;
  double majority_agreement = 0;  // on the judged majority inputs
  std::string
      outcome;  // "kept", "missed" (goal missed, next level tried), "last" (missed, none left)
};

// The inputs a model runs on: scene_inputs for the classifiers and the detector, face_inputs
// for the embedding net.
std::vector<InputRef> inputs_for(const CnnModel& model, const inference::AssetPaths& paths,
                                 const ImageInputOptions& options);
// The model's calibration inputs (scene_ or face_calibration_inputs), disjoint from inputs_for.
std::vector<InputRef> calibration_for(const CnnModel& model, const inference::AssetPaths& paths);

// The Eyeriss-V2 timing of a network's profiled layers (every conv/dense layer with weights, in
// execution order) on their real masks (spec F.3): what profile_cnn records per sample, usable one
// layer at a time by a runtime. Built from the network's current (possibly pruned) weights.
class EyerissLayerTimer {
 public:
  // Throws InputError for a conv layer without recorded geometry.
  explicit EyerissLayerTimer(const inference::Network& network);

  std::size_t size() const { return plans_.size(); }
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<std::size_t>& network_layers() const { return network_layers_; }
  // Zero fraction of each profiled layer's (pruned) kernel.
  const std::vector<double>& weight_sparsity() const { return weight_sparsity_; }
  // Position among the profiled layers of Network::layers()[index]; -1 when not profiled.
  int position(std::size_t network_layer) const;

  struct Timing {
    double sparsity = 0;             // input activation zero fraction
    double latency_s = 0;            // corrected semantics
    double reference_latency_s = 0;  // reference semantics (pad_channels), when asked
    LayerShape shape;
  };
  // The timing of the profiled layer the event is for (position(e.index) >= 0).
  Timing time(const inference::LayerEvent& event, bool reference = false) const;

 private:
  struct Plan {
    bool fc = false;
    std::int64_t kh = 1, kw = 1, cout = 0;  // cout: output channels (depthwise: C * multiplier)
    inference::ConvGeometry geometry;
    BitMask weights;  // (M, C/g, R, S) or (M, C)
  };
  std::vector<Plan> plans_;
  std::vector<std::string> names_;
  std::vector<std::size_t> network_layers_;
  std::vector<int> position_;  // per network layer
  std::vector<double> weight_sparsity_;
};

struct CnnProfileOptions {
  int threads = 1;  // inputs run in parallel; results do not depend on it
  // Calibration inputs of the reconstruction pruning (needed when a spec reconstructs).
  std::vector<InputRef> calibration;
  ReconstructionOptions reconstruction;
};

struct CnnVariantProfile {
  std::string model;    // CnnModel::key
  std::string pattern;  // the shipped level's label ("<pattern>_<level>" or "dense")
  std::string slot;     // CnnVariantSpec::level's name ("dense" for the dense model)
  std::optional<PruneReport> pruning;
  std::vector<LevelAttempt> attempts;       // the level search, in order (empty without one)
  std::vector<std::string> layer_names;     // every conv/dense layer, execution order
  std::vector<LayerShape> shapes;           // [layer]
  std::vector<double> weight_sparsity;      // [layer], zero fraction of the (pruned) kernel
  std::vector<bool> reference_padded;       // [layer], C != C2*C1*C0 (reference semantics)
  std::vector<std::string> input_ids;       // [sample]
  std::vector<double> latency_corrected_s;  // [sample][layer]
  std::vector<double> latency_reference_s;  // [sample][layer], empty unless spec.reference
  std::vector<double> sparsity;             // [sample][layer], input zero fraction
  std::vector<std::vector<float>> outputs;  // [sample]: class probabilities, best face score,
                                            // or the embedding

  // The same variant restricted to the samples `idx` (in that order).
  CnnVariantProfile subset(const std::vector<std::size_t>& idx) const;

  // As a profile variant for the writers of profiling.h (artifact CSV: spec F.4). Sparsity is
  // rounded to 6 decimals, latency is cycles / clock as computed.
  ProfiledVariant to_profiled(Semantics semantics) const;
};

// Loads the model once and profiles `variants` in order (pruning from the dense weights each
// time). Throws InputError for missing models or inputs.
std::vector<CnnVariantProfile> profile_cnn(const CnnModel& model,
                                           const inference::AssetPaths& paths,
                                           const std::vector<InputRef>& inputs,
                                           const std::vector<CnnVariantSpec>& variants,
                                           const CnnProfileOptions& options);

// How far a pruned variant's outputs are from the dense model's on the same inputs (the dense
// model's answer is the reference: "agreement" is not accuracy against labels).
//
// Every task is reduced to a discrete answer per input (classifier: top-1 class; detector: "face
// found", best score >= 0.5; embedding: the same-person decision, distance < 0.6 (face-api's
// threshold), of every pair of inputs of the source). Then:
//   agreement              share of inputs (pairs) where pruned and dense answers agree;
//   base_rate              share of the majority dense answer: what a constant answer scores;
//   non_majority_agreement agreement on the inputs (pairs) whose dense answer is not the
//                          majority one (NaN when there are none);
//   confusion              answers x answers counts, [dense answer][pruned answer].
// Ties for the majority go to the lower answer index.
struct FunctionMetrics {
  std::string source;  // "all" or an InputRef::source
  std::size_t inputs = 0;
  std::string metric;       // "top1_agreement", "face_decision_agreement", "same_person_agreement"
  std::size_t answers = 0;  // number of distinct answers (classes; 2 for decisions)
  std::vector<std::string> answer_names;
  double agreement = 0;
  double base_rate = 0;
  std::size_t majority = 0;  // index of the majority dense answer
  std::size_t non_majority = 0;
  double non_majority_agreement = 0;
  double majority_agreement = 0;  // agreement on the inputs whose dense answer is the majority
  std::vector<std::int64_t> confusion;  // answers x answers
  // Classifier: mean overlap of the top-2 class sets (top-5 would be all 5 classes of these
  // classifiers). NaN for the other tasks.
  double top2_overlap = 0;
  // Classifier: mean |p - p_dense| of the dense top class; detector: mean |score change|;
  // embedding: mean distance to the dense embedding of the same input.
  std::string change_metric;
  double change = 0;
  // Embedding: share of inputs whose embedding stays within 0.6 of the dense one; NaN otherwise.
  double within = 0;
};

// The decision part of FunctionMetrics from per-input (per-pair) answers in [0, answers).
FunctionMetrics decision_metrics(const std::vector<std::size_t>& dense,
                                 const std::vector<std::size_t>& pruned, std::size_t answers);

// Metrics over all inputs ("all", first) and per source (in order of first appearance);
// `sources[s]` is input s's source.
std::vector<FunctionMetrics> function_metrics(const CnnModel& model, const CnnVariantProfile& dense,
                                              const CnnVariantProfile& pruned,
                                              const std::vector<std::string>& sources);

// A variant is broken when it is not clearly above its base rate on all inputs: it keeps fewer
// than half of the non-majority answers or fewer than half of the majority answers (a constant
// answer, majority or not, fails one of the two), or, for the embedding, fewer than half the
// embeddings stay within 0.6 of the dense ones. Broken variants are flagged in the manifest and
// used by no scenario.
inline constexpr double kBrokenThreshold = 0.5;
bool is_broken(const FunctionMetrics& all);
// Not broken, and (where there are non-majority answers) at least `goal` of them kept.
bool meets_goal(const FunctionMetrics& all, double goal);

}  // namespace dysta::benchmark
