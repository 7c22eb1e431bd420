// SourceIndex and EmbedPendingChunks with the generated bert-tiny embedding model: hybrid
// retrieval end to end, the BM25 fallback, and a foreign embedding model refused.
#include "kolibri/tasks/source_index.h"

#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"
#include "kolibri/ingest.h"
#include "testing/test_models.h"

namespace kolibri::tasks {
namespace {

std::shared_ptr<Embedder> MakeEmbedder(const std::string& shape, const std::string& vocab) {
  auto model = kolibri::testing::SharedTestModel(shape, "f16", vocab);
  if (model == nullptr) return nullptr;
  auto e = Embedder::Create(model, EmbedderOptions{.context = 256, .max_sequences = 8, .threads = 2, .truncate = true});
  return e.ok() ? std::shared_ptr<Embedder>(std::move(*e)) : nullptr;
}

class SourceIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("docs/refunds.md", "# Refunds\n\nRefunds are paid within five business days to the original card.\n");
    dir_.Write("docs/shipping.txt", "Shipping\n\nParcels ship from Hamburg every weekday by courier.\n");
    dir_.Write("docs/penguins.txt", "Penguins\n\nPenguins live in the southern hemisphere and cannot fly.\n");
    path_ = dir_.path() + "/index.db";
    auto s = DocumentStore::Open(path_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    IngestSink sink;
    sink.is_current = [this](const std::string& p, const std::string& h) { return store_->IsCurrent(p, h); };
    sink.replace = [this](const std::string& p, const std::string& h, const std::vector<Document>& d) {
      return store_->ReplaceSource(p, h, d);
    };
    ASSERT_TRUE(IngestPaths({dir_.path() + "/docs"}, IngestOptions{}, sink).ok());
  }
  kolibri::testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<DocumentStore> store_;
};

TEST_F(SourceIndexTest, HybridSearchWithBertTiny) {
  auto bert = MakeEmbedder("bert-tiny", "bert-bge");
  ASSERT_NE(bert, nullptr);
  int64_t last_progress = 0;
  auto embedded = EmbedPendingChunks(*store_, *bert, {.batch = 2, .progress = [&](int64_t done, int64_t pending) {
                                                        last_progress = done;
                                                        EXPECT_EQ(pending, 3);
                                                      }});
  ASSERT_TRUE(embedded.ok()) << embedded.status().ToString();
  EXPECT_EQ(*embedded, 3);
  EXPECT_EQ(last_progress, 3);
  EXPECT_EQ(*EmbedPendingChunks(*store_, *bert), 0);  // nothing left: resumable, idempotent
  EXPECT_EQ(store_->Stats()->embedded_chunks, 3);
  EXPECT_EQ((*store_->EmbeddingModel())->dimension, 64);

  auto index = SourceIndex::Open(path_, bert);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_TRUE((*index)->hybrid());
  auto found = (*index)->Search("when are refunds paid to the card", {.k = 3});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->mode, "hybrid");
  EXPECT_TRUE(found->warnings.empty());
  ASSERT_EQ(found->chunks.size(), 3u);  // the vector side ranks every chunk
  EXPECT_GT(found->query_tokens, 0);
  // The only BM25 match is ranked by both retrievers, so it leads the fused list.
  EXPECT_NE(found->chunks[0].text.find("five business days"), std::string::npos);
  EXPECT_EQ(found->chunks[0].FoundBy(), "bm25+vector");
  EXPECT_EQ(found->chunks[1].FoundBy(), "vector");
  EXPECT_GT(found->chunks[0].score, found->chunks[1].score);

  EXPECT_EQ((*index)->Search("   ", {.k = 3}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ((*index)->Search("refunds", {.k = 0}).status().code(), ErrorCode::kInvalidArgument);

  // BM25 only (no embedder): the same index still answers.
  auto plain = SourceIndex::Open(path_, nullptr);
  ASSERT_TRUE(plain.ok());
  auto bm25 = (*plain)->Search("refunds", {.k = 3});
  ASSERT_TRUE(bm25.ok());
  EXPECT_EQ(bm25->mode, "bm25");
  ASSERT_EQ(bm25->chunks.size(), 1u);

  // Another model (the tiny decoder, mean-pooled) is refused by name.
  auto other = MakeEmbedder("tiny", "qwen2");
  ASSERT_NE(other, nullptr);
  auto refused = SourceIndex::Open(path_, other);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("bert-tiny"), std::string::npos) << refused.status().message();
  EXPECT_EQ(EmbedPendingChunks(*store_, *other).status().code(), ErrorCode::kFailedPrecondition);
  // ... until the index is re-embedded with it.
  ASSERT_EQ(*EmbedPendingChunks(*store_, *other, {.reembed = true}), 3);
  EXPECT_TRUE(SourceIndex::Open(path_, other).ok());
}

TEST_F(SourceIndexTest, IndexWithoutVectorsFallsBackToBm25AndMissingIndexIsNotFound) {
  auto bert = MakeEmbedder("bert-tiny", "bert-bge");
  ASSERT_NE(bert, nullptr);
  auto index = SourceIndex::Open(path_, bert);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_FALSE((*index)->hybrid());
  auto found = (*index)->Search("penguins", {.k = 2});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->mode, "bm25");
  ASSERT_EQ(found->warnings.size(), 1u);
  EXPECT_NE(found->warnings[0].find("no embeddings"), std::string::npos);
  EXPECT_EQ(SourceIndex::Open(dir_.path() + "/missing.db", nullptr).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace kolibri::tasks
