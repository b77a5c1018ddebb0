#include "dysta/streaming.h"

#include "dysta/error.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"

namespace dysta {

namespace {
class GeneratorSource final : public RequestSource {
 public:
  explicit GeneratorSource(PoissonGenerator& generator) : generator_(generator) { advance(); }
  const Request* peek() override { return has_ ? &current_ : nullptr; }
  void pop() override { advance(); }

 private:
  void advance() {
    has_ = !generator_.done();
    if (has_) current_ = generator_.next();
  }
  PoissonGenerator& generator_;
  Request current_;
  bool has_ = false;
};
}  // namespace

RunMetrics run_streaming(const ProfileSet& profiles, const StreamSpec& spec, std::uint64_t seed,
                         const std::string& policy_name, const PolicyChoice& choice,
                         Semantics semantics, const MetricsOptions& options) {
  const PolicyInfo& info = policy_registry().get("policy", policy_name);
  const auto it = choice.policy_params.find(policy_name);
  auto policy = make_policy(
      policy_name, it == choice.policy_params.end() ? ParamValues{} : it->second, semantics);
  auto predictor = make_predictor(choice.predictor, profiles, choice.predictor_params, semantics);
  PyRandom rng(seed);
  PoissonGenerator generator(profiles, spec, rng, semantics);
  GeneratorSource source(generator);
  MetricsAccumulator sink(profiles, options);
  PolicyStatisticsRecorder statistics;
  EngineOptions engine_options;
  engine_options.semantics = semantics;
  engine_options.observers = {&statistics};
  engine_options.drop = choice.drop;
  const EngineStats stats =
      simulate_stream(profiles, source, *policy, info.traits, *predictor, engine_options, sink);
  RunMetrics metrics = sink.finish(stats);
  metrics.policy_statistics = statistics.statistics();
  return metrics;
}

}  // namespace dysta
