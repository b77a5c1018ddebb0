// Renders text lines into images with FreeType, as inputs of the text recogniser.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dysta/inference/image.h"

namespace dysta::inference {

struct TextStyle {
  // Debian fonts-dejavu-core.
  std::filesystem::path font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  int height_px = 48;      // image height
  int font_px = 34;        // em size in pixels (about 17 px per character of English prose)
  int margin_px = 4;       // blank space left and right of the text
  int width_multiple = 8;  // image width rounded up to a multiple of this (PP-OCR: 8 px/token)
};

// Renders UTF-8 text, black on white, on one line, vertically centred. Reuses the loaded font.
class TextRenderer {
 public:
  explicit TextRenderer(TextStyle style = {});
  ~TextRenderer();
  TextRenderer(const TextRenderer&) = delete;
  TextRenderer& operator=(const TextRenderer&) = delete;

  Image render(const std::string& utf8) const;
  // Width in pixels render() would give `utf8`.
  int width(const std::string& utf8) const;

  // Consecutive lines of the whitespace-separated words of `text`, the k-th holding as many
  // words as fit in tokens[k % tokens.size()] tokens (token = width_multiple pixels of rendered
  // width; at least one word per line). Stops after max_lines lines or at the end of the text.
  // The PP-OCRv4 recogniser turns a line of T tokens into T x T attention matrices.
  std::vector<std::string> lines_for_tokens(const std::string& text, const std::vector<int>& tokens,
                                            std::size_t max_lines) const;

 private:
  struct Impl;
  TextStyle style_;
  std::unique_ptr<Impl> impl_;
};

// One-off convenience wrapper around TextRenderer.
Image render_text_line(const std::string& utf8, const TextStyle& style);

// Code points of a UTF-8 string; invalid bytes become U+FFFD.
std::u32string utf8_decode(const std::string& utf8);
std::string utf8_encode(const std::u32string& text);

}  // namespace dysta::inference
