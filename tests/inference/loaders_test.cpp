// Loader and engine tests on tiny hand-made models: JS literal reader, base64, tfjs weight
// manifests, a Keras layers model, network execution with observers, sparsity recording.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dysta/error.h"
#include "dysta/inference/network.h"
#include "dysta/inference/ops.h"
#include "dysta/inference/sparsity.h"
#include "dysta/inference/tfjs.h"
#include "inference/js_literal.h"
#include "test_util.h"

namespace dysta::inference {
namespace {

using nlohmann::json;

TEST(InferenceLoaders, JsLiteralReader) {
  const std::string text =
      R"(x={a:1,"b":[.5,-0,1e-3,!0,!1,null],c:'q\'s',d:{e:void 0},f:"\u00e9"};)";
  std::size_t pos = 2;
  const json v = detail::parse_js_value(text, pos, "t.js");
  EXPECT_EQ(text[pos], ';');
  EXPECT_EQ(v["a"], 1);
  EXPECT_DOUBLE_EQ(v["b"][0].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(v["b"][2].get<double>(), 1e-3);
  EXPECT_EQ(v["b"][3], true);
  EXPECT_EQ(v["b"][4], false);
  EXPECT_TRUE(v["b"][5].is_null());
  EXPECT_EQ(v["c"], "q's");
  EXPECT_TRUE(v["d"]["e"].is_null());
  EXPECT_EQ(v["f"], "\xc3\xa9");
  std::size_t bad = 0;
  EXPECT_THROW(detail::parse_js_value("{a:", bad, "t.js"), InputError);
}

TEST(InferenceLoaders, Base64) {
  const auto bytes = detail::base64_decode("AAEC/w==", "t");
  EXPECT_EQ(bytes, (std::vector<std::uint8_t>{0, 1, 2, 255}));
  EXPECT_THROW(detail::base64_decode("AA*A", "t"), InputError);
}

TEST(InferenceLoaders, DecodeWeightsQuantisedAndRaw) {
  const json specs = json::parse(R"([
    {"name":"q","shape":[3],"dtype":"float32","quantization":{"dtype":"uint8","min":-1,"scale":0.5}},
    {"name":"f","shape":[1],"dtype":"float32"},
    {"name":"i","shape":[],"dtype":"int32","quantization":{"dtype":"uint8","min":3,"scale":1}}])");
  std::vector<std::uint8_t> bytes = {0, 2, 4, 0, 0, 0x80, 0x3f, 2};  // 1.0f little-endian
  const WeightMap w = decode_weights(specs, bytes, "m.json");
  EXPECT_EQ(w.at("q").data, (std::vector<float>{-1, 0, 1}));
  EXPECT_EQ(w.at("f").data, (std::vector<float>{1}));
  EXPECT_EQ(w.at("i").data, (std::vector<float>{5}));
  bytes.pop_back();
  try {
    decode_weights(specs, bytes, "m.json");
    FAIL() << "short data accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "m.json");
    EXPECT_EQ(e.field(), "i");
  }
}

// A Keras model: input 2x2x1 -> ZeroPadding -> Conv2D 2x2 (relu) -> GlobalAvgPool -> Dense.
TfjsModel tiny_keras_model() {
  TfjsModel m;
  m.topology = json::parse(R"({"model_config":{"class_name":"Model","config":{
    "layers":[
      {"name":"in","class_name":"InputLayer","config":{"name":"in"},"inbound_nodes":[]},
      {"name":"pad","class_name":"ZeroPadding2D","config":{"padding":[[0,1],[0,1]]},
       "inbound_nodes":[[["in",0,0,{}]]]},
      {"name":"conv","class_name":"Conv2D","config":{"filters":1,"kernel_size":[2,2],
       "strides":[1,1],"padding":"valid","activation":"relu","use_bias":true},
       "inbound_nodes":[[["pad",0,0,{}]]]},
      {"name":"gap","class_name":"GlobalAveragePooling2D","config":{},
       "inbound_nodes":[[["conv",0,0,{}]]]},
      {"name":"fc","class_name":"Dense","config":{"units":1,"activation":"linear","use_bias":false},
       "inbound_nodes":[[["gap",0,0,{}]]]}],
    "output_layers":[["fc",0,0]]}}})");
  m.weights["conv/kernel"] = Tensor({2, 2, 1, 1}, {1, 1, 1, 1});
  m.weights["conv/bias"] = Tensor({1}, {-4});
  m.weights["fc/kernel"] = Tensor({1, 1}, {2});
  return m;
}

class Collect final : public LayerObserver {
 public:
  void on_layer(const LayerEvent& e) override {
    names.push_back(e.layer.name);
    outputs.push_back(e.output);
  }
  std::vector<std::string> names;
  std::vector<Tensor> outputs;
};

TEST(InferenceLoaders, KerasModelRunsLayerByLayer) {
  const Network net = build_keras_network(tiny_keras_model(), "tiny");
  // Input [[1,2],[3,4]]; padded 3x3; 2x2 box sums - 4 = [[6,2],[3,0]]; relu; mean 2.75; x2.
  Collect seen;
  SparsityRecorder rec;
  LayerObserver* const observers[] = {&seen, &rec};
  const auto out = net.run({Tensor({1, 2, 2, 1}, {1, 2, 3, 4})}, observers);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FLOAT_EQ(out[0].data[0], 5.5f);
  EXPECT_EQ(seen.names, (std::vector<std::string>{"pad", "conv", "conv/relu", "gap", "fc"}));
  EXPECT_EQ(seen.outputs[1].data, (std::vector<float>{6, 2, 3, 0}));
  // Recorded: conv (input zero fraction 5/9 of the padded map), relu, fc.
  ASSERT_EQ(rec.layers().size(), 3u);
  EXPECT_EQ(rec.layers()[0].kind, LayerKind::kConv);
  EXPECT_NEAR(rec.layers()[0].input_zero_fraction, 5.0 / 9.0, 1e-12);
  EXPECT_EQ(rec.layers()[0].weight_count, 4);
  EXPECT_DOUBLE_EQ(rec.activation_zero_fraction(), 0.25);
  EXPECT_EQ(weight_masks(net).size(), 2u);

  std::ostringstream csv;
  write_sparsity_csv_header(csv);
  write_sparsity_csv_rows(csv, "tiny", "x", rec.layers());
  EXPECT_NE(csv.str().find("tiny,x,1,conv,Conv2D,conv,1x3x3x1,1x2x2x1,0.555556"),
            std::string::npos);
}

TEST(InferenceLoaders, KerasErrorsNameTheLayer) {
  TfjsModel m = tiny_keras_model();
  m.weights.erase("conv/kernel");
  try {
    build_keras_network(m, "tiny");
    FAIL() << "missing weight accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "conv/kernel");
  }
  const Network net = build_keras_network(tiny_keras_model(), "tiny");
  EXPECT_THROW(net.run({}), InputError);
  EXPECT_THROW(net.run({Tensor({1, 2, 2, 3})}), InputError);  // wrong channel count
}

TEST(InferenceLoaders, TfjsModelFolderWithUmdFiles) {
  test::TempDir dir;
  // model.min.js: a UMD wrapper exporting a JS object literal; shard as base64 UMD.
  std::ofstream(dir.path() / "model.min.js")
      << "!function(e){module.exports=e()}(function(){return {1:[function(e,a,n){a.exports="
         "{modelTopology:{model_config:{class_name:\"Model\",config:{layers:[{name:\"in\","
         "class_name:\"InputLayer\",config:{name:\"in\",sparse:!1},inbound_nodes:[]},{name:\"d\","
         "class_name:\"Dense\",config:{units:2,activation:\"relu\",use_bias:!1},inbound_nodes:"
         "[[[\"in\",0,0,{}]]]}],output_layers:[[\"d\",0,0]]}}},weightsManifest:[{paths:"
         "[\"group1-shard1of1\"],weights:[{name:\"d/kernel\",shape:[1,2],dtype:\"float32\","
         "quantization:{min:-1,scale:.5,dtype:\"uint8\"}}]}]}},{}]}})";
  std::ofstream(dir.path() / "group1-shard1of1.min.js")
      << "!function(e){module.exports=e()}(function(){h.exports=\"AAQ=\"})";  // bytes 0, 4
  const TfjsModel m = read_tfjs_model(dir.path());
  EXPECT_EQ(m.weights.at("d/kernel").data, (std::vector<float>{-1, 1}));
  const Network net = build_keras_network(m, "umd");
  EXPECT_EQ(net.run({Tensor({1, 1}, {3})})[0].data, (std::vector<float>{0, 3}));
  EXPECT_THROW(read_tfjs_model(dir.path() / "missing"), InputError);
}

// Found by fuzz_tfjs (scripts/fuzz.sh): a shard path that is not a string, and other JSON values
// of the wrong type, ended in nlohmann::json's type_error ("internal error").
TEST(InferenceLoaders, WrongJsonTypesInATfjsModelAreInputErrors) {
  test::TempDir dir;
  const auto expect_error = [&](const std::string& model_json) {
    std::ofstream(dir.path() / "model.json") << model_json;
    try {
      const TfjsModel m = read_tfjs_model(dir.path());
      build_keras_network(m, "bad");
      FAIL() << "accepted: " << model_json;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("malformed model"), std::string::npos) << e.what();
    }
  };
  expect_error(R"({"modelTopology": {}, "weightsManifest": [{"paths": [{"name": "x"}]}]})");
  // Found by fuzz_tfjs: a float past the integer range converted by get<std::int64_t> (UB).
  expect_error(R"({"modelTopology": {}, "weightsManifest": [{"paths": [],
      "weights": [{"name": "k", "shape": [4.4e86], "dtype": "float32"}]}]})");
  expect_error(R"({"modelTopology": {}, "weightsManifest": [{"paths": [],
      "weights": [{"name": "k", "shape": ["one"], "dtype": "float32"}]}]})");
}

}  // namespace
}  // namespace dysta::inference
