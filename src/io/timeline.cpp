#include "dysta/timeline.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "dysta/csv.h"
#include "dysta/error.h"
#include "dysta/metrics.h"
#include "dysta/predictor.h"

namespace dysta {
namespace {

// Trace times are whole ticks of 2^-10 us (about 0.98 ns), written in microseconds (the unit of
// the Trace Event Format) as exact decimals. A tick count below 2^53 parses to exactly that
// binary value, and the sum of two such values is exact, so a viewer's ts + dur of a slice is
// bit-equal to its successor's ts when they touch: no slice can overlap its successor or stick
// out of its parent. (Times rounded to decimal nanoseconds parse inexactly and ts + dur could
// exceed the next ts by one ulp; issue 14, item 7.) Rounding to ticks is monotone, so contained
// intervals stay contained.
constexpr double kTicksPerSecond = 1e6 * 1024;
std::int64_t to_ticks(double s) {
  return std::llround(s * kTicksPerSecond);
}
std::string us(std::int64_t ticks) {
  const char* sign = ticks < 0 ? "-" : "";
  const std::int64_t a = ticks < 0 ? -ticks : ticks;
  const std::int64_t whole = a / 1024, fraction = a % 1024;
  if (fraction == 0) return fmt::format("{}{}", sign, whole);
  // fraction / 1024 = fraction * 9765625 / 10^10 exactly; trailing zeros dropped.
  std::string digits = fmt::format("{:010}", fraction * 9765625);
  digits.erase(digits.find_last_not_of('0') + 1);
  return fmt::format("{}{}.{}", sign, whole, digits);
}
std::string quoted(const std::string& s) {
  return nlohmann::json(s).dump();
}

constexpr int kAcceleratorPid = 1;
constexpr int kTracksPid = 2;

}  // namespace

TimelineTracks parse_timeline_tracks(const std::string& text) {
  if (text == "request") return TimelineTracks::request;
  if (text == "model") return TimelineTracks::model;
  throw InputError("", 0, "--timeline-tracks", "expected request or model, found '" + text + "'");
}

TimelineRecorder::TimelineRecorder(const ProfileSet& profiles, std::span<const Request> requests,
                                   TimelineTracks tracks)
    : profiles_(profiles),
      requests_(requests),
      tracks_(tracks),
      finish_s_(requests.size(), std::numeric_limits<double>::quiet_NaN()) {}

void TimelineRecorder::on_layer(std::uint32_t request, std::uint32_t layer, double start_s,
                                double end_s) {
  layers_.push_back({request, layer, start_s, end_s});
}

void TimelineRecorder::on_finish(std::uint32_t request, double finish_s) {
  finish_s_.at(request) = finish_s;
}

std::string TimelineRecorder::json() const {
  std::string out = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  bool first = true;
  auto event = [&](const std::string& e) {
    out += first ? "" : ",\n";
    out += e;
    first = false;
  };
  const bool per_request = tracks_ == TimelineTracks::request;
  // Track (tid) of a request on the tracks process: request index + 1, or variant index + 1.
  auto tid = [&](std::uint32_t request) {
    return per_request ? request + 1 : requests_[request].variant + 1;
  };
  auto model = [&](std::uint32_t request) -> const std::string& {
    return profiles_.variant(requests_[request].variant).name;
  };

  event(fmt::format(
      R"({{"name":"process_name","ph":"M","pid":{},"tid":0,"args":{{"name":"accelerator"}}}})",
      kAcceleratorPid));
  event(fmt::format(
      R"({{"name":"thread_name","ph":"M","pid":{},"tid":1,"args":{{"name":"executed layers"}}}})",
      kAcceleratorPid));
  event(fmt::format(R"({{"name":"process_name","ph":"M","pid":{},"tid":0,"args":{{"name":{}}}}})",
                    kTracksPid, per_request ? "\"requests\"" : "\"models\""));
  event(
      fmt::format(R"({{"name":"process_sort_index","ph":"M","pid":{},"args":{{"sort_index":{}}}}})",
                  kTracksPid, kTracksPid));
  if (per_request) {
    for (std::uint32_t r = 0; r < requests_.size(); ++r) {
      event(
          fmt::format(R"({{"name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":{}}}}})",
                      kTracksPid, r + 1, quoted(fmt::format("#{} {}", r, model(r)))));
    }
  } else {
    for (std::uint32_t v = 0; v < profiles_.size(); ++v) {
      event(
          fmt::format(R"({{"name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":{}}}}})",
                      kTracksPid, v + 1, quoted(profiles_.variant(v).name)));
    }
  }

  // Arrivals, request spans and deadline misses.
  for (std::uint32_t r = 0; r < requests_.size(); ++r) {
    const Request& q = requests_[r];
    const std::int64_t arrival = to_ticks(q.arrival_s);
    event(fmt::format(
        R"({{"name":"arrival","cat":"request","ph":"i","s":"t","pid":{},"tid":{},"ts":{},)"
        R"("args":{{"request":{},"model":{},"priority":{},"deadline_s":{}}}}})",
        kTracksPid, tid(r), us(arrival), r, quoted(model(r)), q.priority,
        format_double(q.deadline_s)));
    const double finish = finish_s_[r];
    if (std::isnan(finish)) continue;
    if (per_request) {
      const std::int64_t end = to_ticks(finish);
      event(
          fmt::format(R"({{"name":{},"cat":"request","ph":"X","pid":{},"tid":{},"ts":{},"dur":{},)"
                      R"("args":{{"request":{},"arrival_s":{},"finish_s":{},"deadline_s":{}}}}})",
                      quoted(fmt::format("#{} {}", r, model(r))), kTracksPid, tid(r), us(arrival),
                      us(end - arrival), r, format_double(q.arrival_s), format_double(finish),
                      format_double(q.deadline_s)));
    }
    if (finish > q.deadline_s) {
      event(fmt::format(
          R"({{"name":"deadline miss","cat":"slo","ph":"i","s":"t","pid":{},"tid":{},"ts":{},)"
          R"("args":{{"request":{},"model":{},"finish_s":{},"late_by_s":{}}}}})",
          kTracksPid, tid(r), us(to_ticks(q.deadline_s)), r, quoted(model(r)),
          format_double(finish), format_double(finish - q.deadline_s)));
    }
  }

  // Layers: on the accelerator, and on the request's or model's track.
  for (const Layer& l : layers_) {
    const std::int64_t start = to_ticks(l.start_s), end = to_ticks(l.end_s);
    const std::string args = fmt::format(R"({{"request":{},"model":{},"layer":{}}})", l.request,
                                         quoted(model(l.request)), l.layer);
    event(fmt::format(
        R"({{"name":{},"cat":"layer","ph":"X","pid":{},"tid":1,"ts":{},"dur":{},"args":{}}})",
        quoted(model(l.request)), kAcceleratorPid, us(start), us(end - start), args));
    const std::string name =
        per_request ? fmt::format("L{}", l.layer) : fmt::format("#{} L{}", l.request, l.layer);
    event(fmt::format(
        R"({{"name":{},"cat":"layer","ph":"X","pid":{},"tid":{},"ts":{},"dur":{},"args":{}}})",
        quoted(name), kTracksPid, tid(l.request), us(start), us(end - start), args));
  }
  out += "\n]}\n";
  return out;
}

DecisionLog::DecisionLog(const ProfileSet& profiles, const Policy* policy)
    : profiles_(profiles), policy_(policy) {
  csv_ =
      "decision,now_s,ready,chosen,request,model,priority,arrival_s,deadline_s,slack_s,"
      "layers_done,num_layers,est_remaining_s,gamma,est_next_layer_s,est_isolated_s,"
      "real_remaining_s,last_exec_s,token,score,score_wins\n";
}

void DecisionLog::after_select(const DecisionContext& ctx) {
  if (!policy_ || *score_wins_ != '\0') return;
  scores_.resize(ctx.tasks.size());
  if (policy_->scores_after_select(ctx, scores_)) {
    score_wins_ = score_order_name(policy_->score_order());
  }
}

void DecisionLog::before_select(const DecisionContext& ctx) {
  pending_ = true;
  score_wins_ = "";
  if (!policy_) return;
  scores_.resize(ctx.tasks.size());
  if (policy_->scores(ctx, scores_)) {
    score_wins_ = score_order_name(policy_->score_order());
  } else if (policy_->keyed()) {
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) scores_[i] = policy_->key(ctx.tasks[i]);
    score_wins_ = score_order_name(ScoreOrder::smallest_wins);
  }
}

void DecisionLog::on_decision(const DecisionContext& ctx, std::size_t chosen) {
  if (!pending_) {  // not wrapped in a ScoringPolicy: only keys (state-free) can be taken now
    score_wins_ = "";
    if (policy_ && policy_->keyed()) {
      scores_.resize(ctx.tasks.size());
      for (std::size_t i = 0; i < ctx.tasks.size(); ++i) scores_[i] = policy_->key(ctx.tasks[i]);
      score_wins_ = score_order_name(ScoreOrder::smallest_wins);
    }
  }
  pending_ = false;
  const bool scored = *score_wins_ != '\0' && scores_.size() == ctx.tasks.size();
  for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
    const TaskView& t = ctx.tasks[i];
    csv_ +=
        fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", decisions_,
                    format_double(ctx.now_s), ctx.tasks.size(), i == chosen ? 1 : 0, t.request,
                    profiles_.variant(t.variant).name, t.priority, format_double(t.arrival_s),
                    format_double(t.deadline_s), format_double(t.deadline_s - ctx.now_s),
                    t.layers_done, t.num_layers, format_double(t.est_remaining_s),
                    format_double(t.gamma), format_double(t.est_next_layer_s),
                    format_double(t.est_isolated_s), format_double(t.real_remaining_s),
                    format_double(t.last_exec_s), format_double(ctx.state[i].token),
                    scored && !std::isnan(scores_[i]) ? format_double(scores_[i]) : "",
                    scored ? score_wins_ : "");
  }
  ++decisions_;
}

namespace {
// Forwards events to up to two observers.
class Fanout final : public EngineObserver {
 public:
  Fanout(EngineObserver* a, EngineObserver* b) : a_(a), b_(b) {}
  bool wants_decisions() const override {
    return (a_ && a_->wants_decisions()) || (b_ && b_->wants_decisions());
  }
  void on_admit(std::uint32_t r, double now) override {
    if (a_) a_->on_admit(r, now);
    if (b_) b_->on_admit(r, now);
  }
  void on_decision(const DecisionContext& ctx, std::size_t chosen) override {
    if (a_) a_->on_decision(ctx, chosen);
    if (b_) b_->on_decision(ctx, chosen);
  }
  void on_layer(std::uint32_t r, std::uint32_t l, double s, double e) override {
    if (a_) a_->on_layer(r, l, s, e);
    if (b_) b_->on_layer(r, l, s, e);
  }
  void on_finish(std::uint32_t r, double f) override {
    if (a_) a_->on_finish(r, f);
    if (b_) b_->on_finish(r, f);
  }

 private:
  EngineObserver *a_, *b_;
};
}  // namespace

RunMetrics run_policy_observed(const ProfileSet& profiles, const std::vector<Request>& requests,
                               const std::string& policy_name, const PolicyChoice& choice,
                               Semantics semantics, RunResult* raw, TimelineRecorder* timeline,
                               DecisionLog* decisions) {
  const PolicyInfo& info = policy_registry().get("policy", policy_name);
  const auto params = choice.policy_params.find(policy_name);
  auto policy =
      make_policy(policy_name,
                  params == choice.policy_params.end() ? ParamValues{} : params->second, semantics);
  auto predictor = make_predictor(choice.predictor, profiles, choice.predictor_params, semantics);
  if (decisions) decisions->set_policy(policy.get());
  // The log takes each decision's scores before select() (Policy::scores()' contract).
  std::optional<ScoringPolicy> scoring;
  if (decisions) scoring.emplace(*policy, *decisions);
  Policy& engine_policy = scoring ? static_cast<Policy&>(*scoring) : *policy;
  Fanout fanout(timeline, decisions);
  EngineOptions options;
  options.semantics = semantics;
  options.observer = &fanout;
  RunResult result = simulate(profiles, requests, engine_policy, info.traits, *predictor, options);
  if (decisions) decisions->set_policy(nullptr);
  RunMetrics metrics = compute_metrics(profiles, requests, result);
  if (raw) *raw = std::move(result);
  return metrics;
}

}  // namespace dysta
