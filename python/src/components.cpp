#include "components.h"

#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstddef>
#include <memory>
#include <set>
#include <span>
#include <stdexcept>
#include <vector>

#include "dysta/error.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "types.h"

namespace py = pybind11;

namespace dysta::python {
namespace {

// Names registered from Python. Never destroyed: the registries outlive the interpreter.
std::set<std::string>& python_policies() {
  static auto* names = new std::set<std::string>;
  return *names;
}
std::set<std::string>& python_predictors() {
  static auto* names = new std::set<std::string>;
  return *names;
}

// A strided 1-D view of one field of an array of structs; `owner` (the Python object the memory
// belongs to, or that guards it) becomes the array's base, so nothing is copied.
template <typename T>
py::array column(py::handle owner, const T* first, std::size_t n, std::size_t stride,
                 bool writeable) {
  py::array a(py::dtype::of<T>(), {n}, {stride}, first, owner);
  if (!writeable) {
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  }
  return a;
}

// dysta.Decision: what select() sees. Made by the engine for a Python policy (a view of the
// engine's ready tasks, valid only until select() returns) or from Python arrays (to call a
// policy directly, e.g. to time it).
class Decision {
 public:
  Decision(const DecisionContext& ctx) : ctx_(ctx) {}
  Decision(py::array tasks, double now_s, py::object state) {
    const py::dtype task_dtype = py::dtype::of<TaskView>();
    if (!tasks.dtype().equal(task_dtype) || tasks.ndim() != 1 ||
        !(tasks.flags() & py::array::c_style)) {
      throw py::type_error("tasks must be a 1-D C-contiguous array of dtype dysta.TASK_DTYPE");
    }
    if (tasks.shape(0) == 0) throw py::value_error("a decision needs at least one ready task");
    const auto n = static_cast<std::size_t>(tasks.shape(0));
    py::array st;
    if (state.is_none()) {
      st = py::array(py::dtype::of<PolicyTaskState>(),
                     std::vector<py::ssize_t>{static_cast<py::ssize_t>(n)});
      auto* s = static_cast<PolicyTaskState*>(st.mutable_data());
      for (std::size_t i = 0; i < n; ++i) s[i] = PolicyTaskState{};
    } else {
      st = state.cast<py::array>();
      if (!st.dtype().equal(py::dtype::of<PolicyTaskState>()) || st.ndim() != 1 ||
          static_cast<std::size_t>(st.shape(0)) != n || !(st.flags() & py::array::c_style) ||
          !st.writeable()) {
        throw py::type_error(
            "state must be a writeable 1-D C-contiguous array of dtype dysta.STATE_DTYPE with one "
            "entry per task");
      }
    }
    tasks_owner_ = tasks;
    state_owner_ = st;
    ctx_.now_s = now_s;
    ctx_.tasks = {static_cast<const TaskView*>(tasks.data()), n};
    ctx_.state = {static_cast<PolicyTaskState*>(st.mutable_data()), n};
  }

  const DecisionContext& context() const {
    if (!valid_) {
      throw std::runtime_error(
          "dysta.Decision used after its select() returned (its arrays were views of that "
          "decision; copy what you keep)");
    }
    return ctx_;
  }
  void invalidate() { valid_ = false; }
  std::size_t size() const { return context().tasks.size(); }

 private:
  DecisionContext ctx_;
  py::object tasks_owner_, state_owner_;  // decisions made from Python: their arrays
  bool valid_ = true;
};

// dysta.PredictorState: one task's predictor memory (predictor.h), a view valid during
// observe(), or owned when made from Python.
class StateRef {
 public:
  explicit StateRef(PredictorState* state) : state_(state) {}
  StateRef() : owned_(std::make_unique<PredictorState>()), state_(owned_.get()) {}
  PredictorState& get() const {
    if (!state_) {
      throw std::runtime_error("dysta.PredictorState used after its observe() returned");
    }
    return *state_;
  }
  void invalidate() { state_ = nullptr; }

 private:
  std::unique_ptr<PredictorState> owned_;
  PredictorState* state_;
};

// A Python object with select(ctx) -> index, and optionally scores(ctx) -> array and bind(set).
class PyPolicy final : public Policy, public PolicyScores {
 public:
  PyPolicy(std::string name, py::object object) : name_(std::move(name)), object_(object) {
    select_ = object.attr("select");
    if (py::hasattr(object, "scores")) scores_ = object.attr("scores");
    if (py::hasattr(object, "score_wins")) {
      const auto wins = object.attr("score_wins").cast<std::string>();
      if (wins != "min" && wins != "max") {
        throw InputError("", 0, "policy", "'" + name_ + "': score_wins must be 'min' or 'max'");
      }
      order_ = wins == "min" ? ScoreOrder::smallest_wins : ScoreOrder::largest_wins;
    }
  }
  ~PyPolicy() override {
    py::gil_scoped_acquire gil;
    select_ = py::object();
    scores_ = py::object();
    object_ = py::object();
  }

  std::size_t select(const DecisionContext& ctx) override {
    py::gil_scoped_acquire gil;
    auto* decision = new Decision(ctx);
    const py::object handle = py::cast(decision, py::return_value_policy::take_ownership);
    const py::object result = select_(handle);
    decision->invalidate();
    long long index = -1;
    try {
      index = result.cast<long long>();
    } catch (const py::cast_error&) {
      throw py::type_error(fmt::format("policy '{}': select() returned {}, not an integer index",
                                       name_, py::repr(result).cast<std::string>()));
    }
    if (index < 0 || static_cast<std::size_t>(index) >= ctx.tasks.size()) {
      throw py::index_error(fmt::format("policy '{}': select() returned {} with {} ready tasks",
                                        name_, index, ctx.tasks.size()));
    }
    return static_cast<std::size_t>(index);
  }

  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    py::gil_scoped_acquire gil;
    if (!scores_) return false;
    auto* decision = new Decision(ctx);
    const py::object handle = py::cast(decision, py::return_value_policy::take_ownership);
    const py::object result = scores_(handle);
    decision->invalidate();
    if (result.is_none()) return false;
    const auto values = py::array_t<double, py::array::c_style | py::array::forcecast>(result);
    if (values.ndim() != 1 || static_cast<std::size_t>(values.shape(0)) != out.size()) {
      throw py::value_error(
          fmt::format("policy '{}': scores() must return {} numbers", name_, out.size()));
    }
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = values.at(i);
    return true;
  }
  ScoreOrder score_order() const override { return order_; }

  void bind(const ProfileSet& profiles) override {
    py::gil_scoped_acquire gil;
    if (!py::hasattr(object_, "bind")) return;
    // Does not own the set: valid during this run only (types.h).
    Profiles view{std::shared_ptr<const ProfileSet>(std::shared_ptr<void>(), &profiles), ""};
    object_.attr("bind")(view);
  }

 private:
  std::string name_;
  py::object object_, select_, scores_;
  ScoreOrder order_ = ScoreOrder::smallest_wins;
};

// A Python object with observe(state, variant, layer, sparsity) -> gamma.
class PyPredictor final : public Predictor {
 public:
  explicit PyPredictor(py::object object) : object_(object), observe_(object.attr("observe")) {}
  ~PyPredictor() override {
    py::gil_scoped_acquire gil;
    observe_ = py::object();
    object_ = py::object();
  }
  double observe(PredictorState& state, std::uint32_t variant, std::uint32_t layer,
                 double measured_sparsity) const override {
    py::gil_scoped_acquire gil;
    auto* ref = new StateRef(&state);
    const py::object handle = py::cast(ref, py::return_value_policy::take_ownership);
    const py::object gamma = observe_(handle, variant, layer, measured_sparsity);
    ref->invalidate();
    return gamma.cast<double>();
  }

 private:
  py::object object_, observe_;
};

std::vector<ParamSpec> param_specs(
    const std::vector<std::tuple<std::string, double, std::string>>& p) {
  std::vector<ParamSpec> specs;
  for (const auto& [name, value, help] : p) specs.push_back({name, value, help});
  return specs;
}

py::dict to_dict(const ParamValues& params) {
  py::dict d;
  for (const auto& [k, v] : params) d[py::str(k)] = v;
  return d;
}

// The factory registered under `name` in dysta._registry (kept on the Python side so that no
// Python object is owned by the C++ registries, which outlive the interpreter).
py::object factory(const char* table, const std::string& name) {
  return py::module_::import("dysta._registry").attr(table)[py::str(name)];
}

// A policy made by name (built-in or Python) to call from Python.
struct PolicyHandle {
  std::string name;
  std::unique_ptr<Policy> policy;
};
struct PredictorHandle {
  std::string name;
  std::unique_ptr<Predictor> predictor;
};

}  // namespace

bool is_python_policy(const std::string& name) {
  return python_policies().contains(name);
}
bool is_python_predictor(const std::string& name) {
  return python_predictors().contains(name);
}

void bind_components(py::module_& m) {
  PYBIND11_NUMPY_DTYPE(TaskView, arrival_s, deadline_s, last_exec_s, est_remaining_s,
                       est_next_layer_s, est_isolated_s, real_remaining_s, real_isolated_s, gamma,
                       request, variant, layers_done, num_layers, sample_pos, priority);
  PYBIND11_NUMPY_DTYPE(PolicyTaskState, token, aux);
  m.attr("TASK_DTYPE") = py::dtype::of<TaskView>();
  m.attr("STATE_DTYPE") = py::dtype::of<PolicyTaskState>();

  py::class_<Decision> decision(m, "Decision", R"(One scheduling decision: the ready tasks in
arrival order (the tie-break order) and the policy's per-task state. Every array is a view
(no copy) valid only during the select() call it was given to.)");
  decision
      .def(py::init<py::array, double, py::object>(), py::arg("tasks"), py::arg("now_s") = 0.0,
           py::arg("state") = py::none(),
           "A decision over `tasks` (dtype dysta.TASK_DTYPE); state defaults to fresh entries")
      .def("__len__", &Decision::size)
      .def_property_readonly(
          "now_s", [](const Decision& d) { return d.context().now_s; }, "decision time (s)")
      .def_property_readonly(
          "tasks",
          [](py::handle self) {
            const auto& ctx = self.cast<const Decision&>().context();
            py::array a(py::dtype::of<TaskView>(), {ctx.tasks.size()}, {sizeof(TaskView)},
                        ctx.tasks.data(), self);
            py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
            return a;
          },
          "the ready tasks, a read-only structured array (dtype dysta.TASK_DTYPE)")
      .def_property_readonly(
          "state",
          [](py::handle self) {
            const auto& ctx = self.cast<const Decision&>().context();
            return py::array(py::dtype::of<PolicyTaskState>(), {ctx.state.size()},
                             {sizeof(PolicyTaskState)}, ctx.state.data(), self);
          },
          "the policy's per-task memory, writeable (dtype dysta.STATE_DTYPE)");
#define DYSTA_TASK_COLUMN(field, help)                                                       \
  decision.def_property_readonly(                                                            \
      #field,                                                                                \
      [](py::handle self) {                                                                  \
        const auto& ctx = self.cast<const Decision&>().context();                            \
        return column(self, &ctx.tasks[0].field, ctx.tasks.size(), sizeof(TaskView), false); \
      },                                                                                     \
      help)
  DYSTA_TASK_COLUMN(arrival_s, "arrival time (s)");
  DYSTA_TASK_COLUMN(deadline_s, "arrival + SLO (s)");
  DYSTA_TASK_COLUMN(last_exec_s, "end of the last executed layer; arrival if never run (s)");
  DYSTA_TASK_COLUMN(est_remaining_s, "estimated remaining latency Rest (s)");
  DYSTA_TASK_COLUMN(est_next_layer_s, "estimated latency of the next layer (s)");
  DYSTA_TASK_COLUMN(est_isolated_s, "estimated isolated latency IsoE (s)");
  DYSTA_TASK_COLUMN(real_remaining_s, "true remaining latency (oracles only) (s)");
  DYSTA_TASK_COLUMN(real_isolated_s, "true isolated latency (s)");
  DYSTA_TASK_COLUMN(gamma, "the predictor's scaling of est_remaining_s (monitored policies)");
  DYSTA_TASK_COLUMN(request, "index in the request stream");
  DYSTA_TASK_COLUMN(variant, "model variant index (into the profile set)");
  DYSTA_TASK_COLUMN(layers_done, "layers executed so far");
  DYSTA_TASK_COLUMN(num_layers, "layers of the model");
  DYSTA_TASK_COLUMN(sample_pos, "input sample position");
  DYSTA_TASK_COLUMN(priority, "request priority");
#undef DYSTA_TASK_COLUMN
  for (const char* field : {"token", "aux"}) {
    const bool token = std::string(field) == "token";
    decision.def_property_readonly(
        field,
        [token](py::handle self) {
          const auto& ctx = self.cast<const Decision&>().context();
          double* first = token ? &ctx.state[0].token : &ctx.state[0].aux;
          return column(self, first, ctx.state.size(), sizeof(PolicyTaskState), true);
        },
        "per-task policy memory, writeable (initially token=-1, aux=0)");
  }

  py::class_<StateRef>(m, "PredictorState",
                       "One task's predictor memory: a view valid during observe()")
      .def(py::init<>())
      .def_property(
          "sum", [](const StateRef& s) { return s.get().sum; },
          [](const StateRef& s, double v) { s.get().sum = v; }, "running sum of density ratios")
      .def_property(
          "count", [](const StateRef& s) { return s.get().count; },
          [](const StateRef& s, std::uint32_t v) { s.get().count = v; }, "layers observed")
      .def_property_readonly(
          "window",
          [](py::handle self) {
            PredictorState& s = self.cast<const StateRef&>().get();
            return column(self, s.window.data(), s.window.size(), sizeof(double), true);
          },
          "ring buffer of the most recent density ratios (16 entries, writeable)");

  py::class_<PolicyHandle>(m, "PolicyHandle", "A policy made by name, callable from Python")
      .def_readonly("name", &PolicyHandle::name)
      .def(
          "select",
          [](PolicyHandle& p, const Decision& d) { return p.policy->select(d.context()); },
          py::arg("decision"), "index of the task the policy runs next")
      .def(
          "scores",
          [](const PolicyHandle& p, const Decision& d) -> py::object {
            std::vector<double> out(d.size());
            const PolicyScores* scorer = policy_scores(*p.policy);
            if (scorer == nullptr || !scorer->scores(d.context(), out)) return py::none();
            return py::array_t<double>(static_cast<py::ssize_t>(out.size()), out.data());
          },
          py::arg("decision"), "every candidate's score (None if the policy has none)");
  m.def(
      "_make_policy",
      [](const std::string& name, const ParamValues& params, const std::string& semantics) {
        return PolicyHandle{name, make_policy(name, params, parse_semantics(semantics))};
      },
      py::arg("name"), py::arg("params"), py::arg("semantics"));

  py::class_<PredictorHandle>(m, "PredictorHandle",
                              "A predictor made by name, callable from Python")
      .def_readonly("name", &PredictorHandle::name)
      .def(
          "observe",
          [](const PredictorHandle& p, const StateRef& state, std::uint32_t variant,
             std::uint32_t layer, double sparsity) {
            return p.predictor->observe(state.get(), variant, layer, sparsity);
          },
          py::arg("state"), py::arg("variant"), py::arg("layer"), py::arg("sparsity"));
  m.def(
      "_make_predictor",
      [](const std::string& name, const Profiles& profiles, const ParamValues& params,
         const std::string& semantics) {
        return PredictorHandle{
            name, make_predictor(name, *profiles.set, params, parse_semantics(semantics))};
      },
      py::arg("name"), py::arg("profiles"), py::arg("params"), py::arg("semantics"));

  m.def(
      "_register_policy",
      [](const std::string& name, const std::string& description, bool pattern_aware, bool monitor,
         const std::vector<std::tuple<std::string, double, std::string>>& params) {
        if (policy_registry().find(name) && !is_python_policy(name)) {
          throw InputError("", 0, "policy", "'" + name + "' is a built-in policy");
        }
        PolicyInfo info{name,
                        description,
                        {pattern_aware, monitor},
                        param_specs(params),
                        [name](const ParamValues& values, Semantics semantics) {
                          py::gil_scoped_acquire gil;
                          py::object object = factory("POLICIES", name)(
                              to_dict(values), std::string(to_string(semantics)));
                          return std::unique_ptr<Policy>(new PyPolicy(name, object));
                        }};
        policy_registry().put(std::move(info));
        python_policies().insert(name);
      },
      py::arg("name"), py::arg("description"), py::arg("pattern_aware"), py::arg("monitor"),
      py::arg("params"));
  m.def(
      "_register_predictor",
      [](const std::string& name, const std::string& description,
         const std::vector<std::tuple<std::string, double, std::string>>& params) {
        if (predictor_registry().find(name) && !is_python_predictor(name)) {
          throw InputError("", 0, "predictor", "'" + name + "' is a built-in predictor");
        }
        PredictorInfo info{
            name, description, param_specs(params),
            [name](const ProfileSet& profiles, const ParamValues& values, Semantics semantics) {
              py::gil_scoped_acquire gil;
              // Does not own the set: valid during this run only (types.h).
              Profiles view{std::shared_ptr<const ProfileSet>(std::shared_ptr<void>(), &profiles),
                            ""};
              py::object object = factory("PREDICTORS", name)(view, to_dict(values),
                                                              std::string(to_string(semantics)));
              return std::unique_ptr<Predictor>(new PyPredictor(object));
            }};
        predictor_registry().put(std::move(info));
        python_predictors().insert(name);
      },
      py::arg("name"), py::arg("description"), py::arg("params"));
}

}  // namespace dysta::python
