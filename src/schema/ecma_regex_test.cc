#include "schema/ecma_regex.h"

#include <gtest/gtest.h>

namespace kolibri::schema {
namespace {

TEST(EcmaRegex, EcmaScriptSemanticsOverCodePoints) {
  struct Case {
    const char* pattern;
    const char* subject;
    bool matches;
  };
  const Case kCases[] = {
      {"^.$", "日", true},          {"^.$", "😀", true},          {"^\\d$", "٣", false},
      {"^\\w+$", "é", false},       {"^\\s$", "\u2003", true},    {"^\\S$", "\u00a0", false},
      {"^[\\s]$", "\ufeff", true},   {"^\\u{1F600}$", "😀", true}, {"b", "abc", true},
      {"^b", "abc", false},         {"^a$", "a\n", false},        {"[^a]", "aaa", false},
  };
  for (const Case& c : kCases) {
    Result<EcmaRegex> regex = EcmaRegex::Compile(c.pattern);
    ASSERT_TRUE(regex.ok()) << c.pattern << ": " << regex.status().ToString();
    EXPECT_EQ(regex->Search(c.subject, 100) == EcmaRegex::Outcome::kMatch, c.matches)
        << c.pattern << " on " << c.subject;
  }
}

TEST(EcmaRegex, RejectsWhatItCannotHonour) {
  for (const char* pattern : {"\\p{L}", "\\P{Lu}", "(?<=a)b", "(?<name>a)", "(", "\\Z", "[b-a]"}) {
    Result<EcmaRegex> regex = EcmaRegex::Compile(pattern);
    EXPECT_FALSE(regex.ok()) << pattern;
    if (!regex.ok()) {
      EXPECT_EQ(regex.status().code(), ErrorCode::kInvalidArgument);
    }
  }
}

TEST(EcmaRegex, BoundsTheSubject) {
  Result<EcmaRegex> regex = EcmaRegex::Compile("a");
  ASSERT_TRUE(regex.ok());
  EXPECT_EQ(regex->Search("éé", 2), EcmaRegex::Outcome::kNoMatch);
  EXPECT_EQ(regex->Search("ééa", 2), EcmaRegex::Outcome::kTooLong);
  EXPECT_EQ(DecodeUtf8("a\xff"), std::wstring(L"a\ufffd"));
}

}  // namespace
}  // namespace kolibri::schema
