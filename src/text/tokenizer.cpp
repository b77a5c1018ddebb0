// GPT-2 byte-level BPE and BERT-uncased WordPiece (include/dysta/text/tokenizer.h).
#include "dysta/text/tokenizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "dysta/error.h"
#include "dysta/read_file.h"
#include "unicode_tables.h"

namespace fs = std::filesystem;

namespace dysta::text {
namespace {

bool in_ranges(char32_t c, const detail::CodeRange* r, std::size_t n) {
  const detail::CodeRange* end = r + n;
  const auto* it = std::upper_bound(
      r, end, c, [](char32_t v, const detail::CodeRange& x) { return v < x.first; });
  return it != r && c <= (it - 1)->last;
}

bool is_control(char32_t c) {
  return in_ranges(c, detail::kControl, detail::kControl_size);
}

bool is_bert_space(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' ||
         in_ranges(c, detail::kSpaceSeparator, detail::kSpaceSeparator_size);
}

// CJK Unified Ideographs blocks, as BERT's BasicTokenizer lists them.
bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// BERT-uncased folding of one character, appended to `out`.
void fold(char32_t c, std::u32string& out) {
  if (c < 0x80) {
    out.push_back(c >= U'A' && c <= U'Z' ? c + 32 : c);
    return;
  }
  const detail::FoldEntry* end = detail::kFold + detail::kFold_size;
  const auto* it = std::lower_bound(
      detail::kFold, end, c, [](const detail::FoldEntry& e, char32_t v) { return e.cp < v; });
  if (it != end && it->cp == c) {
    out += decode_utf8(it->utf8);
  } else {
    out.push_back(c);
  }
}

nlohmann::json parse_json(const fs::path& path) {
  try {
    return nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path.string(), 0, "", fmt::format("malformed JSON: {}", e.what()));
  }
}

}  // namespace

std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int len = 0;
    char32_t cp = 0;
    if (b0 < 0x80) {
      len = 1;
      cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2;
      cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3;
      cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4;
      cp = b0 & 0x07;
    }
    bool ok = len > 0 && i + static_cast<std::size_t>(len) <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((b & 0xC0) != 0x80) {
        ok = false;
      } else {
        cp = (cp << 6) | (b & 0x3F);
      }
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    static constexpr char32_t kMinOf[] = {0, 0, 0x80, 0x800, 0x10000};
    if (ok && (cp < kMinOf[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (!ok) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += static_cast<std::size_t>(len);
  }
  return out;
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char32_t c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

bool is_letter(char32_t c) {
  return in_ranges(c, detail::kLetter, detail::kLetter_size);
}

bool is_number(char32_t c) {
  return in_ranges(c, detail::kNumber, detail::kNumber_size);
}

// JavaScript's \s: WhiteSpace and LineTerminator code points.
bool is_js_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000 || c == 0xFEFF;
}

bool is_bert_punctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126)) {
    return true;
  }
  return in_ranges(c, detail::kPunctuation, detail::kPunctuation_size);
}

// ---------------------------------------------------------------------------------------------
// GPT-2

Gpt2Tokenizer Gpt2Tokenizer::load(const fs::path& package_dir) {
  return load(package_dir / "encoder.json", package_dir / "vocab.bpe");
}

Gpt2Tokenizer Gpt2Tokenizer::load(const fs::path& encoder_json, const fs::path& vocab_bpe) {
  Gpt2Tokenizer t;
  const nlohmann::json enc = parse_json(encoder_json);
  if (!enc.is_object() || enc.empty()) {
    throw InputError(encoder_json.string(), 0, "", "expected a non-empty object of token ids");
  }
  for (const auto& [key, value] : enc.items()) {
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
        value.get<std::int64_t>() > std::numeric_limits<std::int32_t>::max()) {
      throw InputError(encoder_json.string(), 0, key, "token id must be a non-negative integer");
    }
    t.encoder_.emplace(key, value.get<std::int32_t>());
  }
  const auto eot = t.encoder_.find("<|endoftext|>");
  if (eot == t.encoder_.end()) {
    throw InputError(encoder_json.string(), 0, "<|endoftext|>", "missing");
  }
  t.end_of_text_ = eot->second;

  // vocab.bpe: a "#version" line, then one merge "first second" per line.
  const std::string bpe = read_file(vocab_bpe);
  std::size_t pos = bpe.find('\n');
  std::size_t line_no = 1;
  std::int32_t rank = 0;
  while (pos != std::string::npos && pos + 1 < bpe.size()) {
    const std::size_t start = pos + 1;
    pos = bpe.find('\n', start);
    ++line_no;
    std::string line =
        bpe.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::size_t sp = line.find(' ');
    if (sp == std::string::npos || sp == 0 || sp + 1 == line.size() ||
        line.find(' ', sp + 1) != std::string::npos) {
      throw InputError(vocab_bpe.string(), line_no, "", "expected a merge 'first second'");
    }
    t.ranks_.emplace(line, rank++);
  }
  if (rank == 0) throw InputError(vocab_bpe.string(), 0, "", "no merges");

  // GPT-2's byte alphabet: printable Latin-1 bytes map to themselves, the other 68 bytes to
  // U+0100.. in byte order.
  int extra = 0;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
    const char32_t c = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + extra++);
    t.byte_char_[b] = encode_utf8(std::u32string(1, c));
  }
  return t;
}

std::vector<std::string> Gpt2Tokenizer::pretokenize(std::string_view text) const {
  const std::u32string s = decode_utf8(text);
  const std::size_t n = s.size();
  std::vector<std::string> out;
  std::size_t i = 0;
  const auto other = [](char32_t c) { return !(is_js_space(c) || is_letter(c) || is_number(c)); };
  static const std::u32string kContractions[] = {U"'s", U"'t",  U"'re", U"'ve",
                                                 U"'m", U"'ll", U"'d"};
  while (i < n) {
    bool matched = false;
    for (const std::u32string& c : kContractions) {
      if (s.compare(i, c.size(), c) == 0) {
        out.push_back(encode_utf8(c));
        i += c.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": an optional leading U+0020.
    const std::size_t j = s[i] == U' ' && i + 1 < n ? i + 1 : i;
    for (int cls = 0; cls < 3 && !matched; ++cls) {
      const auto in_class = [cls, &other](char32_t c) {
        return cls == 0 ? is_letter(c) : cls == 1 ? is_number(c) : other(c);
      };
      if (j < n && in_class(s[j])) {
        std::size_t k = j;
        while (k < n && in_class(s[k])) ++k;
        out.push_back(encode_utf8(s.substr(i, k - i)));
        i = k;
        matched = true;
      }
    }
    if (matched) continue;
    // "\s+(?!\S)|\s+": a white-space run; when it is followed by a non-space and longer than
    // one, its last character is left to start the next piece.
    std::size_t k = i;
    while (k < n && is_js_space(s[k])) ++k;
    if (k == i) k = i + 1;  // unreachable: every character is in one class
    if (k < n && k - i >= 2) --k;
    out.push_back(encode_utf8(s.substr(i, k - i)));
    i = k;
  }
  return out;
}

std::vector<std::int32_t> Gpt2Tokenizer::encode(std::string_view text) const {
  std::vector<std::int32_t> ids;
  std::vector<std::string> word;
  std::vector<std::string> merged;
  for (const std::string& piece : pretokenize(text)) {
    word.clear();
    for (const char ch : piece) word.push_back(byte_char_[static_cast<unsigned char>(ch)]);
    while (word.size() > 1) {
      // The lowest-ranked adjacent pair; ties cannot occur (ranks are distinct per pair).
      std::int32_t best = std::numeric_limits<std::int32_t>::max();
      std::size_t best_at = 0;
      for (std::size_t k = 0; k + 1 < word.size(); ++k) {
        const auto r = ranks_.find(word[k] + ' ' + word[k + 1]);
        if (r != ranks_.end() && r->second < best) {
          best = r->second;
          best_at = k;
        }
      }
      if (best == std::numeric_limits<std::int32_t>::max()) break;
      const std::string first = word[best_at];
      const std::string second = word[best_at + 1];
      merged.clear();
      for (std::size_t k = 0; k < word.size(); ++k) {
        if (k + 1 < word.size() && word[k] == first && word[k + 1] == second) {
          merged.push_back(first + second);
          ++k;
        } else {
          merged.push_back(word[k]);
        }
      }
      word.swap(merged);
    }
    for (const std::string& sym : word) {
      const auto it = encoder_.find(sym);
      if (it == encoder_.end()) {
        throw InputError("", 0, "encoder.json", fmt::format("no id for BPE symbol '{}'", sym));
      }
      ids.push_back(it->second);
    }
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// BERT

BertTokenizer BertTokenizer::load(const fs::path& vocab_json) {
  const nlohmann::json v = parse_json(vocab_json);
  if (!v.is_array() || v.size() <= static_cast<std::size_t>(kMask)) {
    throw InputError(vocab_json.string(), 0, "", "expected an array of at least 104 pieces");
  }
  BertTokenizer t;
  t.vocab_size_ = v.size();
  static const std::string kWordStart = "\u2581";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      throw InputError(vocab_json.string(), 0, fmt::format("[{}]", i), "piece must be a string");
    }
    const std::string w = v[i].get<std::string>();
    const auto id = static_cast<std::int32_t>(i);
    if (w.size() > kWordStart.size() && w.compare(0, kWordStart.size(), kWordStart) == 0) {
      t.first_.emplace(w.substr(kWordStart.size()), id);  // first occurrence wins
    } else if (!w.empty() && w[0] != '[') {
      t.cont_.emplace(w, id);
    }
  }
  static const std::pair<std::int32_t, const char*> kSpecials[] = {
      {kPad, "[PAD]"}, {kUnk, "[UNK]"}, {kCls, "[CLS]"}, {kSep, "[SEP]"}, {kMask, "[MASK]"}};
  for (const auto& [id, name] : kSpecials) {
    if (v[static_cast<std::size_t>(id)] != name) {
      throw InputError(vocab_json.string(), 0, fmt::format("[{}]", id),
                       fmt::format("expected {}", name));
    }
  }
  return t;
}

std::vector<std::string> BertTokenizer::basic(std::string_view text) const {
  std::vector<std::string> words;
  std::u32string cur;
  std::u32string folded;
  const auto flush = [&] {
    if (!cur.empty()) words.push_back(encode_utf8(cur));
    cur.clear();
  };
  for (const char32_t c : decode_utf8(text)) {
    if (c == 0 || c == 0xFFFD || (c != U'\t' && c != U'\n' && c != U'\r' && is_control(c))) {
      continue;
    }
    if (is_bert_space(c)) {
      flush();
      continue;
    }
    if (is_cjk(c)) {
      flush();
      words.push_back(encode_utf8(std::u32string(1, c)));
      continue;
    }
    folded.clear();
    fold(c, folded);
    for (const char32_t x : folded) {
      if (is_bert_punctuation(x)) {
        flush();
        words.push_back(encode_utf8(std::u32string(1, x)));
      } else if (is_bert_space(x)) {
        flush();
      } else {
        cur.push_back(x);
      }
    }
  }
  flush();
  return words;
}

void BertTokenizer::word_pieces(const std::string& word, std::vector<std::int32_t>& out) const {
  // Byte offsets of the word's characters, plus the end.
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80) at.push_back(i);
  }
  if (at.size() > kMaxWordChars) {
    out.push_back(kUnk);
    return;
  }
  at.push_back(word.size());
  const std::size_t chars = at.size() - 1;
  const std::size_t mark = out.size();
  std::size_t start = 0;
  while (start < chars) {
    const auto& table = start == 0 ? first_ : cont_;
    std::size_t end = chars;
    std::int32_t found = -1;
    for (; end > start; --end) {
      const auto it = table.find(word.substr(at[start], at[end] - at[start]));
      if (it != table.end()) {
        found = it->second;
        break;
      }
    }
    if (found < 0) {
      out.resize(mark);
      out.push_back(kUnk);
      return;
    }
    out.push_back(found);
    start = end;
  }
}

std::vector<std::int32_t> BertTokenizer::encode(std::string_view text) const {
  std::vector<std::int32_t> ids;
  for (const std::string& w : basic(text)) word_pieces(w, ids);
  return ids;
}

}  // namespace dysta::text
