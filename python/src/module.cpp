// The C++ half of `import dysta` (docs/python.md): configs, profile sets, request streams, one
// run, sweeps and listings. The Python package (python/dysta/) turns what this returns into
// dicts and pandas DataFrames. Every run follows `dysta run`/`dysta sweep` step for step, so the
// results are bit-identical to the CLI's for the same config (tests: python/tests/).
//
// The GIL: runs and sweeps of built-in policies release it; a Python policy or predictor takes
// it for each call. A sweep runs its points with Python components on the calling thread while
// the other points run on the worker threads.
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "components.h"
#include "dysta/atomic_output.h"
#include "dysta/benchmark/scenarios.h"
#include "dysta/bound.h"
#include "dysta/config.h"
#include "dysta/error.h"
#include "dysta/experiment.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/report.h"
#include "dysta/sweep_merge.h"
#include "dysta/sweep_runner.h"
#include "dysta/timeline.h"
#include "dysta/workload.h"
#include "py_scheduler.h"
#include "types.h"

namespace py = pybind11;
namespace fs = std::filesystem;

namespace dysta::python {
namespace {

// A resolved config: the file it came from, the overrides applied (key=value, as `--set`), and
// the result of load_config().
struct ConfigHandle {
  std::string file;
  std::vector<std::string> overrides;
  Config config;
};

ConfigHandle load(const std::string& file, const std::vector<std::string>& overrides) {
  const fs::path path = file.empty() ? default_config_path() : fs::path(file);
  Config config = load_config(path, overrides);
  if (config.profiles.empty()) {
    throw InputError(path.string(), 0, "profiles", "not set (give profiles= or a config key)");
  }
  return {path.string(), overrides, std::move(config)};
}

fs::path scenario_path(const std::string& name) {
  const fs::path dir = benchmark::default_scenario_dir();
  const fs::path file = dir / (name + ".yaml");
  if (fs::is_regular_file(file)) return file;
  std::string valid;
  for (const auto& s : benchmark::read_scenarios(dir))
    valid += (valid.empty() ? "" : ", ") + s.name;
  throw InputError("", 0, "scenario", "unknown scenario '" + name + "' (valid: " + valid + ")");
}

Profiles load_set(const std::string& path, const SangerConfig& sanger) {
  ProfileLoadOptions options;
  options.sanger = sanger;
  auto set = std::make_shared<const ProfileSet>(load_profiles(path, options));
  return {std::move(set), path};
}

// A vector handed to numpy without a copy (the array owns it).
template <typename T>
py::array_t<T> to_numpy(std::vector<T>&& values) {
  auto* heap = new std::vector<T>(std::move(values));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(heap->size()), heap->data(), owner);
}

// dysta.Stream: requests over one profile set.
struct Stream {
  std::shared_ptr<const ProfileSet> profiles;
  std::vector<Request> requests;
  std::string source;  // the summary's "workload" line
};

// Columns of a stream: arrival_s, model (codes), sample (ids), priority, slo_multiplier,
// deadline_s.
py::dict stream_columns(const ProfileSet& profiles, const std::vector<Request>& requests) {
  const std::size_t n = requests.size();
  std::vector<double> arrival(n), slo(n), deadline(n);
  std::vector<std::int32_t> model(n), architecture(n);
  std::vector<std::int64_t> sample(n), priority(n), index(n);
  const std::vector<std::string> archs = profiles.architectures();
  std::vector<std::int32_t> arch_of(profiles.size());
  for (std::size_t v = 0; v < profiles.size(); ++v) {
    arch_of[v] = static_cast<std::int32_t>(
        std::find(archs.begin(), archs.end(), profiles.variant(v).architecture) - archs.begin());
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Request& r = requests[i];
    index[i] = static_cast<std::int64_t>(i);
    arrival[i] = r.arrival_s;
    model[i] = static_cast<std::int32_t>(r.variant);
    architecture[i] = arch_of[r.variant];
    sample[i] = profiles.variant(r.variant).sample_ids[r.sample_pos];
    priority[i] = r.priority;
    slo[i] = r.slo_multiplier;
    deadline[i] = r.deadline_s;
  }
  std::vector<std::string> names;
  for (const auto& v : profiles.variants()) names.push_back(v.name);
  py::dict d;
  d["request"] = to_numpy(std::move(index));
  d["arrival_s"] = to_numpy(std::move(arrival));
  d["model"] = to_numpy(std::move(model));
  d["architecture"] = to_numpy(std::move(architecture));
  d["sample"] = to_numpy(std::move(sample));
  d["priority"] = to_numpy(std::move(priority));
  d["slo_multiplier"] = to_numpy(std::move(slo));
  d["deadline_s"] = to_numpy(std::move(deadline));
  d["models"] = names;
  d["architectures"] = archs;
  return d;
}

// Forwards engine events to several observers.
class Fanout final : public EngineObserver {
 public:
  explicit Fanout(std::vector<EngineObserver*> observers) : observers_(std::move(observers)) {}
  bool wants_decisions() const override {
    for (auto* o : observers_) {
      if (o->wants_decisions()) return true;
    }
    return false;
  }
  void on_admit(std::uint32_t request, double now_s) override {
    for (auto* o : observers_) o->on_admit(request, now_s);
  }
  void on_decision(const DecisionContext& ctx, std::size_t chosen) override {
    for (auto* o : observers_) o->on_decision(ctx, chosen);
  }
  void on_layer(std::uint32_t request, std::uint32_t layer, double start_s, double end_s) override {
    for (auto* o : observers_) o->on_layer(request, layer, start_s, end_s);
  }
  void on_finish(std::uint32_t request, double finish_s) override {
    for (auto* o : observers_) o->on_finish(request, finish_s);
  }

 private:
  std::vector<EngineObserver*> observers_;
};

// Every executed layer, in execution order (the timeline as columns).
class LayerRecorder final : public EngineObserver {
 public:
  bool wants_decisions() const override { return false; }
  void on_layer(std::uint32_t request, std::uint32_t layer, double start_s, double end_s) override {
    request_.push_back(request);
    layer_.push_back(layer);
    start_.push_back(start_s);
    end_.push_back(end_s);
  }
  std::vector<std::uint32_t> request_, layer_;
  std::vector<double> start_, end_;
};

// One run's results (dysta.run()).
struct RunOutput {
  ConfigHandle config;
  Profiles profiles;
  std::vector<Request> requests;
  std::string workload;
  RunResult raw;
  RunMetrics metrics;
  bool has_decisions = false, has_timeline = false;
  std::string decisions_csv, timeline_json;
  LayerRecorder layers;

  // summary.json as `dysta run` writes it.
  std::string summary_json() const {
    const Config& c = config.config;
    nlohmann::json summary;
    summary["dysta_version"] = DYSTA_VERSION;
    if (!c.description.empty()) summary["description"] = c.description;
    if (!c.scenario.empty()) summary["scenario"] = c.scenario;
    summary["profiles"] = c.profiles;
    summary["semantics"] = to_string(c.semantics);
    summary["policy"] = c.policy;
    summary["predictor"] = c.predictor;
    summary["workload"] = workload;
    if (c.drop != DropRule::none) summary["drop"] = to_string(c.drop);
    summary["bound"] = bound_json(stream_bound(*profiles.set, requests));
    summary["metrics"] = metrics_json(metrics);
    return summary.dump(2) + "\n";
  }
};

bool needs_gil(const Config& c) {
  return is_python_policy(c.policy) || is_python_predictor(c.predictor);
}

std::unique_ptr<RunOutput> run(const ConfigHandle& handle, const Profiles* given,
                               const Stream* stream, bool decisions, bool timeline,
                               const std::string& timeline_tracks) {
  auto out = std::make_unique<RunOutput>();
  out->config = handle;
  const Config& config = out->config.config;
  std::optional<py::gil_scoped_release> nogil;
  if (!needs_gil(config)) nogil.emplace();

  out->profiles = given ? *given : load_set(config.profiles, config.sanger);
  const ProfileSet& profiles = *out->profiles.set;
  const PolicyChoice choice{config.predictor, config.predictor_params, config.policy_params,
                            config.drop};
  validate_choice({config.policy}, choice, profiles, config.semantics);
  const TimelineTracks tracks = parse_timeline_tracks(timeline_tracks);
  if (stream) {
    if (stream->profiles != out->profiles.set) {
      throw InputError("", 0, "stream", "made from another profile set than the run's");
    }
    out->requests = stream->requests;
    out->workload = stream->source;
  } else if (!config.workload.trace.empty()) {
    out->requests = read_trace(config.workload.trace, profiles);
    out->workload = "trace " + config.workload.trace;
  } else {
    PyRandom rng(config.workload.seed);
    out->requests =
        generate_poisson_stream(profiles, stream_spec(config, profiles), rng, config.semantics);
    out->workload = fmt::format("Poisson {} req/s, SLO x{}, seed {}", config.workload.rate,
                                config.workload.slo_multiplier, config.workload.seed);
  }
  const std::vector<Request>& requests = out->requests;
  if (!decisions && !timeline) {
    out->metrics =
        run_policy(profiles, requests, config.policy, choice, config.semantics, &out->raw);
    return out;
  }
  // As `dysta run --decisions/--timeline` (cmd_run.cpp): observers on run_policy's bus, plus the
  // layer recorder.
  std::optional<DecisionLog> log;
  std::optional<TimelineRecorder> recorder;
  std::vector<EngineObserver*> observers;
  if (timeline) {
    recorder.emplace(profiles, requests, tracks);
    observers.push_back(&*recorder);
    observers.push_back(&out->layers);
  }
  if (decisions) observers.push_back(&log.emplace(profiles));
  out->metrics =
      run_policy(profiles, requests, config.policy, choice, config.semantics, &out->raw, observers);
  if (log) {
    out->has_decisions = true;
    out->decisions_csv = log->csv();
  }
  if (recorder) {
    out->has_timeline = true;
    out->timeline_json = recorder->json();
  }
  return out;
}

py::dict request_columns(const RunOutput& r) {
  const ProfileSet& profiles = *r.profiles.set;
  py::dict d = stream_columns(profiles, r.requests);
  const std::size_t n = r.requests.size();
  std::vector<double> first(n), finish(n), turnaround(n), isolated(n), normalized(n);
  std::vector<std::uint8_t> violated(n);
  // The expressions of requests_csv() (report.cpp), in the same order.
  for (std::size_t i = 0; i < n; ++i) {
    const Request& q = r.requests[i];
    isolated[i] = profiles.variant(q.variant).remaining(q.sample_pos)[0];
    first[i] = r.raw.first_start_s[i];
    finish[i] = r.raw.finish_s[i];
    turnaround[i] = finish[i] - q.arrival_s;
    normalized[i] = turnaround[i] / isolated[i];
    violated[i] = finish[i] > q.deadline_s ? 1 : 0;
  }
  d["first_start_s"] = to_numpy(std::move(first));
  d["finish_s"] = to_numpy(std::move(finish));
  d["turnaround_s"] = to_numpy(std::move(turnaround));
  d["isolated_s"] = to_numpy(std::move(isolated));
  d["normalized_turnaround"] = to_numpy(std::move(normalized));
  d["violated"] = to_numpy(std::move(violated));
  return d;
}

void save(const RunOutput& r, const fs::path& dir) {
  const ProfileSet& profiles = *r.profiles.set;
  std::vector<std::pair<std::string, std::string>> files{
      {"requests.csv", requests_csv(profiles, r.requests, r.raw)},
      {"trace.csv", format_trace(r.requests, profiles)},
      {"summary.json", r.summary_json()},
      {"config.yaml", to_yaml(r.config.config)}};
  write_folder_atomically(dir, [&](const fs::path& tmp) {
    for (const auto& [name, contents] : files) write_file_atomically(tmp / name, contents);
  });
}

// The files `dysta sweep --out` writes beside points/ (apps/dysta/cmd_sweep.cpp).
void write_merged(const Config& config, const fs::path& dir,
                  const std::vector<MergedPoint>& merged) {
  nlohmann::json summary = merged_json(merged);
  summary["dysta_version"] = DYSTA_VERSION;
  if (!config.description.empty()) summary["description"] = config.description;
  summary["requests_per_point"] = config.workload.requests;
  std::vector<MergedPoint> sorted = merged;
  sort_points(sorted);
  sorted.erase(
      std::unique(sorted.begin(), sorted.end(),
                  [](const MergedPoint& a, const MergedPoint& b) { return a.key == b.key; }),
      sorted.end());
  write_file_atomically(dir / "results.csv", merged_csv(sorted));
  write_file_atomically(dir / "summary.json", summary.dump(2) + "\n");
  write_file_atomically(dir / "table.txt", merged_table(merged));
  write_file_atomically(dir / "config.yaml", to_yaml(config));
}

// Runs a config's sweep; returns (merged CSV, artifact-style table). With `out`, writes what
// `dysta sweep --out` writes (points resume unless `force`).
std::pair<std::string, std::string> sweep(const ConfigHandle& handle,
                                          std::optional<unsigned> threads, const std::string& out,
                                          bool force, bool write_requests) {
  Config config = handle.config;
  if (threads) config.sweep.threads = *threads;
  std::optional<SweepPlan> plan;
  std::optional<PointStore> store;
  std::vector<std::size_t> builtin, in_python;
  std::vector<std::optional<RunMetrics>> builtin_results, python_results;
  std::exception_ptr builtin_failure, python_failure;
  {
    py::gil_scoped_release nogil;
    plan.emplace(expand_sweep(config, handle.file));
    if (!out.empty()) store.emplace(out);
    for (const std::size_t i :
         pending_points(*plan, store ? &*store : nullptr, Shard{}, force || !store)) {
      const PointConfig& p = plan->points[i];
      (is_python_policy(p.policy) || is_python_predictor(p.predictor) ? in_python : builtin)
          .push_back(i);
    }
    LocalQueue builtin_queue(builtin), python_queue(in_python);
    const PointStore* store_ptr = store ? &*store : nullptr;
    std::thread pool;
    if (!builtin.empty()) {
      pool = std::thread([&] {
        try {
          run_points(*plan, builtin_queue,
                     {config.sweep.threads, store_ptr, write_requests, nullptr}, &builtin_results);
        } catch (...) {
          builtin_failure = std::current_exception();
        }
      });
    }
    if (!in_python.empty()) {
      try {
        py::gil_scoped_acquire gil;
        run_points(*plan, python_queue, {1, store_ptr, write_requests, nullptr}, &python_results);
      } catch (...) {
        python_failure = std::current_exception();
        builtin_queue.abort();
      }
    }
    if (pool.joinable()) pool.join();
  }
  if (python_failure) std::rethrow_exception(python_failure);
  if (builtin_failure) std::rethrow_exception(builtin_failure);

  py::gil_scoped_release nogil;
  std::vector<MergedPoint> merged;
  if (store) {
    merged = collect_plan(*plan, *store);
    write_merged(config, out, merged);
  } else {
    std::vector<std::optional<RunMetrics>> results(plan->points.size());
    for (const std::size_t i : builtin) results[i] = builtin_results[i];
    for (const std::size_t i : in_python) results[i] = python_results[i];
    // A key met twice ran once (pending_points() hands each key out once).
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i]) continue;
      for (std::size_t j = 0; j < results.size(); ++j) {
        if (results[j] && plan->keys[j] == plan->keys[i]) {
          results[i] = results[j];
          break;
        }
      }
    }
    merged = collect_results(*plan, results);
  }
  return {merged_csv(merged), merged_table(merged)};
}

py::list params_list(const std::vector<ParamSpec>& specs) {
  py::list out;
  for (const auto& p : specs) out.append(py::make_tuple(p.name, p.default_value, p.help));
  return out;
}

}  // namespace

void init_module(py::module_& m) {
  m.doc() = "C++ core of the dysta Python package (use `import dysta`)";
  m.attr("__version__") = DYSTA_VERSION;

  // dysta.InputError: bad input, with the one-line message of the CLI ("file:line: field: ...")
  // and its parts as attributes. Never destroyed (module state lives as long as the process).
  static auto* input_error = new py::exception<InputError>(m, "InputError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      const py::object exc = py::handle(input_error->ptr())(e.what());
      exc.attr("file") = e.file();
      exc.attr("line") = e.line();
      exc.attr("field") = e.field();
      exc.attr("message") = e.message();
      PyErr_SetObject(input_error->ptr(), exc.ptr());
    }
  });

  bind_components(m);
  bind_scheduler(m);

  m.def(
      "data_dir", [] { return data_dir(); }, "the data folder (DYSTA_DATA_DIR or the source's)");
  m.def("default_config_path", [] { return default_config_path(); });
  m.def("_scenario_path", &scenario_path, py::arg("name"));

  py::class_<ConfigHandle>(m, "Config", "A resolved experiment config (docs/config.md)")
      .def_readonly("file", &ConfigHandle::file, "the YAML file it was loaded from")
      .def_readonly("overrides", &ConfigHandle::overrides, "key=value overrides applied, in order")
      .def_property_readonly(
          "yaml", [](const ConfigHandle& c) { return to_yaml(c.config); },
          "the fully resolved config as YAML (config.yaml of a run)")
      .def_property_readonly("description",
                             [](const ConfigHandle& c) { return c.config.description; })
      .def_property_readonly("scenario", [](const ConfigHandle& c) { return c.config.scenario; })
      .def_property_readonly("profiles", [](const ConfigHandle& c) { return c.config.profiles; })
      .def_property_readonly("semantics",
                             [](const ConfigHandle& c) { return to_string(c.config.semantics); })
      .def_property_readonly("policy", [](const ConfigHandle& c) { return c.config.policy; })
      .def_property_readonly("policy_params",
                             [](const ConfigHandle& c) { return c.config.policy_params; })
      .def_property_readonly("predictor", [](const ConfigHandle& c) { return c.config.predictor; })
      .def_property_readonly("predictor_params",
                             [](const ConfigHandle& c) { return c.config.predictor_params; })
      .def_property_readonly("output", [](const ConfigHandle& c) { return c.config.output; })
      .def_property_readonly("sanger",
                             [](const ConfigHandle& c) {
                               const SangerConfig& s = c.config.sanger;
                               py::dict d;
                               d["pe_rows"] = s.pe_rows;
                               d["pe_cols"] = s.pe_cols;
                               d["pes_per_row"] = s.pes_per_row;
                               d["bytes_per_value"] = s.bytes_per_value;
                               d["clock_hz"] = s.clock_hz;
                               d["bandwidth_gb_s"] = s.bandwidth_gb_s;
                               d["hidden"] = s.hidden;
                               d["seq_len"] = s.seq_len;
                               d["subrow_fraction"] = s.subrow_fraction;
                               return d;
                             })
      .def_property_readonly("workload",
                             [](const ConfigHandle& c) {
                               const WorkloadConfig& w = c.config.workload;
                               py::dict d;
                               d["rate"] = w.rate;
                               d["requests"] = w.requests;
                               d["slo_multiplier"] = w.slo_multiplier;
                               d["seed"] = w.seed;
                               d["priorities"] = w.priorities;
                               d["mix"] = w.mix;
                               d["trace"] = w.trace;
                               return d;
                             })
      .def_property_readonly("sweep", [](const ConfigHandle& c) {
        const SweepConfig& s = c.config.sweep;
        py::dict d;
        d["profiles"] = s.profiles;
        std::vector<std::string> semantics;
        for (const Semantics x : s.semantics) semantics.push_back(to_string(x));
        d["semantics"] = semantics;
        d["policies"] = s.policies;
        d["predictors"] = s.predictors;
        d["rates"] = s.rates;
        d["slo_multipliers"] = s.slo_multipliers;
        d["seeds"] = s.seeds;
        d["threads"] = s.threads;
        return d;
      });
  m.def("_load_config", &load, py::arg("file"), py::arg("overrides"),
        py::call_guard<py::gil_scoped_release>());

  py::class_<Profiles>(m, "ProfileSet", "Per-variant latency and sparsity profiles (profile.h)")
      .def_readonly("path", &Profiles::path)
      .def("__len__", [](const Profiles& p) { return p.set->size(); })
      .def_property_readonly("names",
                             [](const Profiles& p) {
                               std::vector<std::string> names;
                               for (const auto& v : p.set->variants()) names.push_back(v.name);
                               return names;
                             })
      .def("_models",
           [](const Profiles& p) {
             py::dict d;
             std::vector<std::string> name, arch, pattern;
             std::vector<std::int64_t> layers, samples;
             std::vector<double> iso, arch_iso;
             for (const auto& v : p.set->variants()) {
               name.push_back(v.name);
               arch.push_back(v.architecture);
               pattern.push_back(v.pattern);
               layers.push_back(static_cast<std::int64_t>(v.num_layers));
               samples.push_back(static_cast<std::int64_t>(v.num_samples()));
               iso.push_back(v.target_latency_pattern_s);
               arch_iso.push_back(v.target_latency_model_s);
             }
             d["model"] = name;
             d["architecture"] = arch;
             d["pattern"] = pattern;
             d["layers"] = to_numpy(std::move(layers));
             d["samples"] = to_numpy(std::move(samples));
             d["mean_isolated_s"] = to_numpy(std::move(iso));
             d["architecture_mean_isolated_s"] = to_numpy(std::move(arch_iso));
             return d;
           })
      .def(
          "variant",
          [](const Profiles& p, const std::string& name) {
            const auto index = p.set->find(name);
            if (!index) throw InputError("", 0, "model", "unknown model '" + name + "'");
            const VariantProfile& v = p.set->variant(*index);
            // Views of the set's tables; the capsule keeps the set alive.
            auto* keep = new std::shared_ptr<const ProfileSet>(p.set);
            py::capsule owner(
                keep, [](void* q) { delete static_cast<std::shared_ptr<const ProfileSet>*>(q); });
            auto view = [&](const std::vector<double>& values, std::size_t rows) {
              py::array a(py::dtype::of<double>(),
                          std::vector<py::ssize_t>{static_cast<py::ssize_t>(rows),
                                                   static_cast<py::ssize_t>(values.size() / rows)},
                          values.data(), owner);
              py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
              return rows == 1 ? a.attr("reshape")(-1) : py::object(a);
            };
            const std::size_t samples = v.num_samples();
            py::dict d;
            d["name"] = v.name;
            d["architecture"] = v.architecture;
            d["pattern"] = v.pattern;
            d["index"] = *index;
            d["sample_ids"] = v.sample_ids;
            d["latency_s"] = view(v.latency_s, samples);
            d["sparsity"] = view(v.sparsity, samples);
            d["remaining_s"] = view(v.real_remaining_s, samples);
            d["avg_latency_s"] = view(v.avg_latency_s, 1);
            d["avg_sparsity"] = view(v.avg_sparsity, 1);
            d["est_remaining_pattern_s"] = view(v.est_remaining_pattern_s, 1);
            d["est_remaining_model_s"] = view(v.est_remaining_model_s, 1);
            d["target_latency_pattern_s"] = v.target_latency_pattern_s;
            d["target_latency_model_s"] = v.target_latency_model_s;
            return d;
          },
          py::arg("name"), "one variant's tables as read-only numpy views");
  m.def(
      "_load_profiles",
      [](const std::string& path, const ConfigHandle* config) {
        return load_set(path, config ? config->config.sanger : SangerConfig{});
      },
      py::arg("path"), py::arg("config"), py::call_guard<py::gil_scoped_release>());

  py::class_<Stream>(m, "Stream", "A request stream over one profile set")
      .def("__len__", [](const Stream& s) { return s.requests.size(); })
      .def_readonly("source", &Stream::source)
      .def_property_readonly("profiles",
                             [](const Stream& s) {
                               return Profiles{s.profiles, ""};
                             })
      .def("_columns", [](const Stream& s) { return stream_columns(*s.profiles, s.requests); })
      .def(
          "to_csv", [](const Stream& s) { return format_trace(s.requests, *s.profiles); },
          "the stream as a trace CSV (docs/formats.md), replayable with workload.trace");
  m.def(
      "_generate_stream",
      [](const ConfigHandle& handle, const Profiles& profiles) {
        py::gil_scoped_release nogil;
        const Config& config = handle.config;
        PyRandom rng(config.workload.seed);
        Stream s{profiles.set,
                 generate_poisson_stream(*profiles.set, stream_spec(config, *profiles.set), rng,
                                         config.semantics),
                 fmt::format("Poisson {} req/s, SLO x{}, seed {}", config.workload.rate,
                             config.workload.slo_multiplier, config.workload.seed)};
        return s;
      },
      py::arg("config"), py::arg("profiles"));
  m.def(
      "_read_trace",
      [](const std::string& path, const Profiles& profiles) {
        py::gil_scoped_release nogil;
        return Stream{profiles.set, read_trace(path, *profiles.set), "trace " + path};
      },
      py::arg("path"), py::arg("profiles"));

  py::class_<RunOutput>(m, "RunOutput")
      .def_property_readonly("config", [](const RunOutput& r) { return r.config; })
      .def_property_readonly("profiles", [](const RunOutput& r) { return r.profiles; })
      .def_property_readonly("stream",
                             [](const RunOutput& r) {
                               return Stream{r.profiles.set, r.requests, r.workload};
                             })
      .def("metrics_json", [](const RunOutput& r) { return metrics_json(r.metrics).dump(); })
      .def("summary_json", &RunOutput::summary_json)
      .def("_request_columns", &request_columns)
      .def("requests_csv",
           [](const RunOutput& r) { return requests_csv(*r.profiles.set, r.requests, r.raw); })
      .def("decisions_csv",
           [](const RunOutput& r) -> py::object {
             if (!r.has_decisions) return py::none();
             return py::str(r.decisions_csv);
           })
      .def("timeline_json",
           [](const RunOutput& r) -> py::object {
             if (!r.has_timeline) return py::none();
             return py::str(r.timeline_json);
           })
      .def("_timeline_columns",
           [](const RunOutput& r) -> py::object {
             if (!r.has_timeline) return py::none();
             std::vector<std::int64_t> request(r.layers.request_.begin(), r.layers.request_.end());
             std::vector<std::int64_t> layer(r.layers.layer_.begin(), r.layers.layer_.end());
             std::vector<std::int32_t> model;
             for (const auto q : r.layers.request_) {
               model.push_back(static_cast<std::int32_t>(r.requests[q].variant));
             }
             py::dict d;
             d["request"] = to_numpy(std::move(request));
             d["model"] = to_numpy(std::move(model));
             d["layer"] = to_numpy(std::move(layer));
             d["start_s"] = to_numpy(std::vector<double>(r.layers.start_));
             d["end_s"] = to_numpy(std::vector<double>(r.layers.end_));
             return d;
           })
      .def("save", &save, py::arg("dir"), py::call_guard<py::gil_scoped_release>());
  m.def(
      "_run",
      [](const ConfigHandle& config, const Profiles* profiles, const Stream* stream, bool decisions,
         bool timeline, const std::string& tracks) {
        return run(config, profiles, stream, decisions, timeline, tracks);
      },
      py::arg("config"), py::arg("profiles"), py::arg("stream"), py::arg("decisions"),
      py::arg("timeline"), py::arg("timeline_tracks"));
  m.def("_sweep", &sweep, py::arg("config"), py::arg("threads"), py::arg("out"), py::arg("force"),
        py::arg("write_requests"));

  m.def("_policies", [] {
    py::list out;
    for (const PolicyInfo* p : policy_registry().all()) {
      out.append(py::make_tuple(p->name, p->description, p->traits.pattern_aware, p->traits.monitor,
                                params_list(p->params), is_python_policy(p->name)));
    }
    return out;
  });
  m.def("_predictors", [] {
    py::list out;
    for (const PredictorInfo* p : predictor_registry().all()) {
      out.append(py::make_tuple(p->name, p->description, params_list(p->params),
                                is_python_predictor(p->name)));
    }
    return out;
  });
  m.def("_scenarios", [] {
    py::list out;
    for (const auto& s : benchmark::read_scenarios(benchmark::default_scenario_dir())) {
      py::dict d;
      d["name"] = s.name;
      d["summary"] = s.summary;
      d["accelerator"] = s.accelerator;
      d["data"] = s.data;
      d["variants"] = s.variants;
      d["rate"] = s.rate;
      d["utilisation"] = s.utilisation;
      d["file"] = s.file.string();
      out.append(d);
    }
    return out;
  });
}

}  // namespace dysta::python

PYBIND11_MODULE(_dysta, m) {
  dysta::python::init_module(m);
}
