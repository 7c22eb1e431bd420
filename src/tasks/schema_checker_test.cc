#include "tasks/schema_checker.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace kolibri::tasks {
namespace {

constexpr const char* kSchema = R"({
  "type": "object",
  "$defs": {"name": {"type": "string", "x-kolibri-evidence": true}},
  "properties": {
    "order_id": {"type": ["string", "null"], "x-kolibri-evidence": true},
    "customer": {"$ref": "#/$defs/name"},
    "items": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string", "x-kolibri-evidence": true}}}},
    "note": {"type": "string"},
    "either": {"anyOf": [{"type": "string", "x-kolibri-evidence": true}, {"type": "integer"}]}
  },
  "required": ["order_id"]
})";

constexpr const char* kInput = "Order AB-1234 from Jane Roe: 2x SKU-9, 1x SKU-10.";

TEST(SchemaCheckerTest, EvidenceStringsMustOccurInTheInput) {
  auto c = SchemaChecker::Create(kSchema);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE((*c)->has_evidence_fields());
  auto ok = nlohmann::json::parse(
      R"({"order_id": "AB-1234", "customer": "Jane Roe", "items": [{"sku": "SKU-9"}, {"sku": "SKU-10"}],
          "note": "anything at all", "either": 7})");
  EXPECT_TRUE((*c)->Check(ok, kInput).empty());
  auto bad = nlohmann::json::parse(
      R"({"order_id": "AB-9999", "customer": "John Doe", "items": [{"sku": "SKU-9"}, {"sku": "SKU-11"}],
          "either": "invented"})");
  auto errors = (*c)->Check(bad, kInput);
  std::sort(errors.begin(), errors.end());
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].rfind("/customer: \"John Doe\" does not occur", 0), 0u) << errors[0];
  EXPECT_EQ(errors[1].rfind("/either:", 0), 0u) << errors[1];
  EXPECT_EQ(errors[2].rfind("/items/1/sku:", 0), 0u) << errors[2];
  EXPECT_EQ(errors[3].rfind("/order_id:", 0), 0u) << errors[3];
  EXPECT_TRUE((*c)->CheckEvidence(nlohmann::json::parse(R"({"order_id": null})"), kInput).empty());
}

TEST(SchemaCheckerTest, ValidationErrorsComeFirst) {
  auto c = SchemaChecker::Create(kSchema);
  ASSERT_TRUE(c.ok());
  auto errors = (*c)->Check(nlohmann::json::parse(R"({"customer": "Nobody"})"), kInput);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("order_id"), std::string::npos) << errors[0];  // required
  EXPECT_NE(errors[1].find("does not occur"), std::string::npos) << errors[1];
  EXPECT_FALSE(SchemaChecker::Create("{nope").ok());
  auto plain = SchemaChecker::Create(R"({"type": "string"})");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE((*plain)->has_evidence_fields());
}

}  // namespace
}  // namespace kolibri::tasks
