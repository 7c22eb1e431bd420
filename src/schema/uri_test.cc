#include "schema/uri.h"

#include <gtest/gtest.h>

namespace kolibri::schema {
namespace {

TEST(ResolveUri, Rfc3986Examples) {
  const std::string base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> kCases[] = {
      {"g", "http://a/b/c/g"},       {"./g", "http://a/b/c/g"},     {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},          {"//g", "http://g"},           {"?y", "http://a/b/c/d;p?y"},
      {"#s", "http://a/b/c/d;p?q#s"}, {"../g", "http://a/b/g"},     {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},  {"g;x=1/../y", "http://a/b/c/y"}, {"", "http://a/b/c/d;p?q"},
      {"urn:x:y", "urn:x:y"},
  };
  for (const auto& [reference, expected] : kCases) {
    EXPECT_EQ(ResolveUri(base, reference), expected) << reference;
  }
  EXPECT_EQ(ResolveUri("http://x/y.json", "#"), "http://x/y.json");
}

TEST(ParsePointer, UnescapesAndRejects) {
  Result<std::vector<std::string>> tokens = ParsePointer("/a~1b/~0/0");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(*tokens, (std::vector<std::string>{"a/b", "~", "0"}));
  EXPECT_TRUE(ParsePointer("")->empty());
  EXPECT_FALSE(ParsePointer("a").ok());
  EXPECT_FALSE(ParsePointer("/~2").ok());
  EXPECT_EQ(EscapePointerToken("a/b~"), "a~1b~0");
  EXPECT_EQ(PercentDecode("%25foo%2Fbar%zz"), "%foo/bar%zz");
}

}  // namespace
}  // namespace kolibri::schema
