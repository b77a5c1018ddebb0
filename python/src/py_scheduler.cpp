// dysta.Scheduler: the push-style Scheduler (dysta/scheduler.h, issue 14) driven from Python, so
// a Python serving loop (or a real runtime) decides with any registered policy, built-in or
// Python.
#include "py_scheduler.h"

#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "dysta/error.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/scheduler.h"
#include "dysta/workload.h"
#include "types.h"

namespace py = pybind11;

namespace dysta::python {
namespace {

// Owns what the Scheduler refers to: the profile set, the policy, the predictor, the oracle.
class PyScheduler {
 public:
  PyScheduler(const Profiles& profiles, const std::string& policy, const std::string& predictor,
              const std::string& semantics, const ParamValues& policy_params,
              const ParamValues& predictor_params, bool oracle)
      : profiles_(profiles), policy_name_(policy) {
    const Semantics s = parse_semantics(semantics);
    const PolicyInfo& info = policy_registry().get("policy", policy);
    policy_ = make_policy(policy, policy_params, s);
    predictor_ = make_predictor(predictor, *profiles_.set, predictor_params, s);
    SchedulerOptions options;
    if (oracle) {
      oracle_.emplace(*profiles_.set);
      options.oracle = &*oracle_;
    } else if (info.traits.oracle) {
      throw InputError("", 0, "oracle",
                       "policy '" + policy + "' reads true latencies: give oracle=True");
    }
    scheduler_ = std::make_unique<Scheduler>(*profiles_.set, *policy_, info.traits, *predictor_,
                                             std::move(options));
  }

  std::uint32_t admit(const py::object& model, std::int64_t sample, double arrival_s,
                      std::optional<double> now_s, int priority, double slo_multiplier) {
    const ProfileSet& set = *profiles_.set;
    Request r;
    if (py::isinstance<py::str>(model)) {
      const auto v = set.find(model.cast<std::string>());
      if (!v) {
        throw InputError("", 0, "model", "unknown model '" + model.cast<std::string>() + "'");
      }
      r.variant = static_cast<std::uint32_t>(*v);
    } else {
      const auto v = model.cast<std::int64_t>();
      if (v < 0 || static_cast<std::size_t>(v) >= set.size()) {
        throw InputError("", 0, "model", "variant index out of range");
      }
      r.variant = static_cast<std::uint32_t>(v);
    }
    const auto pos = set.variant(r.variant).sample_position(sample);
    if (!pos) {
      throw InputError(
          "", 0, "sample",
          "model '" + set.variant(r.variant).name + "' has no sample " + std::to_string(sample));
    }
    r.sample_pos = static_cast<std::uint32_t>(*pos);
    r.arrival_s = arrival_s;
    r.priority = priority;
    r.slo_multiplier = slo_multiplier;
    r.deadline_s = deadline_for(r, set);
    return scheduler_->admit(r, now_s.value_or(arrival_s));
  }

  py::dict next(double now_s) {
    const ScheduledLayer l = scheduler_->next(now_s);
    py::dict d;
    d["task"] = l.task;
    d["layer"] = l.layer;
    d["start_s"] = l.start_s;
    d["variant"] = l.variant;
    d["model"] = profiles_.set->variant(l.variant).name;
    d["sample_pos"] = l.sample_pos;
    return d;
  }

  bool layer_done(std::uint32_t task, double sparsity, double now_s) {
    return scheduler_->layer_done(task, sparsity, now_s);
  }

  py::list finished() const {
    py::list out;
    for (const Completion& c : scheduler_->finished()) {
      py::dict d;
      d["task"] = c.task;
      d["model"] = profiles_.set->variant(c.request.variant).name;
      d["arrival_s"] = c.request.arrival_s;
      d["deadline_s"] = c.request.deadline_s;
      d["first_start_s"] = c.first_start_s;
      d["finish_s"] = c.finish_s;
      out.append(d);
    }
    return out;
  }
  void clear_finished() { scheduler_->clear_finished(); }
  std::size_t ready() const { return scheduler_->ready(); }
  bool running() const { return scheduler_->running(); }
  py::dict stats() const {
    const SchedulerStats& s = scheduler_->stats();
    py::dict d;
    d["admitted"] = s.admitted;
    d["requests"] = s.requests;
    d["layers_executed"] = s.layers_executed;
    d["decisions"] = s.decisions;
    d["max_ready"] = s.max_ready;
    d["first_arrival_s"] = s.first_arrival_s;
    d["last_finish_s"] = s.last_finish_s;
    return d;
  }

 private:
  Profiles profiles_;
  std::string policy_name_;
  std::unique_ptr<Policy> policy_;
  std::unique_ptr<Predictor> predictor_;
  std::optional<ProfileOracle> oracle_;
  std::unique_ptr<Scheduler> scheduler_;  // last: destroyed first
};

}  // namespace

void bind_scheduler(py::module_& m) {
  py::class_<PyScheduler>(m, "Scheduler", R"(The push-style scheduler (scheduler.h): admit
requests as they arrive, ask next() which task runs a layer, report layer_done() with the
measured sparsity. Any registered policy and predictor, built-in or Python.)")
      .def(py::init<const Profiles&, const std::string&, const std::string&, const std::string&,
                    const ParamValues&, const ParamValues&, bool>(),
           py::arg("profiles"), py::arg("policy") = "dysta", py::arg("predictor") = "average",
           py::arg("semantics") = "corrected", py::arg("policy_params") = ParamValues{},
           py::arg("predictor_params") = ParamValues{}, py::arg("oracle") = false)
      .def("admit", &PyScheduler::admit, py::arg("model"), py::arg("sample"), py::arg("arrival_s"),
           py::arg("now_s") = py::none(), py::arg("priority") = 1, py::arg("slo_multiplier") = 10.0,
           "adds a request (model name or index, sample id); returns its task number")
      .def("next", &PyScheduler::next, py::arg("now_s"),
           "the layer to run next: {task, layer, start_s, variant, model, sample_pos}")
      .def("layer_done", &PyScheduler::layer_done, py::arg("task"), py::arg("sparsity"),
           py::arg("now_s"), "the running layer ended; True when its task finished")
      .def("finished", &PyScheduler::finished, "completed requests since clear_finished()")
      .def("clear_finished", &PyScheduler::clear_finished)
      .def_property_readonly("ready", &PyScheduler::ready)
      .def_property_readonly("running", &PyScheduler::running)
      .def_property_readonly("stats", &PyScheduler::stats);
}

}  // namespace dysta::python
