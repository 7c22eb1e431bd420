#include "kolibri/document_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "ingest/ingest_test_util.h"
#include "kolibri/ingest.h"

namespace kolibri {
namespace {

using testing::TempDir;

std::unique_ptr<DocumentStore> OpenStore(const std::string& path, StoreOptions options = {}) {
  Result<std::unique_ptr<DocumentStore>> store = DocumentStore::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

IngestSink SinkFor(DocumentStore* store) {
  IngestSink sink;
  sink.is_current = [store](const std::string& p, const std::string& h) { return store->IsCurrent(p, h); };
  sink.replace = [store](const std::string& p, const std::string& h, const std::vector<Document>& d) {
    return store->ReplaceSource(p, h, d);
  };
  return sink;
}

TEST(DocumentStoreTest, AddRetrieveReplaceRemove) {
  TempDir dir;
  dir.Write("docs/refunds.md", "# Refunds\n\nRefunds are paid within five business days to the original card.\n");
  dir.Write("docs/shipping.txt", "Shipping\n\nParcels ship from Hamburg every weekday by courier.\n");
  dir.Write("other/x.txt", "Unrelated text about penguins.");
  auto store = OpenStore(dir.path() + "/index.db");
  ASSERT_TRUE(store);
  Result<IngestReport> report = IngestPaths({dir.path() + "/docs", dir.path() + "/other"}, IngestOptions{}, SinkFor(store.get()));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->added, 3);

  Result<std::vector<RetrievedChunk>> hits = store->Retrieve("how fast are refunds paid?", 5);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  const RetrievedChunk& top = hits->front();
  EXPECT_EQ(top.source_path, dir.path() + "/docs/refunds.md");
  EXPECT_EQ(top.title, "Refunds");
  EXPECT_NE(top.text.find("five business days"), std::string::npos);
  EXPECT_GT(top.score, 0);
  Result<RetrievedChunk> again = store->GetChunk(top.chunk_id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->text, top.text);
  EXPECT_EQ(store->GetChunk("nope").status().code(), ErrorCode::kNotFound);
  Result<std::vector<RetrievedChunk>> plain = store->Retrieve("how fast are refunds paid?", 5, {.prune_terms = false});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->front().chunk_id, top.chunk_id);
  EXPECT_TRUE(store->Retrieve("?!", 5)->empty());
  EXPECT_TRUE(store->Retrieve("zebra", 5)->empty());

  // Unchanged: no-op. Changed: chunks replaced.
  Result<IngestReport> same = IngestPaths({dir.path()}, IngestOptions{}, SinkFor(store.get()));
  EXPECT_EQ(same->unchanged, 3);
  dir.Write("docs/refunds.md", "# Refunds\n\nRefunds now take ten days.\n");
  Result<IngestReport> changed = IngestPaths({dir.path()}, IngestOptions{}, SinkFor(store.get()));
  EXPECT_EQ(changed->added, 1);
  EXPECT_EQ(changed->unchanged, 2);
  hits = store->Retrieve("refunds", 5);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_NE(hits->front().text.find("ten days"), std::string::npos);
  EXPECT_EQ(store->Stats()->chunks, 3);

  EXPECT_EQ(*store->RemovePath(dir.path() + "/docs/"), 2);
  EXPECT_EQ(*store->RemovePath(dir.path() + "/missing"), 0);
  Result<std::vector<StoredDocument>> docs = store->List();
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ(docs->front().source_path, dir.path() + "/other/x.txt");
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

TEST(DocumentStoreTest, PruningDropsCommonTermsButKeepsRareOnes) {
  TempDir dir;
  auto store = OpenStore(dir.path() + "/index.db");
  std::vector<Document> docs;
  for (int i = 0; i < 40; ++i) {
    Document d;
    d.id = d.source_path = "/d/" + std::to_string(i);
    d.text = "common words everywhere in chunk " + std::to_string(i) + (i == 7 ? " with a zeppelin." : ".");
    d.chunks.push_back({"c" + std::to_string(i), 0, 0, d.text.size(), "", d.text});
    ASSERT_TRUE(store->ReplaceSource(d.source_path, "h", {d}).ok());
  }
  Result<std::vector<RetrievedChunk>> hits = store->Retrieve("common words zeppelin", 3);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);  // only the selective term is kept
  EXPECT_EQ(hits->front().chunk_id, "c7");
  EXPECT_EQ(store->Retrieve("common words zeppelin", 3, {.prune_terms = false})->size(), 3u);
  EXPECT_EQ(store->Retrieve("common everywhere", 3)->size(), 3u);  // all common: rarest kept
  // Cached term frequencies follow this connection's own writes.
  Document z;
  z.id = z.source_path = "/d/z";
  z.text = "zeppelin zeppelin";
  z.chunks.push_back({"cz", 0, 0, z.text.size(), "", z.text});
  ASSERT_TRUE(store->ReplaceSource(z.source_path, "h", {z}).ok());
  EXPECT_EQ(store->Retrieve("zeppelin", 5)->size(), 2u);
  ASSERT_EQ(*store->RemovePath("/d/7"), 1);
  EXPECT_EQ(store->Retrieve("zeppelin", 5)->size(), 1u);

  // Retrieval must not leave a read snapshot open: it would stop WAL checkpoints for good.
  sqlite3* raw = nullptr;
  sqlite3_open((dir.path() + "/index.db").c_str(), &raw);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(raw, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 0) << "checkpoint blocked by a reader";
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

TEST(DocumentStoreTest, CorruptForeignNewerAndLockedIndexesGiveClearErrors) {
  TempDir dir;
  const std::string garbage = dir.Write("garbage.db", std::string(8192, 'x'));
  Result<std::unique_ptr<DocumentStore>> s = DocumentStore::Open(garbage);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kCorrupt) << s.status().ToString();

  const std::string foreign = dir.path() + "/foreign.db";
  sqlite3* raw = nullptr;
  sqlite3_open(foreign.c_str(), &raw);
  sqlite3_exec(raw, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  s = DocumentStore::Open(foreign);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("not a Kolibri index"), std::string::npos);

  const std::string newer = dir.path() + "/newer.db";
  ASSERT_TRUE(OpenStore(newer));
  sqlite3_open(newer.c_str(), &raw);
  sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  s = DocumentStore::Open(newer);
  EXPECT_EQ(s.status().code(), ErrorCode::kUnsupported);

  EXPECT_EQ(DocumentStore::Open(dir.path() + "/none.db", {.create = false}).status().code(), ErrorCode::kNotFound);

  const std::string locked = dir.path() + "/locked.db";
  auto store = OpenStore(locked, {.busy_timeout_ms = 50});
  sqlite3_open(locked.c_str(), &raw);
  ASSERT_EQ(sqlite3_exec(raw, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  Document d;
  d.id = d.source_path = "/a";
  d.text = "text";
  Status st = store->ReplaceSource("/a", "h", {d});
  EXPECT_EQ(st.code(), ErrorCode::kUnavailable) << st.ToString();
  sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  EXPECT_TRUE(store->ReplaceSource("/a", "h", {d}).ok());
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

// kill -9 in the middle of an ingestion leaves a consistent index, and a rerun finishes
// the job without duplicates.
TEST(DocumentStoreTest, SurvivesSigkillMidIngestionAndResumes) {
  TempDir dir;
  constexpr int kFiles = 400;
  for (int i = 0; i < kFiles; ++i) {
    std::string text = "# File " + std::to_string(i) + "\n\n";
    for (int s = 0; s < 30; ++s) text += "Sentence " + std::to_string(s) + " of file number " + std::to_string(i) + ". ";
    dir.Write("docs/f" + std::to_string(i) + ".md", text);
  }
  const std::string db = dir.path() + "/index.db";
  ASSERT_TRUE(OpenStore(db));
  bool killed_midway = false;
  for (int attempt = 0; attempt < 5 && !killed_midway; ++attempt) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto store = DocumentStore::Open(db);
      if (!store.ok()) _exit(3);
      const IngestSink sink = SinkFor(store->get());
      (void)IngestPaths({dir.path() + "/docs"}, IngestOptions{}, sink);
      _exit(0);
    }
    // Kill once some, but not all, files are in.
    for (int waited = 0; waited < 2000; ++waited) {
      auto probe = DocumentStore::Open(db, {.read_only = true});
      if (probe.ok()) {
        Result<StoreStats> stats = (*probe)->Stats();
        if (stats.ok() && stats->sources >= 20 + attempt * 40) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    killed_midway = WIFSIGNALED(status);
  }
  ASSERT_TRUE(killed_midway) << "the child finished before it could be killed";
  auto store = OpenStore(db);
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->CheckIntegrity().ok()) << store->CheckIntegrity().ToString();
  const int64_t before = store->Stats()->sources;
  EXPECT_LT(before, kFiles);
  Result<IngestReport> resumed = IngestPaths({dir.path() + "/docs"}, IngestOptions{}, SinkFor(store.get()));
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->unchanged, before);
  EXPECT_EQ(resumed->added, kFiles - before);
  EXPECT_TRUE(store->CheckIntegrity().ok());
  const StoreStats stats = *store->Stats();
  EXPECT_EQ(stats.sources, kFiles);
  EXPECT_EQ(stats.documents, kFiles);
  Result<std::vector<StoredDocument>> docs = store->List();
  for (const StoredDocument& d : *docs) EXPECT_EQ(d.chunks, 1) << d.id;  // 182 words: one chunk
}

}  // namespace
}  // namespace kolibri
