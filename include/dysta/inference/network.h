// A network as a list of layers in topological order, executed one layer at a time, with
// observers that see every layer's inputs and output (docs/inference.md).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dysta/inference/tensor.h"

namespace dysta::inference {

// What a layer is, for observers that record sparsity.
enum class LayerKind {
  kConv,        // convolution (incl. depthwise/grouped): input activations x weights
  kDense,       // fully connected / MatMul with a constant weight matrix
  kMatMul,      // product of two activation tensors (e.g. Q x K^T, P x V)
  kAttention,   // softmax producing attention probabilities [N, heads, T, T]
  kActivation,  // ReLU-family activation (ReLU, ReLU6, Clip with lower bound 0)
  kOther,       // everything else (BN, add, pooling, reshapes, ...)
};

const char* layer_kind_name(LayerKind kind);

using LayerFn = std::function<Tensor(std::span<const Tensor* const> inputs)>;

// Geometry of a convolution layer (NHWC builders: kernel [kh,kw,Cin,Cout], depthwise
// [kh,kw,C,multiplier]), for accelerator models that need the real strides and padding.
struct ConvGeometry {
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  bool same = false;  // TF "same": total padding resolved per input, the odd pixel bottom/right
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;  // explicit, when !same
  bool depthwise = false;
};

struct Layer {
  std::string name;  // unique within the network
  std::string op;    // operator type, e.g. "Conv2D", "DepthwiseConv2D", "Softmax"
  LayerKind kind = LayerKind::kOther;
  std::vector<int> inputs;  // value ids (see Network)
  int output = -1;          // value id
  LayerFn run;
  std::shared_ptr<const Tensor> weights;  // conv kernel / dense matrix; null when none
  // True when `run` reads the very tensor `weights` points to (and that tensor was not created
  // const), so Network::set_weight_values may change what the layer computes.
  bool weights_editable = false;
  std::optional<ConvGeometry> conv;  // kConv layers of the NHWC builders (tfjs, face-api)
};

// One executed layer, as an observer sees it. The tensors are valid during the call only.
struct LayerEvent {
  std::size_t index;  // position of the layer in Network::layers()
  const Layer& layer;
  std::span<const Tensor* const> inputs;
  const Tensor& output;
};

class LayerObserver {
 public:
  virtual ~LayerObserver() = default;
  virtual void on_layer(const LayerEvent& event) = 0;
};

class NetworkRun;

// Values are numbered 0..value_count()-1: the network inputs first, then one per layer output.
// Constants (weights) live inside the layers' closures.
class Network {
 public:
  explicit Network(std::string name = "") : name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  // Declares a network input; returns its value id.
  int add_input(const std::string& name);

  // Appends a layer reading `inputs` (value ids of earlier values); returns its output value id.
  // Throws InputError if the name is taken or an input id is unknown.
  int add_layer(Layer layer);

  // Marks a value as a network output (in the order marked).
  void mark_output(int value);

  // Value id of a named network input or layer output; -1 when absent.
  int find(const std::string& name) const;

  const std::vector<Layer>& layers() const { return layers_; }
  std::size_t value_count() const { return value_names_.size(); }
  const std::string& value_name(int value) const { return value_names_[value]; }
  const std::vector<int>& outputs() const { return outputs_; }
  std::size_t input_count() const { return inputs_.size(); }

  // Records the geometry of the conv layer producing `value`.
  void set_conv_geometry(int value, const ConvGeometry& geometry);

  // Overwrites the values of layer `index`'s weight tensor (same element count); the layer's
  // operator uses them from then on. Used to derive model variants (pruned weights) from a loaded
  // network. Must not run concurrently with run(). Throws InputError if the layer has no editable
  // weights (Layer::weights_editable) or the count differs.
  void set_weight_values(std::size_t index, std::vector<float> values);

  // Replaces layer `index`'s operator (same inputs and output; used to derive model variants,
  // e.g. batch-norm statistics re-estimated after pruning). Must not run concurrently with run().
  // Throws InputError for an index out of range or an empty function.
  void set_layer_function(std::size_t index, LayerFn run);

  // Runs all layers on `inputs` (one tensor per declared input) and returns the marked outputs.
  // Each observer sees each layer right after it ran. Intermediate tensors are freed after their
  // last use.
  std::vector<Tensor> run(std::vector<Tensor> inputs,
                          std::span<LayerObserver* const> observers = {}) const;
  std::vector<Tensor> run(std::vector<Tensor> inputs, LayerObserver& observer) const;

 private:
  friend class NetworkRun;
  std::string name_;
  std::vector<int> inputs_;
  std::vector<Layer> layers_;
  std::vector<std::string> value_names_;
  std::vector<int> outputs_;
};

// One inference of a network, executed a layer at a time so it can be suspended between layers
// (a runtime preempting at layer boundaries). Network::run() is a NetworkRun stepped to the end.
// Holds the live intermediate values (each freed after its last use); `network` must outlive it.
class NetworkRun {
 public:
  // Throws InputError if the number of inputs differs from the network's.
  NetworkRun(const Network& network, std::vector<Tensor> inputs);
  bool done() const;
  // Index in Network::layers() of the layer step() runs next (layers().size() when done).
  std::size_t next_layer() const { return next_; }
  // Runs the next layer; observers see it right after it ran. Throws std::logic_error when done.
  void step(std::span<LayerObserver* const> observers = {});
  // The marked outputs; throws std::logic_error unless done().
  std::vector<Tensor> outputs() const;

 private:
  const Network& network_;
  std::vector<std::size_t> last_use_;
  std::vector<bool> read_;
  std::vector<Tensor> values_;
  std::vector<const Tensor*> args_;
  std::size_t next_ = 0;
};

}  // namespace dysta::inference
