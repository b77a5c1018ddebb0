#include "dysta/inference/image.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "dysta/error.h"
#include "dysta/input_checks.h"
#include "dysta/module_loader.h"
#include "inference/media.h"

namespace dysta::inference {
namespace fs = std::filesystem;

const DystaMedia& media() {
  const void* table =
      load_module("libdysta_media.so", "dysta_media", kDystaMediaAbi, "DYSTA_MEDIA_MODULE");
  if (table == nullptr) {
    throw InputError("libdysta_media.so", 0, "",
                     "the image and font module was not found next to the program, in the build "
                     "or in <libdir>/dysta (reinstall dysta, or set DYSTA_MEDIA_MODULE to its "
                     "path)");
  }
  return *static_cast<const DystaMedia*>(table);
}

namespace {

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), 0, "", "cannot open image");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

using Decoder = int (*)(const std::uint8_t*, std::size_t, int*, int*, std::uint8_t**, char*,
                        std::size_t);

Image decode(Decoder decoder, const std::vector<std::uint8_t>& bytes, const std::string& file,
             const char* field) {
  int width = 0, height = 0;
  std::uint8_t* rgb = nullptr;
  char error[256] = {};
  if (decoder(bytes.data(), bytes.size(), &width, &height, &rgb, error, sizeof error) != 0) {
    throw InputError(file, 0, field, error);
  }
  const std::unique_ptr<std::uint8_t, void (*)(std::uint8_t*)> owned(rgb, media().release);
  Image out;
  out.width = width;
  out.height = height;
  out.rgb.assign(rgb, rgb + static_cast<std::size_t>(width) * height * 3);
  return out;
}

}  // namespace

Image load_image(const fs::path& path) {
  const std::vector<std::uint8_t> bytes = read_bytes(path);
  const std::string file = path.string();
  if (bytes.size() >= 8 && bytes[0] == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' &&
      bytes[3] == 'G') {
    return decode(media().decode_png, bytes, file, "png");
  }
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) {
    return decode(media().decode_jpeg, bytes, file, "jpeg");
  }
  throw InputError(file, 0, "", "not a PNG or JPEG file");
}

void save_png(const Image& image, const fs::path& path) {
  char error[256] = {};
  if (media().write_png(path.string().c_str(), image.width, image.height, image.rgb.data(), error,
                        sizeof error) != 0) {
    throw InputError(path.string(), 0, "png", error);
  }
}

Image flip_horizontal(const Image& image) {
  Image out = image;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      for (int c = 0; c < 3; ++c)
        out.rgb[(static_cast<std::size_t>(y) * image.width + x) * 3 + c] =
            image.at(y, image.width - 1 - x, c);
  return out;
}

Image crop(const Image& image, int x, int y, int w, int h) {
  const int x0 = std::clamp(x, 0, image.width), y0 = std::clamp(y, 0, image.height);
  const int x1 = std::clamp(x + w, x0, image.width), y1 = std::clamp(y + h, y0, image.height);
  Image out;
  out.width = x1 - x0;
  out.height = y1 - y0;
  out.rgb.resize(static_cast<std::size_t>(out.width) * out.height * 3);
  for (int yy = 0; yy < out.height; ++yy)
    std::copy_n(image.rgb.begin() + (static_cast<std::ptrdiff_t>(y0 + yy) * image.width + x0) * 3,
                out.width * 3, out.rgb.begin() + static_cast<std::ptrdiff_t>(yy) * out.width * 3);
  return out;
}

Tensor image_to_tensor(const Image& image) {
  Tensor t({1, image.height, image.width, 3});
  std::transform(image.rgb.begin(), image.rgb.end(), t.data.begin(),
                 [](std::uint8_t v) { return static_cast<float>(v); });
  return t;
}

Tensor resize_bilinear(const Tensor& x, int out_h, int out_w, bool align_corners) {
  if (x.rank() != 4 || out_h <= 0 || out_w <= 0) {
    throw InputError("", 0, "resize_bilinear", "input must be NHWC and the size positive");
  }
  const std::int64_t n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
  const auto scale = [align_corners](std::int64_t in, int out) {
    if (align_corners && out > 1) return static_cast<double>(in - 1) / (out - 1);
    return static_cast<double>(in) / out;
  };
  const double sy = scale(h, out_h), sx = scale(w, out_w);
  Tensor y({n, out_h, out_w, c});
  for (std::int64_t b = 0; b < n; ++b) {
    const float* xb = x.ptr() + b * h * w * c;
    for (int oy = 0; oy < out_h; ++oy) {
      const double fy = oy * sy;
      const std::int64_t y0 = std::min<std::int64_t>(static_cast<std::int64_t>(fy), h - 1);
      const std::int64_t y1 = std::min<std::int64_t>(y0 + 1, h - 1);
      const float dy = static_cast<float>(fy - static_cast<double>(y0));
      for (int ox = 0; ox < out_w; ++ox) {
        const double fx = ox * sx;
        const std::int64_t x0 = std::min<std::int64_t>(static_cast<std::int64_t>(fx), w - 1);
        const std::int64_t x1 = std::min<std::int64_t>(x0 + 1, w - 1);
        const float dx = static_cast<float>(fx - static_cast<double>(x0));
        float* yp = y.ptr() + ((b * out_h + oy) * out_w + ox) * c;
        const float* p00 = xb + (y0 * w + x0) * c;
        const float* p01 = xb + (y0 * w + x1) * c;
        const float* p10 = xb + (y1 * w + x0) * c;
        const float* p11 = xb + (y1 * w + x1) * c;
        for (std::int64_t k = 0; k < c; ++k) {
          const float top = p00[k] + (p01[k] - p00[k]) * dx;
          const float bottom = p10[k] + (p11[k] - p10[k]) * dx;
          yp[k] = top + (bottom - top) * dy;
        }
      }
    }
  }
  return y;
}

}  // namespace dysta::inference
