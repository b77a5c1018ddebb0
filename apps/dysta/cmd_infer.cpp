// `dysta infer`: runs a real pretrained model (fetched by scripts/fetch-models.sh) on images or
// rendered text lines, prints its reading and optionally dumps the per-layer sparsity as CSV.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>

#include "commands.h"
#include "dysta/error.h"
#include "dysta/inference/models.h"
#include "dysta/inference/sparsity.h"
#include "dysta/inference/text_render.h"

namespace dysta::cli {
namespace {
namespace inf = dysta::inference;

// Wall time per operator type, measured between consecutive layer events.
class OpTimer final : public inf::LayerObserver {
 public:
  void on_layer(const inf::LayerEvent& e) override {
    const auto now = std::chrono::steady_clock::now();
    if (e.index > 0) seconds_[e.layer.op] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }
  void print() const {
    std::vector<std::pair<double, std::string>> rows;
    for (const auto& [op, s] : seconds_) rows.emplace_back(s, op);
    std::sort(rows.rbegin(), rows.rend());
    for (const auto& [s, op] : rows) std::cout << fmt::format("  {:<22} {:9.2f} ms\n", op, s * 1e3);
  }

 private:
  std::chrono::steady_clock::time_point last_;
  std::map<std::string, double> seconds_;
};

struct InferFlags {
  std::string model;
  std::vector<std::string> images;
  std::vector<std::string> texts;
  std::string text_file;
  std::vector<int> tokens = {20, 50, 100, 200, 400};
  std::size_t lines = 5;
  std::string dump;
  std::string cache;
  int repeat = 1;
  bool list = false;
  bool profile = false;
  inference::TextStyle style;
};

void infer(const InferFlags& f) {
  inf::AssetPaths paths;
  if (!f.cache.empty()) paths.cache = f.cache;
  if (f.list) {
    std::cout << fmt::format(
        "cache: {} ({})\n", paths.cache.string(),
        paths.complete() ? "complete" : "incomplete: run scripts/fetch-models.sh");
    for (const inf::ModelInfo& m : inf::real_models()) {
      std::cout << fmt::format("  {:<18} {}\n", m.name, m.description);
    }
    return;
  }
  if (f.model.empty()) throw InputError("", 0, "--model", "required (see `dysta infer --list`)");
  if (f.images.empty() && f.texts.empty() && f.text_file.empty()) {
    throw InputError("", 0, "--image", "give at least one --image, --text or --text-file");
  }
  if (f.repeat < 1) throw InputError("", 0, "--repeat", "must be >= 1");
  const std::unique_ptr<inf::RealModel> model = inf::load_real_model(f.model, paths);

  std::vector<std::pair<std::string, inf::Image>> inputs;
  for (const std::string& path : f.images) inputs.emplace_back(path, inf::load_image(path));
  const inf::TextRenderer renderer(f.style);
  std::vector<std::string> texts = f.texts;
  if (!f.text_file.empty()) {
    std::ifstream in(f.text_file);
    if (!in) throw InputError(f.text_file, 0, "--text-file", "cannot open file");
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    for (const int t : f.tokens) {
      if (t < 1) throw InputError("", 0, "--tokens", "token budgets must be >= 1");
    }
    for (const std::string& line : renderer.lines_for_tokens(text, f.tokens, f.lines)) {
      texts.push_back(line);
    }
  }
  for (const std::string& text : texts) inputs.emplace_back("text:" + text, renderer.render(text));

  std::ofstream csv;
  if (!f.dump.empty()) {
    csv.open(f.dump);
    if (!csv) throw InputError(f.dump, 0, "--dump-sparsity", "cannot write file");
    inf::write_sparsity_csv_header(csv);
  }
  double seconds = 0.0;
  const std::clock_t cpu0 = std::clock();
  for (const auto& [label, image] : inputs) {
    inf::SparsityRecorder recorder;
    OpTimer timer;
    std::vector<inf::LayerObserver*> observers = {&recorder};
    if (f.profile) observers.push_back(&timer);
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<inf::Tensor> out = model->run(image, observers);
    for (int r = 1; r < f.repeat; ++r) out = model->run(image);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << fmt::format("{}: {}; activation zero fraction {:.3f}\n", label,
                             model->describe(out), recorder.activation_zero_fraction());
    if (f.profile) timer.print();
    if (csv.is_open()) inf::write_sparsity_csv_rows(csv, f.model, label, recorder.layers());
  }
  const double runs = static_cast<double>(inputs.size()) * f.repeat;
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  std::cout << fmt::format(
      "{} run(s) in {:.3f} s wall, {:.3f} s CPU: {:.2f} inferences/s wall, {:.2f} per CPU-second "
      "(1 thread)\n",
      static_cast<long>(runs), seconds, cpu, runs / seconds, runs / cpu);
  if (csv.is_open()) {
    csv.close();
    if (!csv) throw InputError(f.dump, 0, "--dump-sparsity", "write failed");
    std::cout << "per-layer sparsity written to " << f.dump << "\n";
  }
}

}  // namespace

void add_infer_command(CLI::App& app) {
  auto flags = std::make_shared<InferFlags>();
  CLI::App* cmd = app.add_subcommand(
      "infer", "run a real pretrained model on images or text lines; dump per-layer sparsity");
  cmd->add_option("--model,-m", flags->model,
                  "mobilenet_v2, inception_v3, ssd_mobilenet_v1, face_embedding, ppocr_v4_rec");
  cmd->add_option("--image,-i", flags->images, "PNG or JPEG input (repeatable)");
  cmd->add_option("--text,-t", flags->texts,
                  "text line rendered in DejaVu Sans 48 px as input (repeatable; ppocr_v4_rec)");
  cmd->add_option("--text-file", flags->text_file,
                  "plain-text file (e.g. Moby Dick, a State-of-the-Union address) cut into lines "
                  "of --tokens attention tokens each");
  cmd->add_option("--tokens", flags->tokens,
                  "token budgets of the --text-file lines, cycled (default 20,50,100,200,400)")
      ->delimiter(',');
  cmd->add_option("--lines", flags->lines, "number of --text-file lines (default 5)");
  cmd->add_option("--font-px", flags->style.font_px, "em size of rendered text in pixels");
  cmd->add_option("--margin-px", flags->style.margin_px, "blank pixels left and right of text");
  cmd->add_option("--dump-sparsity", flags->dump, "write per-layer sparsity CSV to this file");
  cmd->add_option("--cache", flags->cache,
                  "model cache folder (default $DYSTA_CACHE or ~/.cache/dysta)");
  cmd->add_option("--repeat", flags->repeat, "run each input this many times (timing)");
  cmd->add_flag("--profile", flags->profile, "print the time spent per operator type");
  cmd->add_flag("--list", flags->list, "list the models and the cache state");
  cmd->callback([flags] { infer(*flags); });
}

}  // namespace dysta::cli
