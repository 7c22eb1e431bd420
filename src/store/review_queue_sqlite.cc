// The review queue on SQLite (the embedded default). Writes that read first (claim,
// resolve) run in BEGIN IMMEDIATE transactions, so two processes cannot take one item.
#include <iterator>
#include <mutex>

#include "kolibri/audit_log.h"
#include "store/review_rules.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_schema.h"
#include "store/store_backends.h"

namespace kolibri::store {
namespace {

// 'KLRQ'
constexpr int64_t kApplicationId = 0x4B4C5251;

// kMigrations[i] moves the schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE review_items (
  id INTEGER PRIMARY KEY,
  task TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  input_hash TEXT NOT NULL,
  input_text TEXT NOT NULL,
  proposed_json TEXT NOT NULL DEFAULT 'null',
  confidence REAL NOT NULL DEFAULT 0,
  tier TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'resolved')),
  claimed_by TEXT NOT NULL DEFAULT '',
  claimed_at INTEGER NOT NULL DEFAULT 0,
  resolution_label TEXT NOT NULL DEFAULT '',
  resolution_json TEXT NOT NULL DEFAULT '',
  resolved_by TEXT NOT NULL DEFAULT '',
  resolved_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX review_items_task_status ON review_items (task, status, id);
)sql",
    // 2: erasure by input and retention by age without a full scan.
    R"sql(
CREATE INDEX review_items_input ON review_items (input_hash);
CREATE INDEX review_items_created ON review_items (created_at);
CREATE INDEX review_items_resolved ON review_items (status, resolved_at);
)sql",
};

constexpr SqliteSchema kSchema{.kind = "review queue",
                               .application_id = kApplicationId,
                               .migrations = kMigrations,
                               .version = static_cast<int>(std::size(kMigrations)),
                               .legacy_table = "review_items"};

ReviewItem ReadItem(const Statement& s) {
  ReviewItem it;
  it.id = s.Int(0);
  it.task = s.Text(1);
  it.idempotency_key = s.Text(2);
  it.input_hash = s.Text(3);
  it.input_text = s.Text(4);
  it.proposed_json = s.Text(5);
  it.confidence = s.Double(6);
  it.tier = s.Text(7);
  it.status = ParseReviewStatus(s.Text(8)).value_or(ReviewStatus::kOpen);
  it.claimed_by = s.Text(9);
  it.claimed_at = s.Int(10);
  it.resolution_label = s.Text(11);
  it.resolution_json = s.Text(12);
  it.resolved_by = s.Text(13);
  it.resolved_at = s.Int(14);
  it.created_at = s.Int(15);
  return it;
}

Result<std::vector<ReviewItem>> ReadItems(Statement& s) {
  std::vector<ReviewItem> items;
  while (true) {
    KOLIBRI_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return items;
    items.push_back(ReadItem(s));
  }
}

class SqliteReviewQueue final : public ReviewQueue {
 public:
  explicit SqliteReviewQueue(const ReviewQueueOptions& options) : options_(options) {}
  Status Open(const std::string& path) {
    return OpenSqliteStore(&db_, path, kSchema, {.busy_timeout_ms = options_.busy_timeout_ms});
  }

  Result<EnqueueResult> Enqueue(const NewReviewItem& item) override {
    KOLIBRI_RETURN_IF_ERROR(CheckNewItem(item));
    const std::string hash = AuditInputHash(item.input_text);
    const std::string key = ItemKey(item, hash);
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(Statement ins, db_.Prepare(
        "INSERT INTO review_items (task, idempotency_key, input_hash, input_text, proposed_json, confidence, "
        "tier, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8) "
        "ON CONFLICT (idempotency_key) DO NOTHING"));
    ins.Bind(1, item.task).Bind(2, key).Bind(3, hash).Bind(4, item.input_text).Bind(5, item.proposed_json);
    ins.BindDouble(6, item.confidence).Bind(7, item.tier).Bind(8, ReviewNowMs(options_));
    KOLIBRI_RETURN_IF_ERROR(ins.Run().WithContext("adding a review item"));
    const bool created = db_.Changes() > 0;
    KOLIBRI_ASSIGN_OR_RETURN(Statement sel, db_.Prepare("SELECT id FROM review_items WHERE idempotency_key = ?1"));
    sel.Bind(1, key);
    KOLIBRI_ASSIGN_OR_RETURN(bool row, sel.Step());
    if (!row) return Status::Internal("the review item just added is missing");
    return EnqueueResult{sel.Int(0), created};
  }

  Result<ReviewItem> Get(int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return GetLocked(id);
  }

  Result<std::vector<ReviewItem>> List(const ReviewFilter& f) override {
    KOLIBRI_RETURN_IF_ERROR(CheckFilter(f));
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(Statement s, db_.Prepare(
        std::string("SELECT ") + kReviewColumns +
        " FROM review_items WHERE (?1 = '' OR status = ?1) AND (?2 = '' OR task = ?2) AND "
        "(?3 = '' OR input_hash = ?3) AND (?4 = '' OR idempotency_key = ?4) ORDER BY id LIMIT ?5"));
    s.Bind(1, f.status ? ReviewStatusName(*f.status) : "").Bind(2, f.task).Bind(3, f.input_hash);
    s.Bind(4, f.idempotency_key).Bind(5, f.limit);
    return ReadItems(s);
  }

  Result<ReviewItem> Claim(const std::string& reviewer, int64_t id, const std::string& task) override {
    if (reviewer.empty()) return Status::InvalidArgument("claiming needs a reviewer name");
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(&db_);
    KOLIBRI_RETURN_IF_ERROR(tx.Begin());
    const int64_t now = ReviewNowMs(options_);
    int64_t target = id;
    if (target == 0) {
      KOLIBRI_ASSIGN_OR_RETURN(Statement s, db_.Prepare(
          "SELECT id FROM review_items WHERE (?1 = '' OR task = ?1) AND "
          "(status = 'open' OR (status = 'claimed' AND ?2 - claimed_at >= ?3)) ORDER BY id LIMIT 1"));
      s.Bind(1, task).Bind(2, now).Bind(3, options_.claim_expiry_ms);
      KOLIBRI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Status::NotFound(NoClaimableItem(task));
      target = s.Int(0);
    }
    KOLIBRI_ASSIGN_OR_RETURN(const ReviewItem item, GetLocked(target));
    KOLIBRI_RETURN_IF_ERROR(CheckClaimable(item, reviewer, now, options_.claim_expiry_ms));
    KOLIBRI_ASSIGN_OR_RETURN(Statement up, db_.Prepare(
        "UPDATE review_items SET status = 'claimed', claimed_by = ?1, claimed_at = ?2 WHERE id = ?3"));
    KOLIBRI_RETURN_IF_ERROR(up.Bind(1, reviewer).Bind(2, now).Bind(3, target).Run());
    KOLIBRI_ASSIGN_OR_RETURN(ReviewItem claimed, GetLocked(target));
    KOLIBRI_RETURN_IF_ERROR(tx.Commit());
    return claimed;
  }

  Result<ReviewItem> Resolve(int64_t id, const std::string& reviewer, const std::string& label,
                             const std::string& record_json) override {
    KOLIBRI_RETURN_IF_ERROR(CheckResolution(reviewer, label, record_json));
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(&db_);
    KOLIBRI_RETURN_IF_ERROR(tx.Begin());
    const int64_t now = ReviewNowMs(options_);
    KOLIBRI_ASSIGN_OR_RETURN(const ReviewItem item, GetLocked(id));
    KOLIBRI_RETURN_IF_ERROR(CheckClaimable(item, reviewer, now, options_.claim_expiry_ms));
    KOLIBRI_ASSIGN_OR_RETURN(Statement up, db_.Prepare(
        "UPDATE review_items SET status = 'resolved', resolution_label = ?1, resolution_json = ?2, "
        "resolved_by = ?3, resolved_at = ?4 WHERE id = ?5"));
    KOLIBRI_RETURN_IF_ERROR(up.Bind(1, label).Bind(2, record_json).Bind(3, reviewer).Bind(4, now).Bind(5, id).Run());
    KOLIBRI_ASSIGN_OR_RETURN(ReviewItem resolved, GetLocked(id));
    KOLIBRI_RETURN_IF_ERROR(tx.Commit());
    return resolved;
  }

  Result<std::vector<ReviewItem>> Resolved(const std::string& task) override {
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(Statement s, db_.Prepare(
        std::string("SELECT ") + kReviewColumns +
        " FROM review_items WHERE status = 'resolved' AND (?1 = '' OR task = ?1) ORDER BY resolved_at, id"));
    s.Bind(1, task);
    return ReadItems(s);
  }

  Result<int64_t> ForgetInput(const std::string& input_hash) override {
    if (input_hash.empty()) return Status::InvalidArgument("no input hash given");
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(Statement s, db_.Prepare("DELETE FROM review_items WHERE input_hash = ?1"));
    KOLIBRI_RETURN_IF_ERROR(s.Bind(1, input_hash).Run());
    return db_.Changes();
  }

  Result<int64_t> Prune(int64_t cutoff_ms, ReviewPruneScope scope) override {
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(Statement s, db_.Prepare(
        "DELETE FROM review_items WHERE (status = 'resolved' AND resolved_at < ?1) OR "
        "(?2 = 1 AND created_at < ?1)"));
    KOLIBRI_RETURN_IF_ERROR(s.Bind(1, cutoff_ms).Bind(2, int64_t{scope == ReviewPruneScope::kAll ? 1 : 0}).Run());
    return db_.Changes();
  }

 private:
  Result<ReviewItem> GetLocked(int64_t id) {
    KOLIBRI_ASSIGN_OR_RETURN(Statement s,
                             db_.Prepare(std::string("SELECT ") + kReviewColumns + " FROM review_items WHERE id = ?1"));
    s.Bind(1, id);
    KOLIBRI_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::NotFound("review item " + std::to_string(id) + " does not exist");
    return ReadItem(s);
  }

  ReviewQueueOptions options_;
  Connection db_;
  std::mutex mu_;
};

}  // namespace

Result<std::unique_ptr<ReviewQueue>> OpenSqliteReviewQueue(const std::string& path, const ReviewQueueOptions& options) {
  auto q = std::make_unique<SqliteReviewQueue>(options);
  KOLIBRI_RETURN_IF_ERROR(q->Open(path));
  return std::unique_ptr<ReviewQueue>(std::move(q));
}

}  // namespace kolibri::store
