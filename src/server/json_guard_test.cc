#include "server/json_guard.h"

#include <gtest/gtest.h>

#include <string>

namespace kolibri::server {
namespace {

struct Utf8Case {
  std::string text;
  bool ok;
};

TEST(JsonGuardTest, Utf8Table) {
  const Utf8Case cases[] = {
      {"plain ascii", true},
      {"gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x90\xa6", true},  // ü ß € 🐦
      {"\xc3", false},                  // truncated
      {"\xc0\xaf", false},              // overlong '/'
      {"\xe0\x80\xaf", false},          // overlong, 3 bytes
      {"\xed\xa0\x80", false},          // surrogate U+D800
      {"\xf4\x90\x80\x80", false},      // above U+10FFFF
      {"\xff", false},
      {"a\x80z", false},                // stray continuation byte
  };
  for (const auto& c : cases) {
    Status s = CheckUtf8(c.text);
    EXPECT_EQ(s.ok(), c.ok) << "case: " << c.text;
    if (!c.ok) {
      EXPECT_NE(s.message().find("not valid UTF-8"), std::string::npos);
    }
  }
}

TEST(JsonGuardTest, DepthIgnoresBracketsInStrings) {
  EXPECT_TRUE(CheckJsonDepth(R"({"a":[[1]]})", 3).ok());
  EXPECT_FALSE(CheckJsonDepth(R"({"a":[[1]]})", 2).ok());
  EXPECT_TRUE(CheckJsonDepth(R"({"a":"[[[[[[\"[[["})", 1).ok());
}

TEST(JsonGuardTest, DeepNestingIsRefusedWithoutRecursing) {
  std::string deep(1'000'000, '[');
  auto r = ParseJsonBody(deep, 64);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("deeper than 64"), std::string::npos);
}

TEST(JsonGuardTest, MalformedJsonNamesThePosition) {
  auto r = ParseJsonBody(R"({"a":)", 64);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("malformed JSON: ", 0), 0u) << r.status().message();
  EXPECT_EQ(r.status().message().find("json.exception"), std::string::npos);
}

TEST(JsonGuardTest, ValidBodyParses) {
  auto r = ParseJsonBody(R"({"messages":[{"role":"user","content":"hi \u00fc"}]})", 64);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["messages"][0]["content"], "hi \xc3\xbc");
}

}  // namespace
}  // namespace kolibri::server
