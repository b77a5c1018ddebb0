// libdysta_media.so: the DystaMedia table of src/inference/media.h over libpng's simplified API,
// libjpeg and FreeType. Loaded with dlopen by the inference layer on its first image or text.
#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

// clang-format off
#include <jpeglib.h>  // after <cstdio> and <cstddef>: it uses FILE and size_t
#include <png.h>
#include <ft2build.h>
#include FT_FREETYPE_H
// clang-format on

#include "inference/media.h"

namespace {

void set_error(char* error, std::size_t size, const char* message) {
  if (size == 0) return;
  std::snprintf(error, size, "%s", message);
}

int decode_png(const std::uint8_t* bytes, std::size_t size, int* width, int* height,
               std::uint8_t** rgb, char* error, std::size_t error_size) {
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&img, bytes, size)) {
    set_error(error, error_size, img.message);
    return -1;
  }
  img.format = PNG_FORMAT_RGB;
  auto* out = static_cast<std::uint8_t*>(std::malloc(PNG_IMAGE_SIZE(img)));
  if (out == nullptr) {
    png_image_free(&img);
    set_error(error, error_size, "out of memory");
    return -1;
  }
  if (!png_image_finish_read(&img, nullptr, out, 0, nullptr)) {
    set_error(error, error_size, img.message);
    png_image_free(&img);
    std::free(out);
    return -1;
  }
  *width = static_cast<int>(img.width);
  *height = static_cast<int>(img.height);
  *rgb = out;
  return 0;
}

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// No object with a destructor lives between setjmp and longjmp.
int decode_jpeg(const std::uint8_t* bytes, std::size_t size, int* width, int* height,
                std::uint8_t** rgb, char* error, std::size_t error_size) {
  JpegError err;
  std::memset(&err, 0, sizeof err);
  jpeg_decompress_struct cinfo;
  std::uint8_t* volatile out = nullptr;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_error_exit;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    std::free(out);
    set_error(error, error_size, err.message);
    return -1;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, bytes, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  const std::size_t w = cinfo.output_width, h = cinfo.output_height;
  out = static_cast<std::uint8_t*>(std::malloc(w * h * 3 + 1));
  if (out == nullptr) {
    jpeg_destroy_decompress(&cinfo);
    set_error(error, error_size, "out of memory");
    return -1;
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out + static_cast<std::size_t>(cinfo.output_scanline) * w * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  *width = static_cast<int>(w);
  *height = static_cast<int>(h);
  *rgb = out;
  return 0;
}

void release(std::uint8_t* rgb) {
  std::free(rgb);
}

int write_png(const char* path, int width, int height, const std::uint8_t* rgb, char* error,
              std::size_t error_size) {
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  img.width = static_cast<png_uint_32>(width);
  img.height = static_cast<png_uint_32>(height);
  img.format = PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&img, path, 0, rgb, 0, nullptr)) {
    set_error(error, error_size, img.message);
    return -1;
  }
  return 0;
}

struct Font {
  FT_Library library = nullptr;
  FT_Face face = nullptr;
};

void* font_open(const char* file, int pixels, int* status) {
  auto* font = new Font;
  if (FT_Init_FreeType(&font->library) != 0) {
    delete font;
    *status = -1;
    return nullptr;
  }
  if (FT_New_Face(font->library, file, 0, &font->face) != 0) {
    FT_Done_FreeType(font->library);
    delete font;
    *status = -2;
    return nullptr;
  }
  FT_Set_Pixel_Sizes(font->face, 0, static_cast<FT_UInt>(pixels));
  *status = 0;
  return font;
}

void font_close(void* handle) {
  auto* font = static_cast<Font*>(handle);
  FT_Done_Face(font->face);
  FT_Done_FreeType(font->library);
  delete font;
}

void font_metrics(void* handle, int* ascender_px, int* descender_px) {
  const FT_Face face = static_cast<Font*>(handle)->face;
  *ascender_px = static_cast<int>(face->size->metrics.ascender >> 6);
  *descender_px = static_cast<int>(face->size->metrics.descender >> 6);
}

int glyph(void* handle, std::uint32_t code_point, int render, DystaGlyph* out) {
  const FT_Face face = static_cast<Font*>(handle)->face;
  if (FT_Load_Char(face, code_point, render ? FT_LOAD_RENDER : FT_LOAD_DEFAULT) != 0) return -1;
  const FT_GlyphSlot g = face->glyph;
  out->advance_px = static_cast<int>(g->advance.x >> 6);
  out->left = g->bitmap_left;
  out->top = g->bitmap_top;
  out->rows = static_cast<int>(g->bitmap.rows);
  out->width = static_cast<int>(g->bitmap.width);
  out->pitch = g->bitmap.pitch;
  out->coverage = g->bitmap.buffer;
  return 0;
}

const DystaMedia kMedia = {dysta::inference::kDystaMediaAbi,
                           decode_png,
                           decode_jpeg,
                           release,
                           write_png,
                           font_open,
                           font_close,
                           font_metrics,
                           glyph};

}  // namespace

extern "C" __attribute__((visibility("default"))) const void* dysta_media() {
  return &kMedia;
}
