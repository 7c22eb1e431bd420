#include "router/text_features.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kolibri::router {
namespace {

TEST(TextFeaturesTest, SplitWordsLowercasesNormalisesAndSplitsOnPunctuation) {
  EXPECT_EQ(SplitWords("Hello, WORLD! it's 2024"),
            (std::vector<std::string>{"hello", "world", "it", "s", "2024"}));
  // Full-width letters fold to ASCII (NFKC), German capitals lower-case, accents stay.
  EXPECT_EQ(SplitWords("\xEF\xBC\xA3\xEF\xBD\x81\xEF\xBD\x92\xEF\xBD\x84 \xC3\x84PFEL caf\xC3\xA9"),
            (std::vector<std::string>{"card", "\xC3\xA4pfel", "caf\xC3\xA9"}));
  EXPECT_TRUE(SplitWords("  ...  ").empty());
}

TEST(TextFeaturesTest, FeaturesAreSortedUniqueAndCaseInsensitive) {
  FeatureHasher hasher({.hash_bits = 16});
  std::vector<SparseFeature> a, b;
  hasher.Featurize("My card has not arrived", &a);
  hasher.Featurize("MY CARD  has not   arrived!", &b);
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].bucket, b[i].bucket);
    EXPECT_FLOAT_EQ(a[i].value, b[i].value);
    EXPECT_LT(a[i].bucket, 1u << 16);
    if (i > 0) {
      EXPECT_LT(a[i - 1].bucket, a[i].bucket);
    }
  }
}

TEST(TextFeaturesTest, RepeatsRaiseValuesSublinearly) {
  FeatureHasher hasher({.hash_bits = 20, .char_ngram_max = 0, .word_ngram_max = 1});
  std::vector<SparseFeature> f;
  hasher.Featurize("card card card", &f);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NEAR(f[0].value, 1.0f + std::log(3.0f), 1e-6);
}

TEST(TextFeaturesTest, OptionsChangeTheFeatureCount) {
  std::vector<SparseFeature> words, pairs, chars;
  FeatureHasher({.char_ngram_max = 0, .word_ngram_max = 1}).Featurize("top up my card", &words);
  FeatureHasher({.char_ngram_max = 0, .word_ngram_max = 2}).Featurize("top up my card", &pairs);
  FeatureHasher({.char_ngram_min = 3, .char_ngram_max = 3, .word_ngram_max = 1})
      .Featurize("card", &chars);
  EXPECT_EQ(words.size(), 4u);
  EXPECT_EQ(pairs.size(), 7u);
  EXPECT_EQ(chars.size(), 1u + 4u);  // "card" + "<ca", "car", "ard", "rd>"
}

TEST(TextFeaturesTest, EmptyAndInvalidUtf8) {
  FeatureHasher hasher({});
  std::vector<SparseFeature> f;
  hasher.Featurize("", &f);
  EXPECT_TRUE(f.empty());
  hasher.Featurize("caf\xC3 \xFF\xFE broken", &f);  // not UTF-8: still features, no crash
  EXPECT_FALSE(f.empty());
}

TEST(TextFeaturesTest, ScaleAndNormalizeGivesUnitNorm) {
  std::vector<SparseFeature> rows = {{0, 1.0f}, {2, 2.0f}};
  ScaleAndNormalize({3.0f, 1.0f, 0.5f}, &rows);
  EXPECT_NEAR(rows[0].value * rows[0].value + rows[1].value * rows[1].value, 1.0, 1e-6);
  EXPECT_NEAR(rows[0].value / rows[1].value, 3.0, 1e-5);
}

}  // namespace
}  // namespace kolibri::router
