#include "kolibri/data_lifecycle.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

namespace kolibri {
namespace {

std::string TempPath(const std::string& name) {
  const auto p = std::filesystem::temp_directory_path() /
                 (name + "-" + std::to_string(::getpid()) + "-" +
                  std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  for (const char* suffix : {"", "-wal", "-shm", ".tmp"}) std::filesystem::remove(p.string() + suffix);
  return p.string();
}

void RemoveDb(const std::string& p) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p + suffix);
}

Document Doc(const std::string& id, const std::string& source, const std::string& text) {
  Document d;
  d.id = id;
  d.source_path = source;
  d.kind = DocumentKind::kEmail;
  d.text = text;
  d.chunks.push_back({.id = id + "/0", .ordinal = 0, .begin = 0, .end = text.size(), .text = text});
  return d;
}

struct Stores {
  std::unique_ptr<ReviewQueue> review;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<DocumentStore> index;
  StoreSet set() const { return {review.get(), audit.get(), index.get()}; }
};

// Two inputs, each with two audit entries (one request) and one review item.
Stores TwoInputs(const std::string& index_path) {
  Stores s;
  s.review = std::move(ReviewQueue::Open(":memory:")).value();
  s.audit = std::move(AuditLog::Open(":memory:")).value();
  s.index = std::move(DocumentStore::Open(index_path)).value();
  const std::string texts[] = {"Hello, my card was stolen yesterday.", "Where is my parcel 4711?"};
  for (int i = 0; i < 2; ++i) {
    const std::string hash = AuditInputHash(texts[i]);
    for (const char* tier : {"tier0", "slm"}) {
      AuditEntry e{.request_id = "req-" + std::to_string(i), .task = "route", .input_hash = hash, .tier = tier,
                   .outcome = "escalated", .record_json = R"({"label":"x"})"};
      EXPECT_TRUE(s.audit->Append(e).ok());
    }
    EXPECT_TRUE(s.review->Enqueue({.task = "route", .input_text = texts[i], .idempotency_key = "key-" + std::to_string(i)}).ok());
  }
  EXPECT_TRUE(s.index->ReplaceSource("/mail/inbox.mbox", "h1",
                                     {Doc("/mail/inbox.mbox#0", "/mail/inbox.mbox", texts[0]),
                                      Doc("/mail/inbox.mbox#1", "/mail/inbox.mbox", texts[1])})
                  .ok());
  return s;
}

TEST(DataLifecycleTest, ForgetRemovesOneInputEverywhereAndLeavesTheOtherIntact) {
  const std::string index_path = TempPath("kolibri-forget-index.db");
  Stores s = TwoInputs(index_path);
  // The mbox message id names the indexed copy; its text hash reaches audit and review.
  auto r = ForgetInput("/mail/inbox.mbox#0", s.set());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->documents, 1);
  EXPECT_EQ(r->chunks, 1);
  EXPECT_EQ(r->audit_entries, 2);
  EXPECT_EQ(r->review_items, 1);
  ASSERT_EQ(r->input_hashes.size(), 1u);
  EXPECT_EQ(r->input_hashes[0], AuditInputHash("Hello, my card was stolen yesterday."));

  const std::string other = AuditInputHash("Where is my parcel 4711?");
  EXPECT_EQ(s.audit->List({}).value().size(), 2u);
  EXPECT_EQ(s.audit->List({.input_hash = other}).value().size(), 2u);
  auto items = s.review->List({.limit = 10}).value();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].input_hash, other);
  auto docs = s.index->List().value();
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].id, "/mail/inbox.mbox#1");
  EXPECT_TRUE(s.index->CheckIntegrity().ok());
  // The source row stays while a message of it is left: re-indexing the unchanged file skips it.
  EXPECT_TRUE(s.index->IsCurrent("/mail/inbox.mbox", "h1").value());

  // Asking again finds nothing.
  EXPECT_EQ(ForgetInput("/mail/inbox.mbox#0", s.set()).status().code(), ErrorCode::kNotFound);
  s.index.reset();
  RemoveDb(index_path);
}

TEST(DataLifecycleTest, ForgetByHashRequestReviewIdAndKey) {
  const std::string index_path = TempPath("kolibri-forget-ids.db");
  {
    Stores s = TwoInputs(index_path);
    auto by_request = ForgetInput("req-1", s.set());
    ASSERT_TRUE(by_request.ok()) << by_request.status().ToString();
    EXPECT_EQ(by_request->audit_entries, 2);
    EXPECT_EQ(by_request->review_items, 1);
    EXPECT_EQ(by_request->documents, 0);  // the hash is not a document id; the indexed copy stays
    EXPECT_EQ(s.audit->List({}).value().size(), 2u);
  }
  {
    Stores s = TwoInputs(TempPath("kolibri-forget-ids2.db"));
    const int64_t id = s.review->List({.idempotency_key = "key-0"}).value().at(0).id;
    auto by_item = ForgetInput("review:" + std::to_string(id), s.set());
    ASSERT_TRUE(by_item.ok()) << by_item.status().ToString();
    EXPECT_EQ(by_item->review_items, 1);
    EXPECT_EQ(by_item->audit_entries, 2);
    auto by_key = ForgetInput("key-1", s.set());
    ASSERT_TRUE(by_key.ok());
    EXPECT_EQ(by_key->review_items, 1);
    EXPECT_TRUE(s.review->List({}).value().empty());
    auto by_hash = ForgetInput(AuditInputHash("never stored"), s.set());
    EXPECT_EQ(by_hash.status().code(), ErrorCode::kNotFound);
  }
  Stores s = TwoInputs(TempPath("kolibri-forget-ids3.db"));
  EXPECT_EQ(ForgetInput("", s.set()).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ForgetInput("sha256:zz", s.set()).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ForgetInput("review:x", s.set()).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ForgetInput("review:999", s.set()).status().code(), ErrorCode::kNotFound);
  // A whole source file: both messages, and then its source row.
  auto whole = ForgetInput("/mail/inbox.mbox", s.set());
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->documents, 2);
  EXPECT_EQ(whole->input_hashes.size(), 2u);
  EXPECT_FALSE(s.index->IsCurrent("/mail/inbox.mbox", "h1").value());
  s.index.reset();
  for (const char* n : {"kolibri-forget-ids.db", "kolibri-forget-ids2.db", "kolibri-forget-ids3.db"}) {
    RemoveDb(TempPath(n));
  }
}

TEST(DataLifecycleTest, RetentionPrunesOldAuditEntriesAndResolvedItems) {
  int64_t now = 1'000'000;
  ReviewQueueOptions qo;
  qo.now_ms = [&now] { return now; };
  auto review = std::move(ReviewQueue::Open(":memory:", qo)).value();
  auto audit = std::move(AuditLog::Open(":memory:")).value();
  for (int64_t t : {100'000, 500'000, 950'000}) {
    ASSERT_TRUE(audit->Append({.time_ms = t, .task = "t", .tier = "slm", .outcome = "answered"}).ok());
  }
  now = 100'000;
  const int64_t old_resolved = review->Enqueue({.task = "t", .input_text = "a"}).value().id;
  const int64_t old_open = review->Enqueue({.task = "t", .input_text = "b"}).value().id;
  ASSERT_TRUE(review->Resolve(old_resolved, "ann", "x", "").ok());
  now = 900'000;
  const int64_t new_resolved = review->Enqueue({.task = "t", .input_text = "c"}).value().id;
  ASSERT_TRUE(review->Resolve(new_resolved, "ann", "x", "").ok());

  const StoreSet stores{review.get(), audit.get(), nullptr};
  auto r = ApplyRetention({.audit_ms = 400'000, .review_ms = 400'000}, stores, 1'000'000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->audit_entries, 2);  // 100'000 and 500'000 are before 600'000
  EXPECT_EQ(r->review_items, 1);   // the old resolved one; the old open one is kept
  EXPECT_EQ(audit->List({}).value().size(), 1u);
  EXPECT_TRUE(review->Get(old_open).ok());
  EXPECT_TRUE(review->Get(new_resolved).ok());
  EXPECT_EQ(review->Get(old_resolved).status().code(), ErrorCode::kNotFound);
  auto all = ApplyRetention({.review_ms = 400'000, .review_scope = ReviewPruneScope::kAll}, stores, 1'000'000);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->review_items, 1);
  EXPECT_EQ(all->audit_entries, 0);  // audit_ms 0 keeps everything
  EXPECT_EQ(review->Get(old_open).status().code(), ErrorCode::kNotFound);

  std::atomic<int> sweeps{0};
  {
    RetentionSweeper sweeper({.audit_ms = 1}, stores, 3'600'000, [&](const Result<PruneReport>& rep) {
      EXPECT_TRUE(rep.ok());
      ++sweeps;
    });
    for (int i = 0; i < 200 && sweeps == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(sweeps, 1);
  EXPECT_TRUE(audit->List({}).value().empty());
}

TEST(DataLifecycleTest, Durations) {
  EXPECT_EQ(ParseDurationMs("30d").value(), 30LL * 86400 * 1000);
  EXPECT_EQ(ParseDurationMs("12h").value(), 12LL * 3600 * 1000);
  EXPECT_EQ(ParseDurationMs("90m").value(), 90LL * 60 * 1000);
  EXPECT_EQ(ParseDurationMs("45s").value(), 45000);
  EXPECT_EQ(ParseDurationMs("500ms").value(), 500);
  for (const char* bad : {"", "30", "d", "-3d", "0d", "3 d", "3w", "99999999999999d"}) {
    EXPECT_EQ(ParseDurationMs(bad).status().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(DataLifecycleTest, OnlineBackupCopiesALiveStore) {
  const std::string src = TempPath("kolibri-backup-src.db");
  const std::string dst = TempPath("kolibri-backup-dst.db");
  auto live = std::move(ReviewQueue::Open(src)).value();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(live->Enqueue({.task = "t", .input_text = "item " + std::to_string(i)}).ok());
  ASSERT_TRUE(BackupSqliteStore(src, dst).ok());
  ASSERT_TRUE(live->Enqueue({.task = "t", .input_text = "after the backup"}).ok());
  {
    auto copy = ReviewQueue::Open(dst);
    ASSERT_TRUE(copy.ok()) << copy.status().ToString();
    EXPECT_EQ((*copy)->List({.limit = 1000}).value().size(), 50u);
  }
  EXPECT_EQ(BackupSqliteStore(src, dst).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(BackupSqliteStore(src + ".missing", dst + "2").code(), ErrorCode::kNotFound);
  EXPECT_EQ(BackupSqliteStore("postgresql://u:secret@db/kolibri", dst + "3").code(), ErrorCode::kUnsupported);
  EXPECT_FALSE(std::filesystem::exists(dst + ".tmp"));
  live.reset();
  RemoveDb(src);
  RemoveDb(dst);
}

}  // namespace
}  // namespace kolibri
