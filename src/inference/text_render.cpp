#include "dysta/inference/text_render.h"

#include <algorithm>
#include <sstream>

#include "dysta/error.h"
#include "inference/media.h"

namespace dysta::inference {

std::u32string utf8_decode(const std::string& s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    int len = 0;
    char32_t cp = 0;
    if (b < 0x80) {
      len = 1;
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      cp = b & 0x07;
    }
    bool ok = len > 0 && i + static_cast<std::size_t>(len) <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!ok) {
      out += U'\uFFFD';
      ++i;
      continue;
    }
    out += cp;
    i += static_cast<std::size_t>(len);
  }
  return out;
}

std::string utf8_encode(const std::u32string& text) {
  std::string out;
  for (const char32_t cp : text) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

struct TextRenderer::Impl {
  const DystaMedia* media = nullptr;
  void* font = nullptr;
};

TextRenderer::TextRenderer(TextStyle style) : style_(std::move(style)), impl_(new Impl) {
  const std::string file = style_.font.string();
  impl_->media = &media();
  int status = 0;
  impl_->font = impl_->media->font_open(file.c_str(), style_.font_px, &status);
  if (status == -1) throw InputError(file, 0, "", "FreeType init failed");
  if (impl_->font == nullptr) {
    throw InputError(file, 0, "font", "cannot load font (Debian package fonts-dejavu-core)");
  }
}

TextRenderer::~TextRenderer() {
  if (impl_->font != nullptr) impl_->media->font_close(impl_->font);
}

int TextRenderer::width(const std::string& utf8) const {
  int pen = 0;
  DystaGlyph g;
  for (const char32_t cp : utf8_decode(utf8)) {
    if (impl_->media->glyph(impl_->font, cp, 0, &g) != 0) continue;
    pen += g.advance_px;
  }
  const int w = pen + 2 * style_.margin_px;
  const int m = std::max(style_.width_multiple, 1);
  return (w + m - 1) / m * m;
}

Image TextRenderer::render(const std::string& utf8) const {
  Image img;
  img.width = width(utf8);
  img.height = style_.height_px;
  img.rgb.assign(static_cast<std::size_t>(img.width) * img.height * 3, 255);
  int ascender = 0, descender = 0;  // descender negative
  impl_->media->font_metrics(impl_->font, &ascender, &descender);
  const int baseline = (img.height - (ascender - descender)) / 2 + ascender;
  int pen = style_.margin_px;
  DystaGlyph g;
  for (const char32_t cp : utf8_decode(utf8)) {
    if (impl_->media->glyph(impl_->font, cp, 1, &g) != 0) continue;
    for (int r = 0; r < g.rows; ++r) {
      const int y = baseline - g.top + r;
      if (y < 0 || y >= img.height) continue;
      for (int c = 0; c < g.width; ++c) {
        const int x = pen + g.left + c;
        if (x < 0 || x >= img.width) continue;
        const unsigned char cov = g.coverage[r * g.pitch + c];
        for (int ch = 0; ch < 3; ++ch) {
          std::uint8_t& px = img.rgb[(static_cast<std::size_t>(y) * img.width + x) * 3 + ch];
          px = static_cast<std::uint8_t>(std::min<int>(px, 255 - cov));
        }
      }
    }
    pen += g.advance_px;
  }
  return img;
}

std::vector<std::string> TextRenderer::lines_for_tokens(const std::string& text,
                                                        const std::vector<int>& tokens,
                                                        std::size_t max_lines) const {
  std::vector<std::string> lines;
  if (tokens.empty()) return lines;
  std::istringstream words(text);
  std::string word, pending;
  const int unit = std::max(style_.width_multiple, 1);
  while (lines.size() < max_lines) {
    const int target = tokens[lines.size() % tokens.size()];
    std::string line = pending;
    pending.clear();
    while (words >> word) {
      const std::string longer = line.empty() ? word : line + " " + word;
      if (!line.empty() && width(longer) / unit > target) {
        pending = word;
        break;
      }
      line = longer;
    }
    if (line.empty()) break;
    lines.push_back(line);
    if (pending.empty() && !words) break;
  }
  return lines;
}

Image render_text_line(const std::string& utf8, const TextStyle& style) {
  return TextRenderer(style).render(utf8);
}

}  // namespace dysta::inference
