#include "kolibri/ggml_type.h"

#include <gtest/gtest.h>

namespace kolibri {
namespace {

TEST(GgmlTypeTest, KnownTypesHaveGeometry) {
  auto q4k = GgmlTypeInfo(12);
  ASSERT_TRUE(q4k.has_value());
  EXPECT_EQ(q4k->name, "q4_K");
  EXPECT_EQ(q4k->block_size, 256);
  EXPECT_EQ(q4k->type_size, 144);
  EXPECT_FALSE(GgmlTypeInfo(4).has_value());   // Q4_2, removed
  EXPECT_FALSE(GgmlTypeInfo(999).has_value());
}

TEST(GgmlTypeTest, NamesRoundTripCaseInsensitively) {
  EXPECT_EQ(GgmlTypeFromName("Q8_0"), GgmlType::kQ8_0);
  EXPECT_EQ(GgmlTypeFromName("f16"), GgmlType::kF16);
  EXPECT_FALSE(GgmlTypeFromName("q9_9").has_value());
  EXPECT_EQ(GgmlTypeName(GgmlType::kQ6_K), "q6_K");
}

TEST(GgmlTypeTest, RowBytes) {
  EXPECT_EQ(GgmlRowBytes(GgmlType::kF16, 896), 1792u);
  EXPECT_EQ(GgmlRowBytes(GgmlType::kQ8_0, 64), 68u);
  EXPECT_EQ(GgmlRowBytes(GgmlType::kQ4_K, 512), 288u);
}

TEST(GgmlTypeTest, FileTypeNames) {
  EXPECT_EQ(LlamaFileTypeName(15), "Q4_K - Medium");
  EXPECT_EQ(LlamaFileTypeName(7), "Q8_0");
  EXPECT_EQ(LlamaFileTypeName(1), "F16");
  EXPECT_EQ(LlamaFileTypeName(5), "unknown");
}

}  // namespace
}  // namespace kolibri
