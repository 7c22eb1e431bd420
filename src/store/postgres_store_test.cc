// The PostgreSQL backends of the review queue and audit log, against a throwaway cluster
// that scripts/pg_test_cluster.sh starts on loopback (or the database named by
// KOLIBRI_TEST_PG_URI). Skipped, with a message, when PostgreSQL is not installed.
#include <libpq-fe.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "kolibri/audit_log.h"
#include "kolibri/data_lifecycle.h"
#include "kolibri/review_queue.h"

namespace kolibri {
namespace {

class PostgresCluster : public ::testing::Environment {
 public:
  static std::string& Uri() {
    static std::string uri;
    return uri;
  }
  static std::string& SkipReason() {
    static std::string reason;
    return reason;
  }

  void SetUp() override {
    if (const char* given = std::getenv("KOLIBRI_TEST_PG_URI"); given != nullptr && *given != '\0') {
      Uri() = given;
      return;
    }
    const char* src = std::getenv("KOLIBRI_SOURCE_DIR");
    script_ = std::string(src != nullptr ? src : ".") + "/scripts/pg_test_cluster.sh";
    char tmpl[] = "/tmp/kolibri-pgtest-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      SkipReason() = "cannot make a temporary directory";
      return;
    }
    base_ = tmpl;
    std::filesystem::permissions(base_, std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                            std::filesystem::perms::others_exec);
    FILE* p = popen((script_ + " start " + base_ + "/cluster").c_str(), "r");
    std::array<char, 256> buf{};
    std::string out;
    while (p != nullptr && std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
    const int rc = p != nullptr ? pclose(p) : -1;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    if (rc != 0 || out.empty()) {
      SkipReason() = WEXITSTATUS(rc) == 77 ? "PostgreSQL is not installed"
                                           : "the test cluster did not start (see stderr)";
      return;
    }
    Uri() = out;
  }

  void TearDown() override {
    if (base_.empty()) return;
    std::system((script_ + " stop " + base_ + "/cluster").c_str());
    std::filesystem::remove_all(base_);
  }

 private:
  std::string script_;
  std::string base_;
};

void Sql(const std::string& sql) {
  PGconn* c = PQconnectdb(PostgresCluster::Uri().c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PGresult* r = PQexec(c, ("SET client_min_messages = warning; " + sql).c_str());
  EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
      << PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (PostgresCluster::Uri().empty()) GTEST_SKIP() << "PostgreSQL tests skipped: " << PostgresCluster::SkipReason();
    Sql("DROP TABLE IF EXISTS review_items, audit_entries, kolibri_schema");
  }
  std::unique_ptr<ReviewQueue> Queue(int64_t* now) {
    ReviewQueueOptions o;
    o.claim_expiry_ms = 60000;
    if (now != nullptr) o.now_ms = [now] { return *now; };
    auto q = ReviewQueue::Open(PostgresCluster::Uri(), o);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? std::move(*q) : nullptr;
  }
};

TEST_F(PostgresStoreTest, ReviewQueueLifecycleMatchesSqlite) {
  int64_t now = 1000;
  auto q = Queue(&now);
  ASSERT_NE(q, nullptr);
  auto a = q->Enqueue({.task = "route", .input_text = "my card is lost", .proposed_json = R"({"label":"card"})",
                       .confidence = 0.25, .tier = "slm", .idempotency_key = "req-1"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->created);
  auto again = q->Enqueue({.task = "route", .input_text = "my card is lost", .idempotency_key = "req-1"});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->id, a->id);
  EXPECT_EQ(q->Enqueue({.task = "route", .input_text = "x", .proposed_json = "{bad"}).status().code(),
            ErrorCode::kInvalidArgument);

  auto item = q->Get(a->id);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->input_hash, AuditInputHash("my card is lost"));
  EXPECT_DOUBLE_EQ(item->confidence, 0.25);
  EXPECT_EQ(item->proposed_json, R"({"label":"card"})");

  auto claimed = q->Claim("ann", 0, "route");
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->status, ReviewStatus::kClaimed);
  EXPECT_EQ(q->Claim("bob", a->id).status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(q->Claim("bob", 0).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(q->Resolve(a->id, "bob", "card", "").status().code(), ErrorCode::kFailedPrecondition);
  now += 60000;  // ann's claim expires
  auto resolved = q->Resolve(a->id, "bob", "card", R"({"n":1})");
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->resolved_by, "bob");
  EXPECT_EQ(q->Resolve(a->id, "bob", "card", "").status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(q->Resolved("route").value().size(), 1u);
  EXPECT_EQ(q->List({.status = ReviewStatus::kResolved}).value().size(), 1u);
  EXPECT_EQ(q->Get(999).status().code(), ErrorCode::kNotFound);

  ASSERT_TRUE(q->Enqueue({.task = "route", .input_text = "keep me"}).ok());
  EXPECT_EQ(q->Prune(now + 1, ReviewPruneScope::kResolved).value(), 1);
  EXPECT_EQ(q->List({}).value().size(), 1u);
  EXPECT_EQ(q->ForgetInput(AuditInputHash("keep me")).value(), 1);
  EXPECT_TRUE(q->List({}).value().empty());
}

// Three "replicas" (connections) claim from one queue at once: every item goes to exactly
// one of them, and concurrent retries of one idempotency key make one item.
TEST_F(PostgresStoreTest, ReplicasNeverShareAClaimOrDuplicateAnItem) {
  std::vector<std::unique_ptr<ReviewQueue>> replicas;
  for (int i = 0; i < 3; ++i) replicas.push_back(Queue(nullptr));
  for (auto& r : replicas) ASSERT_NE(r, nullptr);
  std::vector<std::thread> writers;
  for (int r = 0; r < 3; ++r) {
    writers.emplace_back([&, r] {
      for (int i = 0; i < 30; ++i) {
        auto e = replicas[r]->Enqueue({.task = "t", .input_text = "item " + std::to_string(i),
                                       .idempotency_key = "key-" + std::to_string(i)});
        EXPECT_TRUE(e.ok()) << e.status().ToString();
      }
    });
  }
  for (auto& t : writers) t.join();
  ASSERT_EQ(replicas[0]->List({.limit = 1000}).value().size(), 30u);

  std::vector<std::vector<int64_t>> got(3);
  std::vector<std::thread> claimers;
  for (int r = 0; r < 3; ++r) {
    claimers.emplace_back([&, r] {
      while (true) {
        auto c = replicas[r]->Claim("reviewer-" + std::to_string(r), 0, "t");
        if (!c.ok()) {
          EXPECT_EQ(c.status().code(), ErrorCode::kNotFound) << c.status().ToString();
          return;
        }
        got[r].push_back(c->id);
      }
    });
  }
  for (auto& t : claimers) t.join();
  std::set<int64_t> all;
  size_t total = 0;
  for (const auto& g : got) {
    all.insert(g.begin(), g.end());
    total += g.size();
  }
  EXPECT_EQ(total, 30u);
  EXPECT_EQ(all.size(), 30u);
}

TEST_F(PostgresStoreTest, AuditLogAndForgetAcrossBothStores) {
  auto audit = AuditLog::Open(PostgresCluster::Uri());
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  auto q = Queue(nullptr);
  ASSERT_NE(q, nullptr);
  for (const char* text : {"first input", "second input"}) {
    const std::string hash = AuditInputHash(text);
    for (int64_t t : {100, 200}) {
      auto id = (*audit)->Append({.time_ms = t, .request_id = std::string("req ") + text, .task = "route",
                                  .input_hash = hash, .tier = "slm", .outcome = "escalated",
                                  .record_json = R"({"a":1})", .confidence = 0.5, .latency_ms = 12.5});
      ASSERT_TRUE(id.ok()) << id.status().ToString();
    }
    ASSERT_TRUE(q->Enqueue({.task = "route", .input_text = text}).ok());
  }
  auto entries = (*audit)->List({.request_id = "req first input"});
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].record_json, R"({"a":1})");
  EXPECT_DOUBLE_EQ((*entries)[0].latency_ms, 12.5);
  EXPECT_EQ((*audit)->List({.limit = 3}).value().size(), 3u);

  auto r = ForgetInput("req first input", {q.get(), audit->get(), nullptr});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->audit_entries, 2);
  EXPECT_EQ(r->review_items, 1);
  EXPECT_EQ((*audit)->List({}).value().size(), 2u);
  EXPECT_EQ(q->List({}).value().size(), 1u);
  EXPECT_EQ((*audit)->PruneBefore(150).value(), 1);
  EXPECT_EQ((*audit)->List({}).value().size(), 1u);
}

TEST_F(PostgresStoreTest, SchemaIsVersionedAndANewerOneIsRefused) {
  ASSERT_NE(Queue(nullptr), nullptr);
  ASSERT_NE(Queue(nullptr), nullptr);  // reopening migrates nothing
  Sql("UPDATE kolibri_schema SET version = 42 WHERE component = 'review_queue'");
  auto newer = ReviewQueue::Open(PostgresCluster::Uri());
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), ErrorCode::kUnsupported) << newer.status().ToString();
  EXPECT_NE(newer.status().message().find("schema version 42"), std::string::npos);
  EXPECT_TRUE(AuditLog::Open(PostgresCluster::Uri()).ok());  // other components are independent

  // An unreachable server is kUnavailable, and the password is not echoed.
  auto down = ReviewQueue::Open("postgresql://kolibri:s3cret@127.0.0.1:1/kolibri?connect_timeout=2");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(down.status().message().find("s3cret"), std::string::npos) << down.status().message();
}

}  // namespace
}  // namespace kolibri

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new kolibri::PostgresCluster);
  return RUN_ALL_TESTS();
}
