// Data-driven: (schema, strings accepted, strings rejected), checked at byte level with a
// byte vocabulary and at token level with the Qwen2 vocabulary (skipped without it).
#include "kolibri/grammar/json_schema_converter.h"

#include <gtest/gtest.h>

#include "grammar/test_vocab.h"
#include "kolibri/grammar/grammar_matcher.h"

namespace kolibri::grammar {
namespace {

struct Case {
  const char* schema;
  std::vector<std::string> accept;
  std::vector<std::string> reject;
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {R"({"type":"boolean"})", {"true", "false"}, {"True", "1", "\"true\"", ""}},
      {R"({"type":"null"})", {"null"}, {"nul", "0"}},
      {R"({"type":"integer"})", {"0", "-1", "123", "-987654321"}, {"01", "1.5", "1e3", "+1", ""}},
      {R"({"type":"number"})", {"0", "1.5", "-0.25", "1e10", "2E-3", "-0"}, {"01", ".5", "1.", "e3", "--1"}},
      {R"({"type":"string"})", {R"("")", R"("abc")", R"("a\"b")", R"("\u00e9")", "\"\xC3\xA9\"", R"("\n")"},
       {R"("a)", "abc", "\"a\nb\"", R"("\x")", "\"\xC3\""}},
      {R"({"type":"integer","minimum":10,"maximum":120})", {"10", "99", "100", "120", "57"},
       {"9", "121", "200", "-10", "0", "1000"}},
      {R"({"type":"integer","minimum":-5,"exclusiveMaximum":3})", {"-5", "-1", "0", "2"}, {"3", "-6", "10"}},
      {R"({"type":"integer","minimum":7})", {"7", "9", "10", "123456789"}, {"6", "0", "-7"}},
      {R"({"type":"integer","maximum":-3})", {"-3", "-10", "-999"}, {"-2", "0", "3"}},
      {R"({"type":"number","minimum":0})", {"0", "0.5", "3e2"}, {"-1", "-0.5"}},
      // Number bounds: integer bounds exact, exclusive ends, no exponent with an upper bound.
      {R"({"type":"number","minimum":-90,"maximum":90})", {"-90", "-89.5", "0", "12.25", "90", "90.000", "-0.5"},
       {"-90.1", "90.01", "91", "-100", "1e1", "-0", "100"}},
      {R"({"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1})", {"0.5", "0.001", "0.999"},
       {"0", "0.0", "1", "1.0", "-0.5", "1.5"}},
      {R"({"type":"number","minimum":1,"exclusiveMinimum":true,"maximum":4})", {"1.01", "2", "4", "4.0"},
       {"1", "1.00", "4.5", "0.9"}},
      {R"({"type":"number","maximum":-2,"exclusiveMaximum":true})", {"-2.5", "-3", "-1000.75"}, {"-2", "-2.0", "-1.5", "0"}},
      {R"({"type":"number","minimum":10})", {"10", "10.5", "12e1", "99"}, {"9.99", "-10", "1e-2", "12e-1"}},
      // A bound that is not an integer: the next integer is enforced, the rest is post-checked.
      {R"({"type":"number","maximum":0.5})", {"0.25", "0.5", "-7"}, {"1.5", "2"}},
      // An optional member whose schema admits no value is never written.
      {R"({"type":"object","properties":{"a":{"type":"object","enum":["x"]},"b":{"type":"integer"}},"additionalProperties":false})",
       {"{}", R"({"b":1})"}, {R"({"a":"x"})", R"({"a":{}})"}},
      {R"({"enum":["red","green",3,null]})", {R"("red")", R"("green")", "3", "null"}, {R"("blue")", "4", R"("Red")"}},
      {R"({"const":{"a":[1,2]}})", {R"({"a":[1,2]})"}, {R"({"a":[1]})", R"({ "a":[1,2]})"}},
      {R"({"type":"string","minLength":2,"maxLength":3})", {R"("ab")", R"("abc")", R"("\n\t")"},
       {R"("a")", R"("abcd")"}},
      {R"({"type":"string","pattern":"^[a-z]+\\d{2}$"})", {R"("ab12")", R"("z00")"}, {R"("ab1")", R"("1ab12")", R"("")"}},
      {R"({"type":"string","pattern":"abc"})", {R"("abc")", R"("xxabcyy")"}, {R"("ab")", R"("acb")"}},
      {R"({"type":"string","format":"date"})", {R"("2024-02-29")"}, {R"("2024-13-01")", R"("24-01-01")"}},
      {R"({"type":"string","format":"date-time"})", {R"("2024-02-29T12:30:00Z")", R"("2024-02-29T12:30:00.5+01:00")"},
       {R"("2024-02-29 12:30:00")"}},
      {R"({"type":"string","format":"uuid"})", {R"("123e4567-e89b-12d3-a456-426614174000")"}, {R"("123e4567")"}},
      {R"({"type":"string","format":"ipv4"})", {R"("192.168.0.1")", R"("0.0.0.0")"}, {R"("256.1.1.1")", R"("1.2.3")"}},
      {R"({"type":"string","format":"ipv6"})",
       {R"("::")", R"("::1")", R"("2001:db8::8a2e:370:7334")", R"("2001:0db8:0000:0000:0000:ff00:0042:8329")",
        R"("fe80::")", R"("::ffff:192.0.2.128")", R"("1:2:3:4:5:6:7::")", R"("1::2:3:4:5:6:7")", R"("1:2:3:4:5:6:1.2.3.4")"},
       {R"("1:2:3:4:5:6:7:8:9")", R"(":::")", R"("1::2::3")", R"("12345::")", R"("g::")", R"("1:2:3:4:5:6:7")", R"("")"}},
      {R"({"type":"string","format":"uri"})",
       {R"("https://example.com/a/b?x=1&y=%20#top")", R"("mailto:a@b.c")", R"("urn:isbn:0451450523")",
        R"("http://u:p@[::1]:8080/")", R"("file:///etc/hosts")", R"("a:")"},
       {R"("example.com")", R"("http://exa mple.com")", R"("http://h/%zz")", R"("http://h/a#b#c")",
        "\"http://h/\xC3\xA9\"", R"("a://h:x/")", R"("1a:b")"}},
      // \u escapes: surrogates only as a high-low pair.
      {R"({"type":"string"})", {R"("\ud83d\ude00")", R"("\u00e9\uFFFF")", R"("\uD7FF")"},
       {R"("\ud83d")", R"("\ude00")", R"("\ud83d\u0041")", R"("\uDC00\uD800")"}},
      // Length bounds merged into a simple anchored pattern's quantifier.
      {R"({"type":"string","pattern":"^[a-z0-9_.]+$","maxLength":4})", {R"("a")", R"("ab_.")"},
       {R"("")", R"("abcde")", R"("A")"}},
      {R"({"type":"string","pattern":"^id-\\d{2,8}$","minLength":6,"maxLength":7})", {R"("id-123")", R"("id-1234")"},
       {R"("id-12")", R"("id-12345")", R"("id-abc")"}},
      {R"({"type":"string","pattern":"^[^\\]x]*$","minLength":2})", {R"("ab")", R"("abcdef")"}, {R"("a")", R"("ax")"}},
      // Exponents of two digits at most, so that every number parses as a finite double.
      {R"({"type":"number"})", {"1e99", "-2.5E-12"}, {"77e454693", "1e100"}},
      // A pattern matching every name leaves nothing to additionalProperties.
      {R"({"type":"object","patternProperties":{".*":{"type":"boolean"}}})", {"{}", R"({"a":true,"b":false})"},
       {R"({"a":null})", R"({"a":1})"}},
      {R"({"type":"object","patternProperties":{"^x":{"type":"boolean"}}})", {R"({"x1":true})", R"({"y":null})"},
       {R"({"x1":true,)"}},
      {R"({"type":"string","format":"email"})", {R"("a.b@example.com")"}, {R"("ab.example.com")"}},
      {R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"}},"required":["a"],"additionalProperties":false})",
       {R"({"a":1})", R"({"a":1,"b":"x"})"}, {R"({})", R"({"b":"x","a":1})", R"({"a":1,"c":2})", R"({"a":1,})"}},
      {R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"boolean"},"c":{"type":"null"}}})",
       {"{}", R"({"a":1})", R"({"b":true})", R"({"a":1,"c":null})", R"({"a":1,"b":false,"c":null})", R"({"x":[1,{}]})",
        R"({"a":1,"zz":"q"})"},
       // {"a":"1"} is admitted as an extra member named "a": the validator rejects it.
       {R"({,"b":true})", R"({"a":1,"b":true,})", R"({"a":01})"}},
      {R"({"type":"object","required":["id"],"additionalProperties":{"type":"integer"}})",
       {R"({"id":1})", R"({"id":1,"n":2})"}, {R"({})", R"({"id":1,"n":"s"})"}},
      {R"({"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3})", {"[1]", "[1,2,3]"},
       {"[]", "[1,2,3,4]", "[1,]", "[\"a\"]"}},
      {R"({"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],"items":false})",
       {"[]", R"(["a"])", R"(["a",1])"}, {R"(["a",1,2])", R"([1])"}},
      {R"({"type":"array","items":[{"type":"boolean"}],"additionalItems":{"type":"null"},"minItems":2})",
       {"[true,null]", "[false,null,null]"}, {"[true]", "[true,true]"}},
      {R"({"anyOf":[{"type":"integer"},{"type":"string","maxLength":1}]})", {"1", R"("a")"}, {R"("ab")", "true"}},
      {R"({"type":["string","null"]})", {"null", R"("x")"}, {"1"}},
      {R"({"type":"string","nullable":true})", {"null", R"("x")"}, {"1"}},
      {R"({"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},{"properties":{"b":{"type":"string"}},"required":["b"]}]})",
       {R"({"a":1,"b":"x"})"}, {R"({"a":1})", R"({"b":"x","a":1})"}},
      {R"({"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},"next":{"$ref":"#/$defs/node"}},"required":["v"],"additionalProperties":false}},"$ref":"#/$defs/node"})",
       {R"({"v":1})", R"({"v":1,"next":{"v":2,"next":{"v":3}}})"}, {R"({"v":1,"next":{}})"}},
      {R"({"definitions":{"x":{"type":"integer"}},"type":"array","items":{"$ref":"#/definitions/x"}})", {"[1,2]"},
       {"[\"a\"]"}},
      {R"({"type":"object","properties":{"q":{"type":"string","x-kolibri-substring-of":"He said \"hi\" twice"}},"required":["q"]})",
       {R"({"q":"said"})", R"({"q":"\"hi\""})", R"({"q":""})", R"({"q":"twice"})"}, {R"({"q":"said hi"})", R"({"q":"thrice"})"}},
      {"true", {"1", "{}", R"({"a":[null,true,"x"]})"}, {"{ }", "[1, 2]"}},
  };
  return cases;
}

std::shared_ptr<const CompiledGrammar> CompileOrDie(const std::string& schema,
                                                    const std::shared_ptr<const VocabularyIndex>& vocab) {
  auto sg = JsonSchemaToGrammar(schema);
  EXPECT_TRUE(sg.ok()) << schema << ": " << sg.status().ToString();
  if (!sg.ok()) return nullptr;
  auto cg = CompileGrammar(sg->grammar, vocab);
  EXPECT_TRUE(cg.ok()) << schema << ": " << cg.status().ToString();
  return cg.ok() ? *cg : nullptr;
}

bool AcceptsBytes(const std::shared_ptr<const CompiledGrammar>& g, const std::string& text) {
  GrammarMatcher m(g);
  return m.AcceptString(text) && m.CanEnd();
}

TEST(JsonSchemaConverterTest, ByteLevelTable) {
  auto vocab = testing::ByteVocabulary();
  for (const Case& c : Cases()) {
    auto g = CompileOrDie(c.schema, vocab);
    if (g == nullptr) continue;
    for (const auto& s : c.accept) EXPECT_TRUE(AcceptsBytes(g, s)) << c.schema << " should accept " << s;
    for (const auto& s : c.reject) EXPECT_FALSE(AcceptsBytes(g, s)) << c.schema << " should reject " << s;
  }
}

// Token level: each token of a segmentation must be in the mask before it is accepted, and
// the stop token must be allowed exactly at the end.
TEST(JsonSchemaConverterTest, TokenLevelTableQwen2) {
  auto vocab = testing::Qwen2Vocabulary();
  if (vocab == nullptr) GTEST_SKIP() << "ggml-vocab-qwen2.gguf not found (KOLIBRI_LLAMA_SOURCE_DIR)";
  std::vector<uint32_t> mask(vocab->mask_words());
  const int32_t eos = vocab->vocabulary().stop_ids.at(0);
  for (const Case& c : Cases()) {
    auto g = CompileOrDie(c.schema, vocab);
    if (g == nullptr) continue;
    for (const auto& s : c.accept) {
      GrammarMatcher m(g);
      for (int32_t t : testing::GreedyTokenize(*vocab, s)) {
        m.FillNextTokenBitmask(mask.data());
        EXPECT_TRUE((mask[t >> 5] >> (t & 31)) & 1) << c.schema << " mask lacks token " << t << " in " << s;
        ASSERT_TRUE(m.AcceptToken(t)) << c.schema << " rejects token " << t << " in " << s;
      }
      m.FillNextTokenBitmask(mask.data());
      EXPECT_TRUE((mask[eos >> 5] >> (eos & 31)) & 1) << c.schema << " no EOS after " << s;
      EXPECT_TRUE(m.AcceptToken(eos));
    }
    for (const auto& s : c.reject) {
      GrammarMatcher m(g);
      bool ok = true;
      for (int32_t t : testing::GreedyTokenize(*vocab, s)) ok = ok && m.AcceptToken(t);
      EXPECT_FALSE(ok && m.AcceptToken(eos)) << c.schema << " should reject " << s;
    }
  }
}

TEST(JsonSchemaConverterTest, ErrorsNameThePointer) {
  struct Bad {
    const char* schema;
    ErrorCode code;
    const char* needle;
  };
  const std::vector<Bad> bad = {
      {"{", ErrorCode::kInvalidArgument, "not valid JSON"},
      {R"({"type":"array","minItems":3,"maxItems":1})", ErrorCode::kInvalidArgument, "minItems > maxItems"},
      {R"({"properties":{"a":{"enum":[]}},"required":["a"]})", ErrorCode::kInvalidArgument, "/properties/a"},
      {R"({"type":"number","minimum":3,"exclusiveMaximum":3})", ErrorCode::kInvalidArgument, "admits no value"},
      {R"({"$ref":"#/$defs/missing"})", ErrorCode::kInvalidArgument, "unresolvable"},
      {R"({"$ref":"https://example.com/s.json"})", ErrorCode::kUnsupported, "$ref"},
      {R"({"type":"string","pattern":"(ab"})", ErrorCode::kInvalidArgument, "pattern"},
      {R"({"allOf":[{"type":"string"},{"type":"integer"}]})", ErrorCode::kInvalidArgument, "admits no value"},
      {R"({"type":"wat"})", ErrorCode::kInvalidArgument, "unknown type"},
  };
  for (const Bad& b : bad) {
    auto r = JsonSchemaToGrammar(b.schema);
    ASSERT_FALSE(r.ok()) << b.schema;
    EXPECT_EQ(r.status().code(), b.code) << b.schema << ": " << r.status().ToString();
    EXPECT_NE(r.status().message().find(b.needle), std::string::npos) << r.status().ToString();
  }
}

TEST(JsonSchemaConverterTest, LenientRelaxesRemoteRef) {
  SchemaCompileOptions o;
  o.mode = SchemaMode::kLenient;
  auto r = JsonSchemaToGrammar(R"({"properties":{"a":{"$ref":"other.json#/x"}}})", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->report.Count(KeywordHandling::kRelaxed), 1u);
}

TEST(JsonSchemaConverterTest, ReportClassifiesEveryKeyword) {
  auto r = JsonSchemaToGrammar(
      R"({"title":"t","type":"array","uniqueItems":true,"x-kubernetes-list-type":"set",
          "items":{"type":"string","format":"color-hex"},"not":{"maxItems":0}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::map<std::string, KeywordHandling> got;
  for (const auto& e : r->report.entries) got[e.pointer + "#" + e.keyword] = e.handling;
  EXPECT_EQ(got["#title"], KeywordHandling::kAnnotation);
  EXPECT_EQ(got["#type"], KeywordHandling::kEnforced);
  EXPECT_EQ(got["#uniqueItems"], KeywordHandling::kPostChecked);
  EXPECT_EQ(got["#not"], KeywordHandling::kPostChecked);
  EXPECT_EQ(got["#x-kubernetes-list-type"], KeywordHandling::kAnnotation);
  EXPECT_EQ(got["/items#format"], KeywordHandling::kAnnotation);
  EXPECT_EQ(got["#items"], KeywordHandling::kEnforced);
  EXPECT_EQ(r->report.entries.size(), 8u);
}

TEST(JsonSchemaConverterTest, EvidenceBindsToOptionsText) {
  SchemaCompileOptions o;
  o.evidence_text = "Order 12345 shipped";
  auto sg = JsonSchemaToGrammar(R"({"type":"string","x-kolibri-evidence":true})", o);
  ASSERT_TRUE(sg.ok());
  auto g = CompileGrammar(sg->grammar, testing::ByteVocabulary());
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(AcceptsBytes(*g, R"("12345 ship")"));
  EXPECT_FALSE(AcceptsBytes(*g, R"("123456")"));
}

TEST(JsonSchemaConverterTest, SerializeInSchemaOrder) {
  auto schema = nlohmann::ordered_json::parse(R"({"properties":{"b":{},"a":{"properties":{"y":{},"x":{}}}}})");
  auto value = nlohmann::ordered_json::parse(R"({"z":1,"a":{"x":1,"y":2},"b":[1, 2]})");
  EXPECT_EQ(SerializeInSchemaOrder(value, schema), R"({"b":[1,2],"a":{"y":2,"x":1},"z":1})");
}

}  // namespace
}  // namespace kolibri::grammar
