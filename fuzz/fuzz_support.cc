#include "fuzz_support.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "kolibri/grammar/grammar_matcher.h"

namespace kolibri::fuzz {

namespace g = kolibri::grammar;

std::shared_ptr<const g::VocabularyIndex> FuzzVocabulary() {
  static std::shared_ptr<const g::VocabularyIndex> index = [] {
    g::Vocabulary v;
    for (int b = 0; b < 256; ++b) v.token_bytes.push_back(std::string(1, static_cast<char>(b)));
    v.token_bytes.push_back("</s>");
    v.token_bytes.push_back("<ctrl>");
    for (const char* t : {"{\"", "\":", "true", "null", "ab", "\",\"", "\xC3\xA9", "12", "\"}", "-0.", "aaaa", " \n"}) {
      v.token_bytes.push_back(t);
    }
    v.special.assign(v.token_bytes.size(), false);
    v.special[256] = v.special[257] = true;
    v.stop_ids = {256};
    v.id = "fuzz";
    return g::VocabularyIndex::Build(std::move(v));
  }();
  return index;
}

namespace {

bool Bit(const std::vector<uint32_t>& m, int32_t t) { return (m[t >> 5] >> (t & 31)) & 1; }

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

void ExerciseGrammar(const g::Grammar& grammar, std::string_view choices) {
  g::CompileOptions options;
  options.max_nodes = 20000;
  auto compiled = g::CompileGrammar(grammar, FuzzVocabulary(), options);
  if (!compiled.ok()) return;
  g::GrammarMatcher m(*compiled);
  const int32_t n = static_cast<int32_t>(FuzzVocabulary()->vocabulary().size());
  std::vector<uint32_t> plain(m.mask_words()), budget(m.mask_words());
  for (size_t step = 0; step < 24 && !m.IsTerminated(); ++step) {
    m.FillNextTokenBitmask(plain.data());
    g::MaskOptions mo;
    mo.remaining_tokens = 1 + static_cast<int32_t>(step % 7);
    m.FillNextTokenBitmask(budget.data(), mo);
    std::vector<int32_t> allowed;
    for (int32_t t = 0; t < n; ++t) {
      if (Bit(budget, t)) Check(Bit(plain, t));
      if (Bit(plain, t)) allowed.push_back(t);
    }
    if (allowed.empty()) {
      Check(!m.CanEnd());
      return;
    }
    const std::string forced = m.ForcedBytes(64);
    const int32_t before = m.MinBytesToComplete();
    if (!forced.empty()) {
      Check(m.AcceptString(forced));
      Check(m.Rollback(1));
      Check(m.MinBytesToComplete() == before);
    }
    const unsigned char c = step < choices.size() ? static_cast<unsigned char>(choices[step]) : 0;
    const int32_t t = allowed[(c * 131u + step) % allowed.size()];
    Check(m.AcceptToken(t));
  }
}

}  // namespace kolibri::fuzz
