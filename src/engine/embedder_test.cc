#include "kolibri/embedder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "testing/test_models.h"

namespace kolibri {
namespace {

std::shared_ptr<const Model> Load(const std::string& shape, const std::string& vocab) {
  std::string path = testing::TestModelPath(shape, "f16", vocab);
  if (path.empty()) return nullptr;
  auto m = Model::Load(path, ModelOptions{});
  return m.ok() ? *m : nullptr;
}

double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += static_cast<double>(a[i]) * b[i];
  return d;
}

TEST(EmbedderTest, BertEncoderGivesNormalizedDeterministicVectors) {
  auto model = Load("bert-tiny", "bert-bge");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->architecture(), "bert");
  auto e = Embedder::Create(model, EmbedderOptions{.max_sequences = 4});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)->dimension(), 64);
  EXPECT_EQ((*e)->context(), 512);
  std::vector<std::string> texts = {"where is my parcel", "invoice amount is wrong", "reset my password",
                                    "where is my parcel", "the fridge is broken", "refund please"};
  auto r = (*e)->Embed(texts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->vectors.size(), texts.size());
  for (const auto& v : r->vectors) {
    ASSERT_EQ(v.size(), 64u);
    EXPECT_NEAR(Dot(v, v), 1.0, 1e-4);
  }
  // Same text, different batch position (0 and 3) and a second batch: identical vector.
  EXPECT_NEAR(Dot(r->vectors[0], r->vectors[3]), 1.0, 1e-4);
  // Random weights make all vectors close, but different texts must still differ.
  float max_diff = 0;
  for (size_t i = 0; i < 64; ++i) max_diff = std::max(max_diff, std::fabs(r->vectors[0][i] - r->vectors[1][i]));
  EXPECT_GT(max_diff, 1e-4f);
  auto single = (*e)->Embed({texts[4]});
  ASSERT_TRUE(single.ok());
  EXPECT_NEAR(Dot(single->vectors[0], r->vectors[4]), 1.0, 1e-4);
  EXPECT_GT(r->prompt_tokens, 6 * 3);  // [CLS] ... [SEP] around every text
}

// Texts that each fit the context but not together: an encoder takes a batch in one
// ubatch, so they must go in separate batches (llama.cpp aborted here before).
TEST(EmbedderTest, LongTextsAreSplitAcrossBatches) {
  auto model = Load("bert-tiny", "bert-bge");
  ASSERT_NE(model, nullptr);
  auto e = Embedder::Create(model, EmbedderOptions{.context = 64, .max_sequences = 4});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  std::string long_text;
  for (int i = 0; i < 20; ++i) long_text += "refund parcel ";
  const std::vector<std::string> texts = {long_text, long_text + "late", "short one", long_text};
  auto r = (*e)->Embed(texts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->vectors.size(), 4u);
  EXPECT_NEAR(Dot(r->vectors[0], r->vectors[3]), 1.0, 1e-4);
  auto single = (*e)->Embed({texts[1]});
  ASSERT_TRUE(single.ok());
  EXPECT_NEAR(Dot(single->vectors[0], r->vectors[1]), 1.0, 1e-4);
}

TEST(EmbedderTest, DecoderFallsBackToMeanPooling) {
  auto model = Load("tiny", "qwen2");
  ASSERT_NE(model, nullptr);
  auto e = Embedder::Create(model, EmbedderOptions{.context = 256, .max_sequences = 2});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  auto r = (*e)->Embed({"hello world", "a different text entirely", "hello world"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NEAR(Dot(r->vectors[0], r->vectors[2]), 1.0, 1e-4);
  EXPECT_NEAR(Dot(r->vectors[1], r->vectors[1]), 1.0, 1e-4);
}

TEST(EmbedderTest, BadInputIsRefused) {
  auto model = Load("bert-tiny", "bert-bge");
  ASSERT_NE(model, nullptr);
  EXPECT_FALSE(Embedder::Create(model, EmbedderOptions{.max_sequences = 0}).ok());
  EXPECT_FALSE(Embedder::Create(nullptr, EmbedderOptions{}).ok());
  auto e = Embedder::Create(model, EmbedderOptions{.context = 16});
  ASSERT_TRUE(e.ok());
  auto empty = (*e)->Embed({"fine", ""});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("text 1 is empty"), std::string::npos);
  std::string longer;
  for (int i = 0; i < 40; ++i) longer += "word ";
  auto too_long = (*e)->Embed({longer});
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), ErrorCode::kOutOfRange) << too_long.status().ToString();
  auto t = Embedder::Create(model, EmbedderOptions{.context = 16, .truncate = true});
  ASSERT_TRUE(t.ok());
  auto cut = (*t)->Embed({longer});
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(cut->prompt_tokens, 16);
}

}  // namespace
}  // namespace kolibri
