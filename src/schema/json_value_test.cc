#include "schema/json_value.h"

#include <gtest/gtest.h>

namespace kolibri::schema {
namespace {

using nlohmann::json;

TEST(IsMultipleOf, DecidesOnDecimalText) {
  struct Case {
    const char* value;
    const char* divisor;
    bool expected;
  };
  const Case kCases[] = {
      {"0.0075", "0.0001", true},  {"0.00751", "0.0001", false}, {"12.5", "0.2", false},
      {"12.6", "0.2", true},       {"0.3", "0.1", true},         {"19.99", "0.01", true},
      {"4.5", "1.5", true},        {"35", "1.5", false},         {"10", "2", true},
      {"-10", "4", false},         {"-12", "4", true},           {"0", "0.7", true},
      {"1e308", "0.123456789", false}, {"1e20", "7", false},     {"7e20", "7", true},
      {"1", "1e-30", true},        {"1e-30", "1", false},        {"18446744073709551615", "5", true},
      {"-9223372036854775808", "2", true},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(IsMultipleOf(json::parse(c.value), json::parse(c.divisor)), c.expected)
        << c.value << " multipleOf " << c.divisor;
  }
}

TEST(CompareNumbers, ExactAcrossRepresentations) {
  EXPECT_EQ(CompareNumbers(json(1), json(1.0)), 0);
  EXPECT_EQ(CompareNumbers(json(-1), json(18446744073709551615ull)), -1);
  EXPECT_EQ(CompareNumbers(json(9007199254740993ll), json(9007199254740992.0)), 1);
  EXPECT_EQ(CompareNumbers(json(2.5), json(2)), 1);
}

TEST(IsInteger, DependsOnDraftForIntegralFloats) {
  EXPECT_TRUE(IsInteger(json(1.0), true));
  EXPECT_FALSE(IsInteger(json(1.0), false));
  EXPECT_FALSE(IsInteger(json(1.5), true));
  EXPECT_TRUE(IsInteger(json(-3), false));
  EXPECT_FALSE(IsInteger(json("1"), true));
}

TEST(JsonEqual, SchemaEquality) {
  EXPECT_TRUE(JsonEqual(json::parse(R"({"a":[1,{"b":2}]})"), json::parse(R"({"a":[1.0,{"b":2.0}]})")));
  EXPECT_FALSE(JsonEqual(json(true), json(1)));
  EXPECT_FALSE(JsonEqual(json::parse("[1,2]"), json::parse("[2,1]")));
}

TEST(Summarize, CutsLongValuesAtCharacterBoundaries) {
  EXPECT_EQ(Summarize(json("abc")), "\"abc\"");
  std::string cut = Summarize(json(std::string(30, 'x') + "ééééé"), 32);
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
  EXPECT_LE(cut.size(), 36u);
  EXPECT_EQ(CodePointCount("aé日😀"), 4u);
}

}  // namespace
}  // namespace kolibri::schema
