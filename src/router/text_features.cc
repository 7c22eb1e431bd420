#include "router/text_features.h"

#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>

namespace kolibri::router {
namespace {

constexpr uint64_t kFnvOffset = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;
constexpr uint64_t kWordSalt = 0x9e3779b97f4a7c15ull;
constexpr uint64_t kBigramSalt = 0xc2b2ae3d27d4eb4full;
constexpr uint64_t kCharSalt = 0x165667b19e3779f9ull;

uint64_t FnvStep(uint64_t h, unsigned char c) { return (h ^ c) * kFnvPrime; }

uint64_t Fnv(std::string_view s, uint64_t h) {
  for (unsigned char c : s) h = FnvStep(h, c);
  return h;
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

struct Scratch {
  std::string normalized;
  std::vector<std::pair<size_t, size_t>> words;  // byte [begin, end) in `normalized`
  std::vector<uint32_t> buckets;
  std::vector<size_t> cp_offsets;
};

bool IsAsciiWordChar(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsWordCodePoint(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

void AsciiLower(std::string_view text, std::string* out) {
  out->resize(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    (*out)[i] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
}

// Words of s->normalized as maximal runs of bytes for which is_word holds.
template <typename Pred>
void SplitByteRuns(Pred is_word, Scratch* s) {
  const std::string& t = s->normalized;
  size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && !is_word(static_cast<unsigned char>(t[i]))) ++i;
    const size_t begin = i;
    while (i < t.size() && is_word(static_cast<unsigned char>(t[i]))) ++i;
    if (i > begin) s->words.emplace_back(begin, i);
  }
}

// Fills scratch->normalized and scratch->words.
void Tokenize(std::string_view text, Scratch* s) {
  s->words.clear();
  const bool ascii = std::all_of(text.begin(), text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    AsciiLower(text, &s->normalized);
    SplitByteRuns(IsAsciiWordChar, s);
    return;
  }
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                   static_cast<utf8proc_ssize_t>(text.size()), &mapped,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                  UTF8PROC_COMPAT | UTF8PROC_CASEFOLD));
  if (n < 0) {
    // Not valid UTF-8: treat bytes >= 0x80 as letters so the text still yields features.
    AsciiLower(text, &s->normalized);
    SplitByteRuns([](unsigned char c) { return c >= 0x80 || IsAsciiWordChar(c); }, s);
    return;
  }
  s->normalized.assign(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
  std::free(mapped);
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s->normalized.data());
  const utf8proc_ssize_t size = static_cast<utf8proc_ssize_t>(s->normalized.size());
  utf8proc_ssize_t i = 0;
  size_t begin = 0;
  bool in_word = false;
  while (i < size) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t len = utf8proc_iterate(p + i, size - i, &cp);
    if (len <= 0) len = 1;
    const bool word = cp >= 0 && IsWordCodePoint(cp);
    if (word && !in_word) begin = static_cast<size_t>(i);
    if (!word && in_word) s->words.emplace_back(begin, static_cast<size_t>(i));
    in_word = word;
    i += len;
  }
  if (in_word) s->words.emplace_back(begin, s->normalized.size());
}

// Byte length of the UTF-8 sequence starting with lead byte `c` (1 for stray bytes).
size_t Utf8Length(unsigned char c) {
  if (c >= 0xF0 && c < 0xF8) return 4;
  if (c >= 0xE0) return c < 0xF0 ? 3 : 1;
  if (c >= 0xC0) return 2;
  return 1;
}

void AddCharNgrams(std::string_view word, const Tier0FeatureOptions& o, uint64_t mask, Scratch* s) {
  s->cp_offsets.clear();
  // Code point boundaries of "<" word ">"; offsets index into the virtual framed string.
  s->cp_offsets.push_back(0);
  s->cp_offsets.push_back(1);
  size_t i = 0;
  while (i < word.size()) {
    i = std::min(word.size(), i + Utf8Length(static_cast<unsigned char>(word[i])));
    s->cp_offsets.push_back(i + 1);
  }
  s->cp_offsets.push_back(word.size() + 2);
  auto byte_at = [&](size_t k) -> unsigned char {
    if (k == 0) return '<';
    if (k == word.size() + 1) return '>';
    return static_cast<unsigned char>(word[k - 1]);
  };
  const size_t cps = s->cp_offsets.size() - 1;
  for (size_t start = 0; start < cps; ++start) {
    uint64_t h = kCharSalt;
    for (size_t n = 1; n <= o.char_ngram_max && start + n <= cps; ++n) {
      for (size_t k = s->cp_offsets[start + n - 1]; k < s->cp_offsets[start + n]; ++k) {
        h = FnvStep(h, byte_at(k));
      }
      if (n >= o.char_ngram_min) s->buckets.push_back(static_cast<uint32_t>(Mix(h) & mask));
    }
  }
}

}  // namespace

void FeatureHasher::Featurize(std::string_view text, std::vector<SparseFeature>* out) const {
  thread_local Scratch s;
  Tokenize(text, &s);
  s.buckets.clear();
  const uint64_t mask = (uint64_t{1} << options_.hash_bits) - 1;
  uint64_t previous = 0;
  for (size_t w = 0; w < s.words.size(); ++w) {
    const std::string_view word(s.normalized.data() + s.words[w].first,
                                s.words[w].second - s.words[w].first);
    const uint64_t h = Fnv(word, kFnvOffset ^ kWordSalt);
    s.buckets.push_back(static_cast<uint32_t>(Mix(h) & mask));
    if (options_.word_ngram_max >= 2 && w > 0) {
      s.buckets.push_back(
          static_cast<uint32_t>(Mix(previous * kFnvPrime ^ h ^ kBigramSalt) & mask));
    }
    previous = h;
    if (options_.char_ngram_max > 0) AddCharNgrams(word, options_, mask, &s);
  }
  std::sort(s.buckets.begin(), s.buckets.end());
  out->clear();
  for (size_t i = 0; i < s.buckets.size();) {
    size_t j = i;
    while (j < s.buckets.size() && s.buckets[j] == s.buckets[i]) ++j;
    out->push_back({s.buckets[i], 1.0f + std::log(static_cast<float>(j - i))});
    i = j;
  }
}

void ScaleAndNormalize(const std::vector<float>& row_scale, std::vector<SparseFeature>* rows) {
  double norm = 0;
  for (SparseFeature& f : *rows) {
    f.value *= row_scale[f.bucket];
    norm += static_cast<double>(f.value) * f.value;
  }
  if (norm <= 0) return;
  const auto inv = static_cast<float>(1.0 / std::sqrt(norm));
  for (SparseFeature& f : *rows) f.value *= inv;
}

std::vector<std::string> SplitWords(std::string_view text) {
  Scratch s;
  Tokenize(text, &s);
  std::vector<std::string> words;
  for (const auto& [b, e] : s.words) words.push_back(s.normalized.substr(b, e - b));
  return words;
}

}  // namespace kolibri::router
