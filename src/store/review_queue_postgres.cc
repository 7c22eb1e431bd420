// The review queue on PostgreSQL: one queue shared by every replica. Claims are safe across
// replicas: the next item is taken with SELECT ... FOR UPDATE SKIP LOCKED inside the
// claiming UPDATE, and claims or resolutions by id lock the row (FOR UPDATE) before the
// rules are checked, so two replicas never hold or resolve one item at once.
#include <cstdio>
#include <iterator>
#include <mutex>

#include "kolibri/audit_log.h"
#include "store/pg_connection.h"
#include "store/review_rules.h"
#include "store/store_backends.h"

namespace kolibri::store {
namespace {

constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE review_items (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  input_hash TEXT NOT NULL,
  input_text TEXT NOT NULL,
  proposed_json TEXT NOT NULL DEFAULT 'null',
  confidence DOUBLE PRECISION NOT NULL DEFAULT 0,
  tier TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'resolved')),
  claimed_by TEXT NOT NULL DEFAULT '',
  claimed_at BIGINT NOT NULL DEFAULT 0,
  resolution_label TEXT NOT NULL DEFAULT '',
  resolution_json TEXT NOT NULL DEFAULT '',
  resolved_by TEXT NOT NULL DEFAULT '',
  resolved_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX review_items_task_status ON review_items (task, status, id);
CREATE INDEX review_items_input ON review_items (input_hash);
CREATE INDEX review_items_created ON review_items (created_at);
CREATE INDEX review_items_resolved ON review_items (status, resolved_at);
)sql",
};

constexpr PgSchema kSchema{.component = "review_queue",
                           .kind = "review queue",
                           .migrations = kMigrations,
                           .version = static_cast<int>(std::size(kMigrations))};

ReviewItem ReadItem(const PgResult& r, int row) {
  ReviewItem it;
  it.id = r.Int(row, 0);
  it.task = r.Text(row, 1);
  it.idempotency_key = r.Text(row, 2);
  it.input_hash = r.Text(row, 3);
  it.input_text = r.Text(row, 4);
  it.proposed_json = r.Text(row, 5);
  it.confidence = r.Double(row, 6);
  it.tier = r.Text(row, 7);
  it.status = ParseReviewStatus(r.Text(row, 8)).value_or(ReviewStatus::kOpen);
  it.claimed_by = r.Text(row, 9);
  it.claimed_at = r.Int(row, 10);
  it.resolution_label = r.Text(row, 11);
  it.resolution_json = r.Text(row, 12);
  it.resolved_by = r.Text(row, 13);
  it.resolved_at = r.Int(row, 14);
  it.created_at = r.Int(row, 15);
  return it;
}

std::vector<ReviewItem> ReadItems(const PgResult& r) {
  std::vector<ReviewItem> items;
  for (int i = 0; i < r.rows(); ++i) items.push_back(ReadItem(r, i));
  return items;
}

std::string Num(int64_t v) { return std::to_string(v); }
std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

class PostgresReviewQueue final : public ReviewQueue {
 public:
  explicit PostgresReviewQueue(const ReviewQueueOptions& options) : options_(options) {}
  Status Open(const std::string& uri) {
    KOLIBRI_RETURN_IF_ERROR(db_.Connect(uri, "review queue"));
    return db_.Migrate(kSchema);
  }

  Result<EnqueueResult> Enqueue(const NewReviewItem& item) override {
    KOLIBRI_RETURN_IF_ERROR(CheckNewItem(item));
    const std::string hash = AuditInputHash(item.input_text);
    const std::string key = ItemKey(item, hash);
    std::lock_guard<std::mutex> lock(mu_);
    // ON CONFLICT waits for a concurrent insert of the same key to commit, then does nothing.
    KOLIBRI_ASSIGN_OR_RETURN(PgResult ins, db_.Exec(
        "INSERT INTO review_items (task, idempotency_key, input_hash, input_text, proposed_json, confidence, "
        "tier, status, created_at) VALUES ($1, $2, $3, $4, $5, $6::double precision, $7, 'open', $8::bigint) "
        "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        {item.task, key, hash, item.input_text, item.proposed_json, Num(item.confidence), item.tier,
         Num(ReviewNowMs(options_))}));
    if (ins.rows() > 0) return EnqueueResult{ins.Int(0, 0), true};
    KOLIBRI_ASSIGN_OR_RETURN(PgResult sel, db_.Exec("SELECT id FROM review_items WHERE idempotency_key = $1", {key}));
    if (sel.rows() == 0) return Status::Internal("review item with key '" + key + "' vanished while adding it");
    return EnqueueResult{sel.Int(0, 0), false};
  }

  Result<ReviewItem> Get(int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return GetLocked(id, "");
  }

  Result<std::vector<ReviewItem>> List(const ReviewFilter& f) override {
    KOLIBRI_RETURN_IF_ERROR(CheckFilter(f));
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(PgResult r, db_.Exec(
        std::string("SELECT ") + kReviewColumns +
            " FROM review_items WHERE ($1 = '' OR status = $1) AND ($2 = '' OR task = $2) AND "
            "($3 = '' OR input_hash = $3) AND ($4 = '' OR idempotency_key = $4) ORDER BY id LIMIT $5::bigint",
        {f.status ? ReviewStatusName(*f.status) : "", f.task, f.input_hash, f.idempotency_key, Num(f.limit)}));
    return ReadItems(r);
  }

  Result<ReviewItem> Claim(const std::string& reviewer, int64_t id, const std::string& task) override {
    if (reviewer.empty()) return Status::InvalidArgument("claiming needs a reviewer name");
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = ReviewNowMs(options_);
    if (id == 0) {
      KOLIBRI_ASSIGN_OR_RETURN(PgResult r, db_.Exec(
          std::string("UPDATE review_items SET status = 'claimed', claimed_by = $1, claimed_at = $2::bigint "
                      "WHERE id = (SELECT id FROM review_items WHERE ($3 = '' OR task = $3) AND "
                      "(status = 'open' OR (status = 'claimed' AND $2::bigint - claimed_at >= $4::bigint)) "
                      "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING ") + kReviewColumns,
          {reviewer, Num(now), task, Num(options_.claim_expiry_ms)}));
      if (r.rows() == 0) return Status::NotFound(NoClaimableItem(task));
      return ReadItem(r, 0);
    }
    return ChangeLocked(id, reviewer, now, "status = 'claimed', claimed_by = $2, claimed_at = $3::bigint", {});
  }

  Result<ReviewItem> Resolve(int64_t id, const std::string& reviewer, const std::string& label,
                             const std::string& record_json) override {
    KOLIBRI_RETURN_IF_ERROR(CheckResolution(reviewer, label, record_json));
    std::lock_guard<std::mutex> lock(mu_);
    return ChangeLocked(id, reviewer, ReviewNowMs(options_),
                        "status = 'resolved', resolved_by = $2, resolved_at = $3::bigint, resolution_label = $4, "
                        "resolution_json = $5",
                        {label, record_json});
  }

  Result<std::vector<ReviewItem>> Resolved(const std::string& task) override {
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(PgResult r, db_.Exec(
        std::string("SELECT ") + kReviewColumns +
            " FROM review_items WHERE status = 'resolved' AND ($1 = '' OR task = $1) ORDER BY resolved_at, id",
        {task}));
    return ReadItems(r);
  }

  Result<int64_t> ForgetInput(const std::string& input_hash) override {
    if (input_hash.empty()) return Status::InvalidArgument("no input hash given");
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(PgResult r, db_.Exec("DELETE FROM review_items WHERE input_hash = $1", {input_hash}));
    return r.Affected();
  }

  Result<int64_t> Prune(int64_t cutoff_ms, ReviewPruneScope scope) override {
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(PgResult r, db_.Exec(
        "DELETE FROM review_items WHERE (status = 'resolved' AND resolved_at < $1::bigint) OR "
        "($2 = 'all' AND created_at < $1::bigint)",
        {Num(cutoff_ms), scope == ReviewPruneScope::kAll ? "all" : "resolved"}));
    return r.Affected();
  }

 private:
  // `suffix` e.g. " FOR UPDATE" to lock the row inside a transaction.
  Result<ReviewItem> GetLocked(int64_t id, const char* suffix) {
    KOLIBRI_ASSIGN_OR_RETURN(PgResult r, db_.Exec(std::string("SELECT ") + kReviewColumns +
                                                      " FROM review_items WHERE id = $1::bigint" + suffix,
                                                  {Num(id)}));
    if (r.rows() == 0) return Status::NotFound("review item " + std::to_string(id) + " does not exist");
    return ReadItem(r, 0);
  }

  // Locks item `id`, checks that `reviewer` may change it, then sets `assignments` ($1 id,
  // $2 reviewer, $3 now, $4... `extra`).
  Result<ReviewItem> ChangeLocked(int64_t id, const std::string& reviewer, int64_t now, const char* assignments,
                                  const std::vector<std::string>& extra) {
    PgTransaction tx(&db_);
    KOLIBRI_RETURN_IF_ERROR(tx.Begin());
    KOLIBRI_ASSIGN_OR_RETURN(const ReviewItem item, GetLocked(id, " FOR UPDATE"));
    KOLIBRI_RETURN_IF_ERROR(CheckClaimable(item, reviewer, now, options_.claim_expiry_ms));
    std::vector<std::string> params = {Num(id), reviewer, Num(now)};
    params.insert(params.end(), extra.begin(), extra.end());
    KOLIBRI_ASSIGN_OR_RETURN(PgResult r, db_.Exec(std::string("UPDATE review_items SET ") + assignments +
                                                      " WHERE id = $1::bigint RETURNING " + kReviewColumns,
                                                  params));
    KOLIBRI_RETURN_IF_ERROR(tx.Commit());
    return ReadItem(r, 0);
  }

  ReviewQueueOptions options_;
  PgConnection db_;
  std::mutex mu_;
};

}  // namespace

Result<std::unique_ptr<ReviewQueue>> OpenPostgresReviewQueue(const std::string& uri,
                                                             const ReviewQueueOptions& options) {
  auto q = std::make_unique<PostgresReviewQueue>(options);
  KOLIBRI_RETURN_IF_ERROR(q->Open(uri));
  return std::unique_ptr<ReviewQueue>(std::move(q));
}

}  // namespace kolibri::store
