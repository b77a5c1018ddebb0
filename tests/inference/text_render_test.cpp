// Text rendering (FreeType, DejaVu Sans from Debian fonts-dejavu-core) and line splitting.
#include "dysta/inference/text_render.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "dysta/error.h"

namespace dysta::inference {
namespace {

TEST(InferenceText, RendersBlackTextOnWhiteAtHeight48) {
  const TextRenderer r;
  const Image img = r.render("Call me Ishmael.");
  EXPECT_EQ(img.height, 48);
  EXPECT_EQ(img.width % 8, 0);
  EXPECT_EQ(img.width, r.width("Call me Ishmael."));
  EXPECT_GT(img.width, 16 * 12);  // about 17 px per character
  EXPECT_LT(img.width, 16 * 22);
  const auto dark = std::count_if(img.rgb.begin(), img.rgb.end(), [](auto v) { return v < 64; });
  EXPECT_GT(dark, 300);
  // Margins stay white.
  for (int y = 0; y < img.height; ++y) EXPECT_EQ(img.at(y, 0, 0), 255);
  EXPECT_GT(r.width("mm"), r.width("m"));
}

TEST(InferenceText, LinesForTokensFillEachTarget) {
  const TextRenderer r;
  const std::string text =
      "It was the best of times, it was the worst of times, it was the age of wisdom, it was the "
      "age of foolishness, it was the epoch of belief, it was the epoch of incredulity";
  const std::vector<std::string> lines = r.lines_for_tokens(text, {20, 60}, 10);
  ASSERT_GE(lines.size(), 3u);
  std::string joined;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int tokens = r.width(lines[i]) / 8;
    const bool one_word = lines[i].find(' ') == std::string::npos;  // may exceed the budget
    if (!one_word) {
      EXPECT_LE(tokens, i % 2 == 0 ? 20 : 60) << lines[i];
    }
    joined += (i ? " " : "") + lines[i];
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ(r.lines_for_tokens(text, {400}, 1).size(), 1u);
}

TEST(InferenceText, Utf8RoundTripAndMissingFont) {
  const std::string s = "a\xe2\x80\x94\xc3\xa9";  // a, em dash, e acute
  EXPECT_EQ(utf8_decode(s), (std::u32string{U'a', U'\u2014', U'\u00e9'}));
  EXPECT_EQ(utf8_encode(utf8_decode(s)), s);
  TextStyle style;
  style.font = "/no/such/font.ttf";
  EXPECT_THROW(TextRenderer{style}, InputError);
}

}  // namespace
}  // namespace dysta::inference
