#include "kolibri/review_queue.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

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

}  // namespace
}  // namespace kolibri
