#include "kolibri/grammar/grammar_matcher.h"

#include <gtest/gtest.h>

#include <random>

#include "grammar/test_vocab.h"
#include "kolibri/grammar/compile_cache.h"
#include "kolibri/grammar/constraints.h"
#include "kolibri/grammar/json_schema_converter.h"
#include "kolibri/grammar/regex_parser.h"

namespace kolibri::grammar {
namespace {

std::shared_ptr<const CompiledGrammar> Compile(const Grammar& g, std::shared_ptr<const VocabularyIndex> v) {
  auto c = CompileGrammar(g, std::move(v));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : nullptr;
}

std::shared_ptr<const CompiledGrammar> CompileSchema(const char* schema, std::shared_ptr<const VocabularyIndex> v) {
  auto sg = JsonSchemaToGrammar(schema);
  EXPECT_TRUE(sg.ok()) << sg.status().ToString();
  return sg.ok() ? Compile(sg->grammar, std::move(v)) : nullptr;
}

bool Bit(const std::vector<uint32_t>& m, int32_t t) { return (m[t >> 5] >> (t & 31)) & 1; }

struct RegexCase {
  const char* pattern;
  std::vector<std::string> accept, reject;
};

TEST(RegexTest, FullMatchTable) {
  const std::vector<RegexCase> cases = {
      {"a|bc", {"a", "bc"}, {"", "ab", "b"}},
      {"[a-c]{2,3}", {"ab", "abc", "cca"}, {"a", "abcd", "ad"}},
      {"\\d+(\\.\\d+)?", {"1", "12.5"}, {"1.", ".5", "a"}},
      {"[^a-z]", {"A", "1", "\xC3\xA9"}, {"a", "z", ""}},
      {"(?:ab)*c?", {"", "abab", "c", "abc"}, {"aba", "cc"}},
      {"\\w\\s\\W", {"a !", "_\t-"}, {"ab!", "a !x"}},
      {"x{2}y{1,}", {"xxy", "xxyyy"}, {"xy", "xx"}},
      {"\\u00e9|\\x41", {"\xC3\xA9", "A"}, {"e"}},
      {".", {"a", "\xE2\x82\xAC"}, {"\n", ""}},
  };
  for (const auto& c : cases) {
    auto g = RegexToGrammar(c.pattern);
    ASSERT_TRUE(g.ok()) << c.pattern << ": " << g.status().ToString();
    auto cg = Compile(*g, testing::ByteVocabulary());
    for (const auto& s : c.accept) {
      GrammarMatcher m(cg);
      EXPECT_TRUE(m.AcceptString(s) && m.CanEnd()) << c.pattern << " should match " << s;
    }
    for (const auto& s : c.reject) {
      GrammarMatcher m(cg);
      EXPECT_FALSE(m.AcceptString(s) && m.CanEnd()) << c.pattern << " should not match " << s;
    }
  }
}

TEST(RegexTest, Errors) {
  for (const char* bad : {"(ab", "a)", "[a-", "*a", "a{3,1}", "\\"}) {
    auto g = RegexToGrammar(bad);
    ASSERT_FALSE(g.ok()) << bad;
    EXPECT_EQ(g.status().code(), ErrorCode::kInvalidArgument) << bad;
  }
  for (const char* unsupported : {"(?=a)b", "(a)\\1", "\\bword", "a^b", "\\p{L}"}) {
    auto g = RegexToGrammar(unsupported);
    ASSERT_FALSE(g.ok()) << unsupported;
    EXPECT_EQ(g.status().code(), ErrorCode::kUnsupported) << unsupported;
  }
}

TEST(LabelsTest, AcceptsOnlyLabels) {
  auto g = LabelsToGrammar({"billing", "bug", "other"}, {.json_string = true});
  ASSERT_TRUE(g.ok());
  auto cg = Compile(*g, testing::ByteVocabulary());
  for (const char* s : {"\"billing\"", "\"bug\"", "\"other\""}) {
    GrammarMatcher m(cg);
    EXPECT_TRUE(m.AcceptString(s) && m.CanEnd()) << s;
  }
  GrammarMatcher m(cg);
  EXPECT_FALSE(m.AcceptString("\"bu\"") && m.CanEnd());
  EXPECT_FALSE(LabelsToGrammar({}).ok());
}

TEST(SubstringTest, LongTextAndEscapes) {
  std::string text;
  std::mt19937 rng(7);
  while (text.size() < 20000) text += "word" + std::to_string(rng() % 1000) + (rng() % 7 == 0 ? "\n\"q\" " : " ");
  auto cg = Compile(SubstringGrammar(text, RegexEncoding::kJsonString), testing::ByteVocabulary());
  for (int i = 0; i < 50; ++i) {
    const size_t a = rng() % (text.size() - 40), n = rng() % 40;
    nlohmann::json quoted = text.substr(a, n);
    GrammarMatcher m(cg);
    EXPECT_TRUE(m.AcceptString(quoted.dump()) && m.CanEnd()) << quoted.dump();
  }
  GrammarMatcher m(cg);
  EXPECT_FALSE(m.AcceptString("\"word1 word1 word1 word1 word1\"") && m.CanEnd());
}

TEST(MatcherTest, ForcedBytesRollbackAndTermination) {
  auto cg = CompileSchema(R"({"type":"object","properties":{"category":{"enum":["billing","bug"]}},"required":["category"]})",
                          testing::ByteVocabulary());
  GrammarMatcher m(cg);
  EXPECT_EQ(m.ForcedBytes(), "{\"category\":\"b");
  // A token covering a prefix of the forced bytes, then one covering the rest and more.
  ASSERT_TRUE(m.AcceptString("{\"cat"));
  ASSERT_TRUE(m.AcceptString("egory\":\"bu"));
  EXPECT_EQ(m.ForcedBytes(), "g\"");
  EXPECT_EQ(m.MinBytesToComplete(), 3);
  EXPECT_TRUE(m.Rollback(1));
  EXPECT_EQ(m.ForcedBytes(), "egory\":\"b");
  EXPECT_FALSE(m.Rollback(5));
  ASSERT_TRUE(m.AcceptString("egory\":\"billing\"}"));
  EXPECT_TRUE(m.CanEnd());
  EXPECT_FALSE(m.AcceptToken(257));  // control token
  EXPECT_TRUE(m.AcceptToken(256));   // stop
  EXPECT_TRUE(m.IsTerminated());
  EXPECT_FALSE(m.AcceptString("x"));
}

const char* kWalkSchemas[] = {
    R"({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":150},
        "tags":{"type":"array","items":{"enum":["a","b","c"]},"maxItems":3},"ok":{"type":"boolean"}},
        "required":["name","age"]})",
    R"({"type":"array","items":{"anyOf":[{"type":"number"},{"type":"string","format":"date"},{"type":"null"}]}})",
    R"({"$defs":{"t":{"type":"object","properties":{"v":{"type":"string","pattern":"^[a-z]{1,4}$"},
        "kids":{"type":"array","items":{"$ref":"#/$defs/t"}}},"required":["v"],"additionalProperties":false}},
        "$ref":"#/$defs/t"})",
    "true",
    R"({"type":"object","properties":{"s":{"type":"string","minLength":5,"maxLength":250},
        "x":{"type":"number","minimum":-1,"maximum":2}},"required":["s","x"]})",
};

// A long bounded string: exact at every position, and the positions that no token can tell
// apart (far from both bounds) share one node mask instead of one walk each.
TEST(MatcherTest, LongStringBoundsShareMasks) {
  auto vocab = testing::ByteVocabulary();
  const size_t shared_before = vocab->shared_mask_count();
  auto cg = CompileSchema(R"({"type":"string","minLength":20,"maxLength":250})", vocab);
  ASSERT_NE(cg, nullptr);
  std::vector<uint32_t> mask(vocab->mask_words());
  GrammarMatcher m(cg);
  ASSERT_TRUE(m.AcceptString("\""));
  for (int i = 0; i <= 250; ++i) {
    m.FillNextTokenBitmask(mask.data());
    EXPECT_EQ(Bit(mask, 'a'), i < 250) << i;
    EXPECT_EQ(Bit(mask, '"'), i >= 20) << i;
    if (i < 250) {
      ASSERT_TRUE(m.AcceptString("a"));
    }
  }
  EXPECT_FALSE(m.AcceptString("a"));
  EXPECT_TRUE(m.AcceptString("\"") && m.CanEnd());
  // 251 positions; the byte vocabulary's longest token is 4 bytes, so all but ~2x5 near the
  // bounds fall into a few classes.
  EXPECT_LT(vocab->shared_mask_count() - shared_before, 40u);
}

// Random walks at the Qwen2 vocabulary: every masked-in token is accepted, sampled
// masked-out tokens are rejected, and with a budget the walk always completes.
TEST(MatcherTest, MaskConsistencyAndBudgetQwen2) {
  auto vocab = testing::Qwen2Vocabulary();
  if (vocab == nullptr) GTEST_SKIP() << "ggml-vocab-qwen2.gguf not found (KOLIBRI_LLAMA_SOURCE_DIR)";
  std::mt19937 rng(42);
  std::vector<uint32_t> mask(vocab->mask_words());
  const int32_t eos = vocab->vocabulary().stop_ids.at(0);
  const int32_t n = static_cast<int32_t>(vocab->vocabulary().size());
  for (const char* schema : kWalkSchemas) {
    auto cg = CompileSchema(schema, vocab);
    ASSERT_NE(cg, nullptr);
    for (int walk = 0; walk < 4; ++walk) {
      GrammarMatcher m(cg);
      const int budget = 40 + walk * 30;
      std::string text;
      for (int step = 0; step < budget && !m.IsTerminated(); ++step) {
        MaskOptions mo;
        mo.remaining_tokens = budget - step;
        m.FillNextTokenBitmask(mask.data(), mo);
        std::vector<int32_t> allowed;
        for (int32_t t = 0; t < n; ++t) {
          if (Bit(mask, t)) allowed.push_back(t);
        }
        ASSERT_FALSE(allowed.empty()) << schema << " after " << text;
        // Sample-check tokens outside the mask (without budget they may be allowed).
        std::vector<uint32_t> plain(vocab->mask_words());
        m.FillNextTokenBitmask(plain.data());
        for (int k = 0; k < 200; ++k) {
          const int32_t t = static_cast<int32_t>(rng() % n);
          GrammarMatcher probe = GrammarMatcher(cg);
          ASSERT_TRUE(probe.AcceptString(text));
          EXPECT_EQ(probe.AcceptToken(t), Bit(plain, t)) << schema << " token " << t << " after " << text;
        }
        const int32_t t = Bit(mask, eos) && rng() % 3 == 0 ? eos : allowed[rng() % allowed.size()];
        ASSERT_TRUE(m.AcceptToken(t)) << schema << " rejects masked-in token " << t;
        if (t != eos) text += vocab->vocabulary().token_bytes[t];
      }
      if (!m.IsTerminated()) {
        EXPECT_TRUE(m.AcceptToken(eos)) << schema << " incomplete: " << text;
      }
      EXPECT_TRUE(nlohmann::json::accept(text)) << text;
    }
  }
}

// Budget masks, exactly: a token is in when the plain mask has it and the shortest
// completion after it fits in the budget left (stop: when the grammar may end). Walks revisit
// states with shrinking budgets, which is what the per-state budget tables serve.
TEST(MatcherTest, BudgetMaskIsExact) {
  auto vocab = testing::ByteVocabulary();
  const int32_t n = static_cast<int32_t>(vocab->vocabulary().size());
  std::mt19937 rng(7);
  std::vector<uint32_t> mask(vocab->mask_words()), plain(vocab->mask_words());
  for (const char* schema : kWalkSchemas) {
    auto cg = CompileSchema(schema, vocab);
    ASSERT_NE(cg, nullptr);
    for (int walk = 0; walk < 6; ++walk) {
      GrammarMatcher m(cg);
      const int budget = m.MinBytesToComplete() + 1 + walk * 6;
      for (int step = 0; step < budget && !m.IsTerminated(); ++step) {
        MaskOptions mo;
        mo.remaining_tokens = budget - step;
        mo.budget_window = 1000;  // always in budget mode
        m.FillNextTokenBitmask(mask.data(), mo);
        m.FillNextTokenBitmask(plain.data());
        std::vector<int32_t> allowed;
        for (int32_t t = 0; t < n; ++t) {
          bool expected = Bit(plain, t);
          if (expected && t != 256) {
            ASSERT_TRUE(m.AcceptToken(t));
            expected = m.MinBytesToComplete() <= mo.remaining_tokens - 1;
            m.Rollback(1);
          }
          EXPECT_EQ(Bit(mask, t), expected) << schema << " token " << t << " budget " << mo.remaining_tokens;
          if (Bit(mask, t)) allowed.push_back(t);
        }
        ASSERT_FALSE(allowed.empty()) << schema;
        ASSERT_TRUE(m.AcceptToken(allowed[rng() % allowed.size()]));
      }
      EXPECT_TRUE(m.IsTerminated() || m.CanEnd()) << schema;
    }
  }
}

}  // namespace
}  // namespace kolibri::grammar

namespace kolibri::grammar {
namespace {

TEST(CompileCacheTest, HitsMissesAndEviction) {
  GrammarCompileCache cache(2);
  auto v = testing::ByteVocabulary();
  auto a = cache.JsonSchema(R"({"type":"integer"})", {}, v);
  ASSERT_TRUE(a.ok());
  auto b = cache.JsonSchema(R"({"type":"integer"})", {}, v);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  SchemaCompileOptions lenient;
  lenient.mode = SchemaMode::kLenient;
  ASSERT_TRUE(cache.JsonSchema(R"({"type":"integer"})", lenient, v).ok());  // other options: miss
  ASSERT_TRUE(cache.JsonObject(v).ok());
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.JsonSchema("{", {}, v).ok());
  EXPECT_EQ(cache.misses(), 4u);
}

}  // namespace
}  // namespace kolibri::grammar
