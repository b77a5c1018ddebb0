// earliest_finish (sparsity- and SLO-aware): the eligible device where the request is estimated to
// finish first if it ran after the device's in-flight work,
//   finish_d = now + outstanding_monitored_s(d) + isolated_est_s(group of d),
// with the device's own estimates: gamma x Rest of every in-flight request (the sparsity monitor's
// gamma for monitored policies, spec C) and the request's isolated estimate on that accelerator.
// slo_fit = 1 turns it into a best fit for the SLO: among devices with finish_d <= deadline, the
// one with the LATEST estimated finish (keeping the fastest devices free for tighter requests);
// when no device meets the deadline, the earliest finish. Ties: lowest device number.
#include "dysta/cluster.h"

namespace dysta {
namespace {

class EarliestFinish final : public Dispatcher {
 public:
  explicit EarliestFinish(bool slo_fit) : slo_fit_(slo_fit) {}
  std::uint32_t choose(const DispatchContext& ctx) override {
    std::uint32_t earliest = ctx.eligible[0];
    double earliest_s = finish(ctx, earliest);
    bool fits = false;
    std::uint32_t fit = 0;
    double fit_s = 0;
    for (const std::uint32_t d : ctx.eligible) {
      const double f = finish(ctx, d);
      if (f < earliest_s) {
        earliest = d;
        earliest_s = f;
      }
      if (slo_fit_ && f <= ctx.request->deadline_s && (!fits || f > fit_s)) {
        fits = true;
        fit = d;
        fit_s = f;
      }
    }
    return fits ? fit : earliest;
  }

 private:
  static double finish(const DispatchContext& ctx, std::uint32_t d) {
    const DeviceState& s = ctx.devices[d];
    return ctx.now_s + s.outstanding_monitored_s + ctx.isolated_est_s[s.group];
  }
  bool slo_fit_;
};

DYSTA_REGISTER_DISPATCHER(
    {"earliest_finish",
     "earliest estimated finish with the devices' sparsity-monitored estimates (slo_fit=1: "
     "latest finish that meets the SLO)",
     {{"slo_fit", 0, "1: best fit for the deadline instead of earliest finish", 0, 1, true}},
     [](const ParamValues& p, const Cluster&) {
       return std::make_unique<EarliestFinish>(p.at("slo_fit") != 0);
     }});

}  // namespace
}  // namespace dysta
