#include "kolibri/grammar/gbnf.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "grammar/test_vocab.h"
#include "kolibri/grammar/grammar_matcher.h"

namespace kolibri::grammar {
namespace {

struct Case {
  std::string name;  // a file in llama.cpp's grammars/ or a label
  std::string text;  // grammar text (empty: read the file)
  std::vector<std::string> accept, reject;
};

bool Matches(const std::shared_ptr<const CompiledGrammar>& g, const std::string& s) {
  GrammarMatcher m(g);
  return m.AcceptString(s) && m.CanEnd();
}

void Check(const Case& c) {
  std::string text = c.text;
  if (text.empty()) {
    const std::string path = testing::LlamaSourceDir() + "/grammars/" + c.name;
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto g = GbnfToGrammar(text);
  ASSERT_TRUE(g.ok()) << c.name << ": " << g.status().ToString();
  auto compiled = CompileGrammar(*g, testing::ByteVocabulary());
  ASSERT_TRUE(compiled.ok()) << c.name << ": " << compiled.status().ToString();
  for (const auto& s : c.accept) EXPECT_TRUE(Matches(*compiled, s)) << c.name << " should accept: " << s;
  for (const auto& s : c.reject) EXPECT_FALSE(Matches(*compiled, s)) << c.name << " should reject: " << s;
}

TEST(GbnfTest, LlamaCppGrammars) {
  if (testing::LlamaSourceDir().empty() ||
      !std::filesystem::exists(testing::LlamaSourceDir() + "/grammars/json.gbnf")) {
    GTEST_SKIP() << "llama.cpp source tree with grammars/ not found";
  }
  const std::vector<Case> cases = {
      {"json.gbnf", "",
       {"{}", "{\"a\": [1, 2.5, \"x\"]}", "{\"k\":true,\"n\":null,\"o\":{\"e\":-1.5e+3}}", "{\"s\":\"\\u00e9\\n\"}"},
       {"[1]", "{\"a\":}", "{'a':1}", "{\"a\":1", "{\"a\":01x}"}},
      {"json_arr.gbnf", "", {"[\n]", "[\n1,\n{\"a\": \"b\"}]"}, {"[1]", "[\n1,2]", "{}"}},
      {"arithmetic.gbnf", "", {"1+2=3\n", "(a *b)=c1\n", "x=1\ny=2\n"}, {"1+=2\n", "1=2", "A=1\n"}},
      {"c.gbnf", "",
       {"int main(){return 0;}", "float f(int x){x = x+1;return x;}",
        "int g(){while(a<b){a = a+1;}/* done */}"},
       {"int main(){return 0}", "main(){}", "int main(){return 0;"}},
      {"chess.gbnf", "", {"1. e4 e5\n2. Nf3 Nc6\n", "1. O-O Qxd8+\n12. exd5 a8=Q#\n"},
       {"1. e4 e5\n", "1. e9 e5\n2. a1 a2\n", "2. e4 e5\n3. d4 d5\n"}},
      {"list.gbnf", "", {"- milk\n", "- milk\n- eggs\n"}, {"milk\n", "- \n", "- a\u2028b\n", ""}},
      {"japanese.gbnf", "", {"こんにちは 世界", "カタカナ、漢字"}, {"hello", "こんにちは  世界", ""}},
      {"english.gbnf", "", {"Hello world!", "a\tb\nc"}, {"Hello  world", "", "café"}},
  };
  for (const auto& c : cases) Check(c);
}

TEST(GbnfTest, SyntaxTable) {
  const std::vector<Case> cases = {
      {"alternation and groups", "root ::= \"a\" (\"b\" | \"c\")+ | \"d\"", {"ab", "acb", "d"}, {"a", "ad", "dd"}},
      {"repetition bounds", "root ::= [0-9]{2} [a-z]{1,3} \"-\"{2,} \"!\"{0,1}", {"12a--", "12abc---!"},
       {"1a--", "12abcd--", "12a-", "12a--!!"}},
      {"negated classes and ranges", "root ::= [^a-c\\n] [a\\-z] [\\]\\[]", {"xa]", "é-[", "1z]"}, {"aa]", "\na]", "xb]"}},
      {"escapes", "root ::= \"\\x41\\u00e9\\U0001F600\\t\\r\\n\\\\\\\"\"",
       {"A\xC3\xA9\xF0\x9F\x98\x80\t\r\n\\\""}, {"A"}},
      {"any code point", "root ::= \".\" . .", {".a\xE2\x82\xAC"}, {".a", ".a\xE2\x82"}},
      {"comments, newlines, names", "# header\nroot ::= item-1 | # trailing\n  item2\n\nitem-1 ::= (\n  \"x\"\n  \"y\" )\nitem2 ::= \"z\"\r\n",
       {"xy", "z"}, {"x", "yz"}},
      {"empty alternative", "root ::= | \"a\"", {"", "a"}, {"b"}},
      {"recursion", "root ::= \"(\" root \")\" | \"\"", {"", "()", "((()))"}, {"(()", ")("}},
  };
  for (const auto& c : cases) Check(c);
}

TEST(GbnfTest, ErrorsNameLineAndColumn) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"root ::= \"a\"\nroot ::= \"b\"", "gbnf:2:1: rule 'root' is defined twice (first at 1:1)"},
      {"root ::= item\n", "gbnf:1:10: undefined rule 'item'"},
      {"start ::= \"a\"", "has no 'root' rule"},
      {"root := \"a\"", "gbnf:1:6: expected '::='"},
      {"root ::= \"abc", "gbnf:1:10: unterminated string literal"},
      {"root ::= [a-", "gbnf:1:10: unterminated character class"},
      {"root ::= [z-a]", "gbnf:1:11: character range ends below its start"},
      {"root ::= \"\\q\"", "gbnf:1:11: unknown escape '\\q'"},
      {"root ::= \"\\x4\"", "gbnf:1:11: expected 2 hex digits after '\\x'"},
      {"root ::= \"\\uD800\"", "surrogate code point"},
      {"root ::= \"é\" (\"a\"\n  \"b\"", "gbnf:2:6: expected ')' to close the '(' at 1:14"},
      {"root ::= * \"a\"", "gbnf:1:10: '*' must follow an item"},
      {"root ::= \"a\"{3,1}", "has max < min"},
      {"root ::= \"a\"{2", "expected ',' or '}'"},
      {"root ::= \"a\" )", "gbnf:1:14: expected a newline or the end"},
      {"root ::= \"a\"\n\n  ::= \"b\"", "gbnf:3:3: expected a rule name"},
      {"root ::= \"\xC3\"", "invalid UTF-8"},
  };
  for (const auto& [text, needle] : cases) {
    auto g = GbnfToGrammar(text);
    ASSERT_FALSE(g.ok()) << text;
    EXPECT_EQ(g.status().code(), ErrorCode::kInvalidArgument) << g.status().ToString();
    EXPECT_NE(g.status().message().find(needle), std::string::npos) << text << " → " << g.status().message();
  }
  auto token = GbnfToGrammar("root ::= \"a\"\nx ::= <think>");
  EXPECT_EQ(token.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(token.status().message().find("gbnf:2:7:"), std::string::npos) << token.status().message();
  auto huge = GbnfToGrammar("root ::= \"a\"{20000}");
  EXPECT_EQ(huge.status().code(), ErrorCode::kResourceExhausted);
  auto deep = GbnfToGrammar("root ::= " + std::string(1000, '(') + "\"a\"" + std::string(1000, ')'));
  EXPECT_EQ(deep.status().code(), ErrorCode::kResourceExhausted);
  // Left recursion parses but is refused by the compiler, naming the rule.
  auto left = GbnfToGrammar("root ::= expr\nexpr ::= expr \"+\" \"1\" | \"1\"");
  ASSERT_TRUE(left.ok());
  auto compiled = CompileGrammar(*left, testing::ByteVocabulary());
  ASSERT_FALSE(compiled.ok());
  EXPECT_NE(compiled.status().message().find("'expr' is left-recursive"), std::string::npos);
}

}  // namespace
}  // namespace kolibri::grammar
