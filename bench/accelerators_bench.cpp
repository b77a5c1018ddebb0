// Google Benchmarks of the accelerator models on realistic layer sizes. Arg 0 = reference
// semantics, 1 = corrected. Masks are built outside the timed loop.
#include <benchmark/benchmark.h>

#include <vector>

#include "dysta/accelerators/eyeriss_v2.h"
#include "dysta/accelerators/masks.h"
#include "dysta/accelerators/model.h"
#include "dysta/accelerators/sanger.h"
#include "dysta/py_random.h"

namespace dysta {
namespace {

Semantics semantics_of(const benchmark::State& state) {
  return state.range(0) == 0 ? Semantics::reference : Semantics::corrected;
}

// A mask with independent bits of probability 1/2, filled a word at a time (cheap for the
// 100-million-weight fc layer).
BitMask half_dense(const std::vector<std::int64_t>& shape, std::uint64_t seed) {
  BitMask m(shape);
  PyRandom rng(seed);
  auto words = m.words();
  for (auto& w : words) w = (std::uint64_t{rng.next_u32()} << 32) | rng.next_u32();
  if (m.size() % 64 != 0) words.back() &= (std::uint64_t{1} << (m.size() % 64)) - 1;
  return m;
}

LayerShape conv(std::int64_t C, std::int64_t HW, std::int64_t M, std::int64_t k,
                std::int64_t stride = 1) {
  LayerShape s;
  s.in_channels = C;
  s.in_height = s.in_width = HW;
  s.out_channels = M;
  s.kernel_h = s.kernel_w = k;
  s.stride_h = s.stride_w = stride;
  s.pad_h = s.pad_w = k / 2;
  return s;
}

void run_eyeriss(benchmark::State& state, const LayerShape& s, const BitMask& act,
                 const BitMask& wt) {
  const Semantics sem = semantics_of(state);
  const EyerissV2Config cfg;
  std::uint64_t cycles = 0;
  for (auto _ : state) {
    cycles = eyeriss_v2_simulate(s, act, wt, cfg, sem).cycles;
    benchmark::DoNotOptimize(cycles);
  }
  state.counters["cycles"] = static_cast<double>(cycles);
  state.counters["dense_MACs"] = static_cast<double>(s.dense_macs());
}

// ResNet-50 layer1 3x3 conv: 56x56x64 input, 3x3x64x64 weights.
void BM_EyerissV2_ResNet50_3x3_56x56x64(benchmark::State& state) {
  const LayerShape s = conv(64, 56, 64, 3);
  run_eyeriss(state, s, random_mask(s.activation_shape(), 0.5, 1),
              random_mask(s.weight_shape(), 0.5, 2));
}
BENCHMARK(BM_EyerissV2_ResNet50_3x3_56x56x64)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// ResNet-50 layer1 1x1 conv: 56x56x256 -> 64.
void BM_EyerissV2_ResNet50_1x1_56x56x256(benchmark::State& state) {
  const LayerShape s = conv(256, 56, 64, 1);
  run_eyeriss(state, s, random_mask(s.activation_shape(), 0.5, 3),
              random_mask(s.weight_shape(), 0.5, 4));
}
BENCHMARK(BM_EyerissV2_ResNet50_1x1_56x56x256)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// ResNet-50 stem: 224x224x3, 7x7 stride 2, 64 filters.
void BM_EyerissV2_ResNet50_stem_7x7s2(benchmark::State& state) {
  const LayerShape s = conv(3, 224, 64, 7, 2);
  run_eyeriss(state, s, random_mask(s.activation_shape(), 0.95, 5),
              random_mask(s.weight_shape(), 0.8, 6));
}
BENCHMARK(BM_EyerissV2_ResNet50_stem_7x7s2)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// VGG-16 conv5: 14x14x512, 3x3x512x512 (2.4 M weights).
void BM_EyerissV2_VGG16_3x3_14x14x512(benchmark::State& state) {
  const LayerShape s = conv(512, 14, 512, 3);
  run_eyeriss(state, s, half_dense(s.activation_shape(), 7), half_dense(s.weight_shape(), 8));
}
BENCHMARK(BM_EyerissV2_VGG16_3x3_14x14x512)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// VGG-16 fc6: 25088 -> 4096 (103 M weights).
void BM_EyerissV2_VGG16_fc6(benchmark::State& state) {
  LayerShape s;
  s.type = LayerType::fc;
  s.in_channels = 25088;
  s.out_channels = 4096;
  run_eyeriss(state, s, half_dense({25088}, 9), half_dense({4096, 25088}, 10));
}
BENCHMARK(BM_EyerissV2_VGG16_fc6)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Every conv and fc layer of ResNet-50 (torchvision v1.5: stride on the 3x3 conv), one sample.
std::vector<LayerShape> resnet50_layers() {
  std::vector<LayerShape> layers{conv(3, 224, 64, 7, 2)};
  std::int64_t in = 64, hw = 56;
  const std::int64_t widths[] = {64, 128, 256, 512}, blocks[] = {3, 4, 6, 3};
  for (int stage = 0; stage < 4; ++stage) {
    const std::int64_t w = widths[stage], out = 4 * w;
    for (int b = 0; b < blocks[stage]; ++b) {
      const std::int64_t stride = (b == 0 && stage > 0) ? 2 : 1;
      layers.push_back(conv(in, hw, w, 1));
      layers.push_back(conv(w, hw, w, 3, stride));
      const std::int64_t out_hw = hw / stride;
      layers.push_back(conv(w, out_hw, out, 1));
      if (b == 0) layers.push_back(conv(in, hw, out, 1, stride));  // downsample
      in = out;
      hw = out_hw;
    }
  }
  LayerShape fc;
  fc.type = LayerType::fc;
  fc.in_channels = 2048;
  fc.out_channels = 1000;
  layers.push_back(fc);
  return layers;
}

void BM_EyerissV2_ResNet50_whole_network(benchmark::State& state) {
  const auto layers = resnet50_layers();
  std::vector<BitMask> acts, wts;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    acts.push_back(half_dense(layers[i].activation_shape(), 100 + i));
    wts.push_back(half_dense(layers[i].weight_shape(), 200 + i));
  }
  const Semantics sem = semantics_of(state);
  double seconds = 0;
  for (auto _ : state) {
    seconds = 0;
    for (std::size_t i = 0; i < layers.size(); ++i) {
      seconds += eyeriss_v2_simulate(layers[i], acts[i], wts[i], EyerissV2Config{}, sem).latency_s;
    }
    benchmark::DoNotOptimize(seconds);
  }
  state.counters["layers"] = static_cast<double>(layers.size());
  state.counters["sim_latency_ms"] = seconds * 1e3;
}
BENCHMARK(BM_EyerissV2_ResNet50_whole_network)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_Sanger_latency(benchmark::State& state) {
  const Semantics sem = semantics_of(state);
  const SangerConfig cfg;
  double density = 0.1, sum = 0;
  for (auto _ : state) {
    sum += sanger_latency(density, 0.8, 384, cfg, sem).total_s;
    density = density < 0.9 ? density + 1e-4 : 0.1;
  }
  benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_Sanger_latency)->Arg(0)->Arg(1);

void BM_Sanger_model_interface(benchmark::State& state) {
  const auto model = make_accelerator("sanger", {}, semantics_of(state));
  LayerInput in;
  in.name = "attn";
  in.type = LayerType::attention;
  in.attention.density = 0.2;
  in.attention.load_balance = 0.85;
  in.attention.seq_len = 384;
  for (auto _ : state) benchmark::DoNotOptimize(model->latency(in).seconds);
}
BENCHMARK(BM_Sanger_model_interface)->Arg(0)->Arg(1);

// Mask statistics of one BERT-base attention layer: 12 heads x L x L, about 15% kept.
void BM_Sanger_mask_stats(benchmark::State& state) {
  const std::int64_t L = state.range(1);
  const BitMask mask = random_mask({12, L, L}, 0.15, 11);
  SangerMaskOptions opts;
  opts.valid_len = {L - 40};
  const Semantics sem = semantics_of(state);
  for (auto _ : state) benchmark::DoNotOptimize(sanger_mask_stats(mask, opts, sem).lb_50_skip);
  state.counters["entries"] = static_cast<double>(mask.size());
}
BENCHMARK(BM_Sanger_mask_stats)
    ->Args({0, 384})
    ->Args({1, 384})
    ->Args({1, 512})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace dysta
