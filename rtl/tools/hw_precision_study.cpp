// Precision study of the hardware scheduler (docs/hardware.md): dysta (double, average and
// last-one predictors) against dysta_hw (FP32 + Q13.18, FP16 + Q7.8) on the synthetic profile sets.
//
// For dysta_hw, every decision is also taken by the software rule in double on the same state
// (spec C.7 with the last-one gamma, which is what the hardware computes); "differing" counts the
// decisions where the two picks differ. Violation rate and ANTT come from whole runs.
//
// Usage: dysta_hw_study [--data DIR] [--requests N] [--seeds K] [--csv FILE] [--debug N]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "dysta/config.h"
#include "dysta/engine.h"
#include "dysta/experiment.h"
#include "dysta/hardware/dysta_hw.h"
#include "dysta/metrics.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/profile.h"
#include "dysta/workload.h"
#include "policies/dysta_rule.h"

namespace {

using namespace dysta;

struct Grid {
  std::string set;
  std::vector<double> rates;
  std::vector<double> slos;
};

// Counts decisions where the double-precision rule picks another task than the policy did.
class ShadowDysta final : public EngineObserver {
 public:
  explicit ShadowDysta(int debug, const hw::DystaHwPolicy* policy = nullptr)
      : debug_(debug), policy_(policy) {}
  void on_decision(const DecisionContext& ctx, std::size_t chosen) override {
    const std::size_t soft = detail::dysta_select(
        ctx, 0.01, [](const TaskView& t) { return t.gamma * t.est_remaining_s; },
        [](const TaskView& t) { return t.est_isolated_s; });
    ++decisions;
    if (soft != chosen) {
      ++differing;
      if (debug_ > 0) {
        --debug_;
        std::printf("  differ at now %.9f: hw %zu soft %zu of %zu\n", ctx.now_s, chosen, soft,
                    ctx.tasks.size());
        for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
          const TaskView& t = ctx.tasks[i];
          const double r = t.gamma * t.est_remaining_s;
          double u = t.deadline_s - ctx.now_s - r;
          if (u < 0) u = 0;
          const double p = (ctx.now_s - t.last_exec_s) / t.est_isolated_s / ctx.tasks.size();
          std::printf("    [%zu] req %u R %.9g U %.9g P %.9g score %.12g", i, t.request, r, u, p,
                      r + 0.01 * (u + p));
          if (policy_ && i < policy_->model().queue().size()) {
            const auto& m = policy_->model();
            const auto& reg = m.requests()[m.queue()[i]];
            const double unit = std::ldexp(1.0, m.time_shift() + m.config().q().frac_bits) / 200e6;
            std::printf("  | hw score %.12g (x unit %.12g) gamma %.9g layer %u dl %.9f le %.9f",
                        hw::fp_to_double(m.config().fp(), reg.score),
                        hw::fp_to_double(m.config().fp(), reg.score) * unit,
                        hw::fp_to_double(m.config().fp(), reg.gamma), reg.layer,
                        reg.deadline / 200e6, reg.last_exec / 200e6);
          }
          std::printf("\n");
        }
      }
    }
  }
  std::size_t decisions = 0;
  std::size_t differing = 0;

 private:
  int debug_;
  const hw::DystaHwPolicy* policy_;
};

struct Row {
  std::string set, policy;
  double rate, slo;
  std::uint64_t seed;
  RunMetrics metrics;
  std::size_t decisions = 0, differing = 0;
  hw::DystaHwStats stats;
};

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path data = dysta::data_dir() / "synthetic";
  std::size_t requests = 1000;
  std::uint64_t seeds = 5;
  std::string csv;
  int debug = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--data")
      data = v;
    else if (a == "--requests")
      requests = std::stoul(v);
    else if (a == "--seeds")
      seeds = std::stoul(v);
    else if (a == "--csv")
      csv = v;
    else if (a == "--debug")
      debug = std::stoi(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  const std::vector<Grid> grids = {{"sanger", {60, 90}, {2, 10}}, {"eyerissv2", {20, 25}, {5, 10}}};
  const std::vector<std::string> variants = {"dysta", "dysta_last_one", "dysta_hw_fp32",
                                             "dysta_hw_fp16"};
  std::vector<Row> rows;
  for (const Grid& g : grids) {
    const ProfileSet profiles = load_profiles(data / g.set, {});
    for (double rate : g.rates) {
      for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        PyRandom rng(seed);
        StreamSpec spec;
        spec.rate_per_s = rate;
        spec.num_requests = requests;
        std::vector<Request> stream =
            generate_poisson_stream(profiles, spec, rng, Semantics::corrected);
        for (double slo : g.slos) {
          apply_slo_multiplier(stream, profiles, slo);
          for (const std::string& v : variants) {
            Row row{g.set, v, rate, slo, seed, {}, 0, 0, {}};
            PolicyChoice choice;
            if (v == "dysta") {
              row.metrics = run_policy(profiles, stream, "dysta", choice, Semantics::corrected);
            } else if (v == "dysta_last_one") {
              choice.predictor = "last_one";
              row.metrics = run_policy(profiles, stream, "dysta", choice, Semantics::corrected);
            } else {
              // The study's time base is the accelerator's 200 MHz clock (Eyeriss-V2, spec M),
              // independent of the scheduler clock dysta_hw defaults to.
              ParamValues params = {{"score_bits", v == "dysta_hw_fp32" ? 32.0 : 16.0},
                                    {"clock_hz", 200e6}};
              auto policy = make_policy("dysta_hw", params, Semantics::corrected);
              auto predictor = make_predictor("last_one", profiles, {}, Semantics::corrected);
              ShadowDysta shadow(debug, dynamic_cast<hw::DystaHwPolicy*>(policy.get()));
              const PolicyTraits traits = policy_registry().get("policy", "dysta_hw").traits;
              const RunResult result = simulate(profiles, stream, *policy, traits, *predictor,
                                                Semantics::corrected, &shadow);
              row.metrics = compute_metrics(profiles, stream, result);
              row.decisions = shadow.decisions;
              row.differing = shadow.differing;
              row.stats = dynamic_cast<hw::DystaHwPolicy&>(*policy).stats();
              if (debug > 0) debug = 0;
            }
            rows.push_back(row);
          }
        }
      }
    }
  }

  // Means over seeds per (set, rate, slo, policy).
  std::printf("%-10s %5s %4s %-15s %9s %8s %10s %9s %11s\n", "set", "rate", "slo", "policy", "viol",
              "antt", "differ%", "cyc/dec", "overhead%");
  std::map<std::tuple<std::string, double, double, std::string>, std::vector<const Row*>> groups;
  std::vector<std::tuple<std::string, double, double, std::string>> order;
  for (const Row& r : rows) {
    auto key = std::make_tuple(r.set, r.rate, r.slo, r.policy);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(&r);
  }
  for (const auto& key : order) {
    const auto& rs = groups[key];
    double viol = 0, antt = 0, dec = 0, diff = 0, cyc = 0, busy = 0, late = 0;
    for (const Row* r : rs) {
      viol += r->metrics.slo_violation_rate;
      antt += r->metrics.antt;
      dec += static_cast<double>(r->decisions);
      diff += static_cast<double>(r->differing);
      cyc += static_cast<double>(r->stats.decision_cycles);
      busy += (r->metrics.makespan_s - r->metrics.idle_s) * 200e6;
      late += static_cast<double>(r->stats.late_layers);
    }
    const double n = static_cast<double>(rs.size());
    const bool hw = std::get<3>(key).rfind("dysta_hw", 0) == 0;
    std::printf("%-10s %5.0f %4.0f %-15s %9.4f %8.4f ", std::get<0>(key).c_str(), std::get<1>(key),
                std::get<2>(key), std::get<3>(key).c_str(), viol / n, antt / n);
    if (hw) {
      std::printf("%10.3f %9.1f %11.5f\n", 100 * diff / dec, cyc / dec, 100 * cyc / busy);
    } else {
      std::printf("%10s %9s %11s\n", "-", "-", "-");
    }
    (void)late;
  }
  if (!csv.empty()) {
    std::ofstream out(csv);
    out << "set,rate,slo,seed,policy,violation_rate,antt,decisions,differing,decision_cycles,"
           "max_decision_cycles,late_layers,makespan_s,idle_s\n";
    for (const Row& r : rows) {
      out << r.set << ',' << r.rate << ',' << r.slo << ',' << r.seed << ',' << r.policy << ','
          << r.metrics.slo_violation_rate << ',' << r.metrics.antt << ',' << r.decisions << ','
          << r.differing << ',' << r.stats.decision_cycles << ',' << r.stats.max_decision_cycles
          << ',' << r.stats.late_layers << ',' << r.metrics.makespan_s << ',' << r.metrics.idle_s
          << '\n';
    }
  }
  return 0;
}
