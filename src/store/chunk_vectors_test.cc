// Embeddings in the document store: model record, vectors per chunk, hybrid retrieval,
// the migration of a version-1 index, and the errors a user can hit.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cmath>

#include "ingest/ingest_test_util.h"
#include "kolibri/document_store.h"

namespace kolibri {
namespace {

using testing::TempDir;

Document Doc(const std::string& id, const std::vector<std::string>& chunk_texts) {
  Document d;
  d.id = d.source_path = id;
  d.title = "T " + id;
  for (size_t i = 0; i < chunk_texts.size(); ++i) {
    Chunk c;
    c.id = id + "#" + std::to_string(i);
    c.ordinal = static_cast<int>(i);
    c.begin = d.text.size();
    d.text += chunk_texts[i];
    c.end = d.text.size();
    c.text = chunk_texts[i];
    d.chunks.push_back(c);
    d.text += "\n";
  }
  return d;
}

// A unit vector along axis `a` (tilted toward axis `b` by `tilt`).
std::vector<float> Axis(int a, int b = -1, float tilt = 0) {
  std::vector<float> v(4, 0.0f);
  v[a] = 1;
  if (b >= 0) v[b] = tilt;
  float n = 0;
  for (float x : v) n += x * x;
  for (float& x : v) x /= std::sqrt(n);
  return v;
}

class ChunkVectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/index.db";
    auto s = DocumentStore::Open(path_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->ReplaceSource("/a", "ha", {Doc("/a", {"refunds are paid in five days", "parcels ship daily"})})
                    .ok());
    ASSERT_TRUE(store_->ReplaceSource("/b", "hb", {Doc("/b", {"penguins live in the south", "invoices list tax"})})
                    .ok());
  }
  TempDir dir_;
  std::string path_;
  std::unique_ptr<DocumentStore> store_;
};

TEST_F(ChunkVectorsTest, VectorsAreStoredPerChunkAndFusedWithBm25) {
  EXPECT_FALSE(store_->EmbeddingModel()->has_value());
  auto none = store_->RetrieveHybrid("refunds", Axis(0), 3);
  EXPECT_EQ(none.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(store_->PutEmbeddings({{"/a#0", Axis(0)}}).code(), ErrorCode::kFailedPrecondition);

  ASSERT_TRUE(store_->SetEmbeddingModel({"fp-1", "m.gguf", 4}).ok());
  ASSERT_TRUE(store_->SetEmbeddingModel({"fp-1", "m.gguf", 4}).ok());  // same model again: fine
  auto pending = store_->ChunksWithoutEmbedding(10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 4u);
  EXPECT_EQ((*pending)[0].chunk_id, "/a#0");
  EXPECT_EQ((*pending)[0].text, "T /a\nrefunds are paid in five days");
  ASSERT_TRUE(store_->PutEmbeddings({{"/a#0", Axis(0)}, {"/a#1", Axis(1)}, {"/b#0", Axis(2)}}).ok());
  EXPECT_EQ(store_->ChunksWithoutEmbedding(10)->size(), 1u);
  EXPECT_EQ(store_->Stats()->embedded_chunks, 3);

  // The query text matches /a#0 by BM25; the vector points at /b#0: both are found, each
  // by one retriever, and a chunk found by both wins.
  auto hits = store_->RetrieveHybrid("refunds", Axis(2, 0, 0.1f), 3);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 3u);
  EXPECT_EQ((*hits)[0].chunk_id, "/a#0");
  EXPECT_EQ((*hits)[0].FoundBy(), "bm25+vector");
  EXPECT_EQ((*hits)[0].bm25_rank, 1);
  EXPECT_EQ((*hits)[0].vector_rank, 2);
  EXPECT_GT((*hits)[0].bm25_score, 0);
  EXPECT_DOUBLE_EQ((*hits)[0].score, 1.0 / 61 + 1.0 / 62);
  EXPECT_EQ((*hits)[1].chunk_id, "/b#0");
  EXPECT_EQ((*hits)[1].FoundBy(), "vector");
  EXPECT_NEAR((*hits)[1].similarity, 1 / std::sqrt(1.01), 1e-5);
  EXPECT_EQ((*hits)[0].source_path, "/a");

  // A vector-only query (no text terms) still ranks.
  auto vec_only = store_->RetrieveHybrid("", Axis(1), 1);
  ASSERT_TRUE(vec_only.ok());
  EXPECT_EQ(vec_only->front().chunk_id, "/a#1");

  // Replacing a source drops its chunks' vectors (a trigger) and the in-memory index follows.
  ASSERT_TRUE(store_->ReplaceSource("/a", "ha2", {Doc("/a", {"refunds take ten days"})}).ok());
  EXPECT_EQ(store_->Stats()->embedded_chunks, 1);
  auto after = store_->RetrieveHybrid("", Axis(0), 5);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().chunk_id, "/b#0");
  ASSERT_TRUE(store_->CheckIntegrity().ok());
}

TEST_F(ChunkVectorsTest, MismatchedModelsAndDimensionsAreRefused) {
  ASSERT_TRUE(store_->SetEmbeddingModel({"fp-1", "m.gguf", 4}).ok());
  Status other = store_->SetEmbeddingModel({"fp-2", "other.gguf", 4});
  EXPECT_EQ(other.code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(other.message().find("m.gguf"), std::string::npos) << other.message();
  EXPECT_NE(other.message().find("other.gguf"), std::string::npos);
  EXPECT_EQ(store_->PutEmbeddings({{"/a#0", {1, 0, 0}}}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->PutEmbeddings({{"/a#0", {NAN, 0, 0, 0}}}).code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store_->PutEmbeddings({{"/a#0", Axis(0)}, {"gone", Axis(1)}}).ok());  // unknown ids skipped
  auto wrong = store_->RetrieveHybrid("refunds", std::vector<float>{1, 0, 0}, 3);
  EXPECT_EQ(wrong.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find("3 dimensions"), std::string::npos) << wrong.status().message();
  EXPECT_EQ(store_->SetEmbeddingModel({"", "x", 4}).code(), ErrorCode::kInvalidArgument);
  // Clearing lets another model in.
  ASSERT_TRUE(store_->ClearEmbeddings().ok());
  EXPECT_EQ(store_->Stats()->embedded_chunks, 0);
  EXPECT_TRUE(store_->SetEmbeddingModel({"fp-2", "other.gguf", 8}).ok());
}

TEST_F(ChunkVectorsTest, VersionOneIndexIsMigrated) {
  store_.reset();
  // Turn the file back into a version-1 index (the v1 schema is the v2 one minus the
  // embedding tables), as an older Kolibri wrote it.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "DROP TRIGGER chunks_drop_vector; DROP TABLE chunk_vectors; DROP TABLE embedding_model; "
                         "PRAGMA user_version = 1;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto ro = DocumentStore::Open(path_, {.read_only = true});
  EXPECT_EQ(ro.status().code(), ErrorCode::kFailedPrecondition);  // needs one writable open
  auto s = DocumentStore::Open(path_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Stats()->chunks, 4);
  EXPECT_EQ((*s)->ChunksWithoutEmbedding(100)->size(), 4u);
  ASSERT_TRUE((*s)->SetEmbeddingModel({"fp", "m.gguf", 4}).ok());
  ASSERT_TRUE((*s)->PutEmbeddings({{"/b#1", Axis(3)}}).ok());
  EXPECT_EQ((*s)->RetrieveHybrid("", Axis(3), 1)->front().chunk_id, "/b#1");
}

}  // namespace
}  // namespace kolibri
