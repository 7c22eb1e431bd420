#include "kolibri/review_queue.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <mutex>
#include <thread>

#include "kolibri/audit_log.h"

namespace kolibri {
namespace {

struct FakeClock {
  int64_t now = 1000;
};

std::unique_ptr<ReviewQueue> OpenQueue(const std::string& path, FakeClock* clock) {
  ReviewQueueOptions o;
  o.claim_expiry_ms = 60000;
  o.now_ms = [clock] { return clock->now; };
  auto q = ReviewQueue::Open(path, o);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  return q.ok() ? std::move(*q) : nullptr;
}

std::string TempPath(const std::string& name) {
  const auto p = std::filesystem::temp_directory_path() /
                 (name + "-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::remove(p);
  std::filesystem::remove(p.string() + "-wal");
  std::filesystem::remove(p.string() + "-shm");
  return p.string();
}

TEST(ReviewQueueTest, EnqueueIsIdempotent) {
  FakeClock clock;
  auto q = OpenQueue(":memory:", &clock);
  ASSERT_NE(q, nullptr);
  auto a = q->Enqueue({.task = "route",
                       .input_text = "my card is lost",
                       .proposed_json = R"({"label":"lost_card"})",
                       .confidence = 0.41,
                       .tier = "tier0"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->created);
  auto again = q->Enqueue({.task = "route", .input_text = "my card is lost"});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->id, a->id);
  auto other_task = q->Enqueue({.task = "priority", .input_text = "my card is lost"});
  ASSERT_TRUE(other_task.ok());
  EXPECT_NE(other_task->id, a->id);
  auto keyed =
      q->Enqueue({.task = "route", .input_text = "my card is lost", .idempotency_key = "mail-17"});
  ASSERT_TRUE(keyed.ok());
  EXPECT_TRUE(keyed->created);

  auto item = q->Get(a->id);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->status, ReviewStatus::kOpen);
  EXPECT_EQ(item->tier, "tier0");
  EXPECT_DOUBLE_EQ(item->confidence, 0.41);
  // SHA-256 of "my card is lost".
  EXPECT_EQ(item->input_hash,
            "sha256:6384360a39270f05593049b11f957f587947fd2ac9378839e1c9c124f34aeeb8");
  EXPECT_EQ(item->created_at, 1000);
}

TEST(ReviewQueueTest, BadInput) {
  FakeClock clock;
  auto q = OpenQueue(":memory:", &clock);
  EXPECT_EQ(q->Enqueue({.task = "", .input_text = "x"}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(q->Enqueue({.task = "t", .input_text = ""}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      q->Enqueue({.task = "t", .input_text = "x", .proposed_json = "{broken"}).status().code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(q->Get(42).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(q->Claim("ann", 0).status().code(), ErrorCode::kNotFound);
  auto id = q->Enqueue({.task = "t", .input_text = "x"});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(q->Resolve(id->id, "ann", "", "").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(q->Resolve(id->id, "ann", "", "{nope").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(q->List({.limit = 0}).status().code(), ErrorCode::kInvalidArgument);
}

TEST(ReviewQueueTest, ClaimResolveLifecycle) {
  FakeClock clock;
  auto q = OpenQueue(":memory:", &clock);
  const int64_t first = q->Enqueue({.task = "route", .input_text = "one"})->id;
  const int64_t second = q->Enqueue({.task = "route", .input_text = "two"})->id;
  q->Enqueue({.task = "other", .input_text = "three"}).ok();

  auto claimed = q->Claim("ann", 0, "route");
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->id, first);
  EXPECT_EQ(claimed->status, ReviewStatus::kClaimed);
  EXPECT_EQ(claimed->claimed_by, "ann");

  // Bob gets the next one; he cannot take or resolve Ann's.
  EXPECT_EQ(q->Claim("bob", 0, "route")->id, second);
  EXPECT_EQ(q->Claim("bob", first).status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(q->Resolve(first, "bob", "x", "").status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(q->Claim("carl", 0, "route").status().code(), ErrorCode::kNotFound);

  clock.now += 5;
  auto resolved = q->Resolve(first, "ann", "lost_card", "");
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->status, ReviewStatus::kResolved);
  EXPECT_EQ(resolved->resolution_label, "lost_card");
  EXPECT_EQ(resolved->resolved_at, 1005);
  EXPECT_EQ(q->Resolve(first, "ann", "again", "").status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(q->Claim("ann", first).status().code(), ErrorCode::kFailedPrecondition);

  // An expired claim may be taken over.
  clock.now += 60000;
  auto taken = q->Claim("carl", 0, "route");
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->id, second);
  EXPECT_EQ(taken->claimed_by, "carl");

  EXPECT_EQ(q->List({.status = ReviewStatus::kOpen})->size(), 1u);
  EXPECT_EQ(q->List({.task = "route"})->size(), 2u);
  auto done = q->Resolved("route");
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(done->size(), 1u);
  EXPECT_EQ((*done)[0].input_text, "one");
}

TEST(ReviewQueueTest, PersistsAcrossOpensAndRejectsForeignFiles) {
  const std::string path = TempPath("kolibri-review.db");
  FakeClock clock;
  {
    auto q = OpenQueue(path, &clock);
    const int64_t id = q->Enqueue({.task = "route", .input_text = "hello"})->id;
    ASSERT_TRUE(q->Resolve(id, "ann", "", R"({"name":"x"})").ok());
  }
  {
    auto q = OpenQueue(path, &clock);
    auto done = q->Resolved("");
    ASSERT_TRUE(done.ok());
    ASSERT_EQ(done->size(), 1u);
    EXPECT_EQ((*done)[0].resolution_json, R"({"name":"x"})");
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");

  const std::string foreign = TempPath("kolibri-not-a-db");
  std::ofstream(foreign)
      << "this is plain text, not SQLite, and long enough to have a header page....";
  auto bad = ReviewQueue::Open(foreign);
  EXPECT_EQ(bad.status().code(), ErrorCode::kCorrupt);
  std::filesystem::remove(foreign);

  EXPECT_EQ(ReviewQueue::Open("/nonexistent-dir/review.db").status().code(), ErrorCode::kIoError);
}

// Two connections (as two processes would have) claim concurrently: every item goes to
// exactly one of them.
TEST(ReviewQueueTest, ConcurrentClaimsNeverShareAnItem) {
  const std::string path = TempPath("kolibri-review-concurrent.db");
  FakeClock clock;
  auto a = OpenQueue(path, &clock);
  auto b = OpenQueue(path, &clock);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  constexpr int kItems = 60;
  for (int i = 0; i < kItems; ++i)
    ASSERT_TRUE(a->Enqueue({.task = "t", .input_text = "item " + std::to_string(i)}).ok());
  std::vector<int64_t> got_a, got_b;
  auto worker = [](ReviewQueue* q, const std::string& who, std::vector<int64_t>* got) {
    while (true) {
      auto r = q->Claim(who, 0, "t");
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), ErrorCode::kNotFound) << r.status().ToString();
        return;
      }
      got->push_back(r->id);
    }
  };
  std::thread ta(worker, a.get(), "ann", &got_a);
  std::thread tb(worker, b.get(), "bob", &got_b);
  ta.join();
  tb.join();
  std::set<int64_t> all(got_a.begin(), got_a.end());
  all.insert(got_b.begin(), got_b.end());
  EXPECT_EQ(got_a.size() + got_b.size(), static_cast<size_t>(kItems));
  EXPECT_EQ(all.size(), static_cast<size_t>(kItems));
  a.reset();
  b.reset();
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

// A file written by the first release (schema 1, no application id) is upgraded in place
// and keeps its items; a file from a newer Kolibri and a different kind of store are refused.
TEST(ReviewQueueTest, SchemaMigratesOldFilesAndRefusesNewerOrForeignOnes) {
  const std::string path = TempPath("kolibri-review-v1.db");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "CREATE TABLE review_items (id INTEGER PRIMARY KEY, task TEXT NOT NULL, "
                         "idempotency_key TEXT NOT NULL UNIQUE, input_hash TEXT NOT NULL, input_text TEXT NOT NULL, "
                         "proposed_json TEXT NOT NULL DEFAULT 'null', confidence REAL NOT NULL DEFAULT 0, "
                         "tier TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, claimed_by TEXT NOT NULL DEFAULT '', "
                         "claimed_at INTEGER NOT NULL DEFAULT 0, resolution_label TEXT NOT NULL DEFAULT '', "
                         "resolution_json TEXT NOT NULL DEFAULT '', resolved_by TEXT NOT NULL DEFAULT '', "
                         "resolved_at INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);"
                         "INSERT INTO review_items (task, idempotency_key, input_hash, input_text, status, created_at) "
                         "VALUES ('route', 'k1', 'sha256:00', 'old item', 'open', 5);"
                         "PRAGMA user_version = 1;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  {
    FakeClock clock;
    auto q = OpenQueue(path, &clock);
    ASSERT_NE(q, nullptr);
    auto items = q->List({.limit = 10});
    ASSERT_TRUE(items.ok());
    ASSERT_EQ(items->size(), 1u);
    EXPECT_EQ((*items)[0].input_text, "old item");
  }
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  auto pragma = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(raw, sql, -1, &st, nullptr);
    sqlite3_step(st);
    const int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  };
  EXPECT_EQ(pragma("PRAGMA user_version"), 2);
  EXPECT_EQ(pragma("SELECT count(*) FROM sqlite_schema WHERE name = 'review_items_input'"), 1);
  sqlite3_exec(raw, "PRAGMA user_version = 7", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  auto newer = ReviewQueue::Open(path);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), ErrorCode::kUnsupported) << newer.status().ToString();
  EXPECT_NE(newer.status().message().find("schema version 7"), std::string::npos) << newer.status().message();

  const std::string audit_path = TempPath("kolibri-audit-not-review.db");
  ASSERT_TRUE(AuditLog::Open(audit_path).ok());
  auto wrong_kind = ReviewQueue::Open(audit_path);
  EXPECT_EQ(wrong_kind.status().code(), ErrorCode::kCorrupt) << wrong_kind.status().ToString();
  for (const std::string& p : {path, audit_path}) {
    std::filesystem::remove(p);
    std::filesystem::remove(p + "-wal");
    std::filesystem::remove(p + "-shm");
  }
}

// Retried requests (the same idempotency key, from two connections at once) make one item.
TEST(ReviewQueueTest, ConcurrentRetriesWithOneKeyMakeOneItem) {
  const std::string path = TempPath("kolibri-review-retries.db");
  FakeClock clock;
  auto a = OpenQueue(path, &clock);
  auto b = OpenQueue(path, &clock);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::vector<int64_t> ids_a, ids_b;
  int created = 0;
  std::mutex mu;
  auto worker = [&](ReviewQueue* q, std::vector<int64_t>* ids) {
    for (int i = 0; i < 40; ++i) {
      auto r = q->Enqueue({.task = "t", .input_text = "text " + std::to_string(i % 10),
                           .idempotency_key = "req-" + std::to_string(i % 10)});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ids->push_back(r->id);
      std::lock_guard<std::mutex> lock(mu);
      created += r->created ? 1 : 0;
    }
  };
  std::thread ta(worker, a.get(), &ids_a);
  std::thread tb(worker, b.get(), &ids_b);
  ta.join();
  tb.join();
  EXPECT_EQ(created, 10);
  for (size_t i = 0; i < ids_a.size(); ++i) EXPECT_EQ(ids_a[i], ids_b[i]);
  auto all = a->List({.limit = 100});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 10u);
  a.reset();
  b.reset();
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

}  // namespace
}  // namespace kolibri
