// Image decoding (PNG via libpng, JPEG via libjpeg) and the resizing/cropping the models'
// preprocessing needs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "dysta/inference/tensor.h"

namespace dysta::inference {

// 8-bit RGB image, rows top to bottom, pixels interleaved (HWC).
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  // width*height*3 bytes

  std::uint8_t at(int y, int x, int c) const {
    return rgb[(static_cast<std::size_t>(y) * width + x) * 3 + c];
  }
};

// Decodes a PNG or JPEG file (detected by its signature). Grayscale, palette, alpha and 16-bit
// PNGs are converted to 8-bit RGB (alpha is dropped). Throws InputError naming the file.
Image load_image(const std::filesystem::path& path);

// Writes an 8-bit RGB PNG (for inspecting rendered inputs).
void save_png(const Image& image, const std::filesystem::path& path);

Image flip_horizontal(const Image& image);

// The sub-image [x, x+w) x [y, y+h), clamped to the image.
Image crop(const Image& image, int x, int y, int w, int h);

// [1,H,W,3] float tensor of the pixel values 0..255.
Tensor image_to_tensor(const Image& image);

// Bilinear resize of an NHWC tensor with TensorFlow's resizeBilinear conventions: with
// align_corners the corner pixels map onto each other (scale (in-1)/(out-1)); otherwise output
// pixel i samples input coordinate i*in/out (no half-pixel offset).
Tensor resize_bilinear(const Tensor& x, int out_h, int out_w, bool align_corners);

}  // namespace dysta::inference
