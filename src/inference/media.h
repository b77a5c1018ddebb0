// The image codecs (libpng, libjpeg) and the font rasteriser (FreeType) of the inference layer,
// implemented by the module libdysta_media.so (src/media/codecs.cpp) and loaded with dlopen on
// first use (dysta/module_loader.h; the environment variable DYSTA_MEDIA_MODULE names the file),
// so programs that never decode an image or render text do not load those libraries at start-up
// (issue 15). Plain C types only: the module depends on no dysta code.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {

struct DystaGlyph {
  int advance_px;  // horizontal advance
  int left, top;   // bitmap offset from the pen position and the baseline
  int rows, width, pitch;
  const std::uint8_t* coverage;  // rows x pitch bytes, valid until the next glyph call
};

struct DystaMedia {
  int abi;  // kDystaMediaAbi
  // PNG (by signature) or JPEG from memory into 8-bit RGB; *rgb is allocated with malloc (free
  // with release()). Returns 0, or -1 with a message in `error` (NUL-terminated, <= error_size).
  int (*decode_png)(const std::uint8_t* bytes, std::size_t size, int* width, int* height,
                    std::uint8_t** rgb, char* error, std::size_t error_size);
  int (*decode_jpeg)(const std::uint8_t* bytes, std::size_t size, int* width, int* height,
                     std::uint8_t** rgb, char* error, std::size_t error_size);
  void (*release)(std::uint8_t* rgb);
  int (*write_png)(const char* path, int width, int height, const std::uint8_t* rgb, char* error,
                   std::size_t error_size);
  // A font face at `pixels` em size, or nullptr (-1: FreeType did not start, -2: no such font
  // in *status).
  void* (*font_open)(const char* file, int pixels, int* status);
  void (*font_close)(void* font);
  void (*font_metrics)(void* font, int* ascender_px, int* descender_px);
  // Loads (render = 1: and rasterises) the glyph of a code point; 0, or -1 if the font has none.
  int (*glyph)(void* font, std::uint32_t code_point, int render, DystaGlyph* out);
};

// The module's only exported symbol: the DystaMedia table.
const void* dysta_media();
}

namespace dysta::inference {

inline constexpr int kDystaMediaAbi = 1;

// The loaded module; throws InputError (naming the module and DYSTA_MEDIA_MODULE) when absent.
const DystaMedia& media();

}  // namespace dysta::inference
