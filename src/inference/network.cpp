#include "dysta/inference/network.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "dysta/error.h"

namespace dysta::inference {

const char* layer_kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConv:
      return "conv";
    case LayerKind::kDense:
      return "dense";
    case LayerKind::kMatMul:
      return "matmul";
    case LayerKind::kAttention:
      return "attention";
    case LayerKind::kActivation:
      return "activation";
    case LayerKind::kOther:
      return "other";
  }
  return "other";
}

int Network::add_input(const std::string& name) {
  if (find(name) >= 0) throw InputError("", 0, name, "duplicate value name in " + name_);
  value_names_.push_back(name);
  inputs_.push_back(static_cast<int>(value_names_.size() - 1));
  return inputs_.back();
}

int Network::add_layer(Layer layer) {
  if (find(layer.name) >= 0)
    throw InputError("", 0, layer.name, "duplicate layer name in " + name_);
  for (const int v : layer.inputs) {
    if (v < 0 || v >= static_cast<int>(value_names_.size())) {
      throw InputError("", 0, layer.name, "input refers to an unknown value in " + name_);
    }
  }
  if (!layer.run) throw InputError("", 0, layer.name, "layer has no operator");
  value_names_.push_back(layer.name);
  layer.output = static_cast<int>(value_names_.size() - 1);
  layers_.push_back(std::move(layer));
  return layers_.back().output;
}

void Network::set_conv_geometry(int value, const ConvGeometry& geometry) {
  // Builders record the geometry right after adding the layer: search from the back.
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    if (it->output == value) {
      it->conv = geometry;
      return;
    }
  }
  throw InputError("", 0, "layer", "no layer produces value " + std::to_string(value));
}

void Network::set_weight_values(std::size_t index, std::vector<float> values) {
  if (index >= layers_.size()) throw InputError("", 0, "layer", "index out of range in " + name_);
  Layer& l = layers_[index];
  if (!l.weights || !l.weights_editable) {
    throw InputError("", 0, l.name, "layer has no editable weights in " + name_);
  }
  // The tensor was created non-const (weights_editable's contract), so writing through it is
  // well defined; the operator's closure holds the same tensor.
  auto& w = const_cast<Tensor&>(*l.weights);
  if (values.size() != w.data.size()) {
    throw InputError("", 0, l.name,
                     "weight count " + std::to_string(values.size()) + " differs from " +
                         std::to_string(w.data.size()));
  }
  w.data = std::move(values);
}

void Network::set_layer_function(std::size_t index, LayerFn run) {
  if (index >= layers_.size()) throw InputError("", 0, "layer", "index out of range in " + name_);
  if (!run) throw InputError("", 0, layers_[index].name, "empty layer function in " + name_);
  layers_[index].run = std::move(run);
}

void Network::mark_output(int value) {
  if (value < 0 || value >= static_cast<int>(value_names_.size())) {
    throw InputError("", 0, name_, "output refers to an unknown value");
  }
  outputs_.push_back(value);
}

int Network::find(const std::string& name) const {
  const auto it = std::find(value_names_.begin(), value_names_.end(), name);
  return it == value_names_.end() ? -1 : static_cast<int>(it - value_names_.begin());
}

std::vector<Tensor> Network::run(std::vector<Tensor> inputs, LayerObserver& observer) const {
  LayerObserver* const list[] = {&observer};
  return run(std::move(inputs), list);
}

std::vector<Tensor> Network::run(std::vector<Tensor> inputs,
                                 std::span<LayerObserver* const> observers) const {
  NetworkRun run(*this, std::move(inputs));
  while (!run.done()) run.step(observers);
  return run.outputs();
}

NetworkRun::NetworkRun(const Network& network, std::vector<Tensor> inputs) : network_(network) {
  if (inputs.size() != network.inputs_.size()) {
    throw InputError("", 0, network.name_,
                     "expected " + std::to_string(network.inputs_.size()) +
                         " input tensor(s), got " + std::to_string(inputs.size()));
  }
  const std::size_t nv = network.value_names_.size();
  const auto& layers = network.layers_;
  // Last layer reading each value; outputs are kept to the end.
  last_use_.assign(nv, 0);
  read_.assign(nv, false);  // read by a later layer or a network output
  for (std::size_t i = 0; i < layers.size(); ++i) {
    for (const int v : layers[i].inputs) {
      last_use_[v] = i;
      read_[v] = true;
    }
  }
  for (const int v : network.outputs_) {
    last_use_[v] = layers.size();
    read_[v] = true;
  }
  values_.resize(nv);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    values_[network.inputs_[i]] = std::move(inputs[i]);
  }
}

bool NetworkRun::done() const {
  return next_ == network_.layers_.size();
}

void NetworkRun::step(std::span<LayerObserver* const> observers) {
  if (done()) throw std::logic_error("NetworkRun::step: every layer has run");
  const std::size_t i = next_++;
  const Layer& layer = network_.layers_[i];
  args_.clear();
  for (const int v : layer.inputs) args_.push_back(&values_[v]);
  try {
    values_[layer.output] = layer.run(args_);
  } catch (const InputError& e) {
    throw InputError(network_.name_, 0, layer.name + " (" + layer.op + ")", e.what());
  }
  const LayerEvent event{i, layer, args_, values_[layer.output]};
  for (LayerObserver* o : observers) o->on_layer(event);
  for (const int v : layer.inputs) {
    if (last_use_[v] == i) values_[v] = Tensor();
  }
  if (!read_[layer.output]) values_[layer.output] = Tensor();
}

std::vector<Tensor> NetworkRun::outputs() const {
  if (!done()) throw std::logic_error("NetworkRun::outputs: the run is not finished");
  std::vector<Tensor> out;
  out.reserve(network_.outputs_.size());
  for (const int v : network_.outputs_) out.push_back(values_[v]);
  return out;
}

}  // namespace dysta::inference
