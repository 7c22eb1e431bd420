#include "kolibri/review_queue.h"

#include <sqlite3.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>

#include "kolibri/sha256.h"
#include "store/sqlite_db.h"

namespace kolibri {
namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS review_items (
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
CREATE INDEX IF NOT EXISTS review_items_task_status ON review_items (task, status, id);
)sql";

constexpr const char* kColumns =
    "id, task, idempotency_key, input_hash, input_text, proposed_json, confidence, tier, status, "
    "claimed_by, claimed_at, resolution_label, resolution_json, resolved_by, resolved_at, "
    "created_at";

std::string InputHash(const std::string& text) { return "sha256:" + Sha256Hex(text); }

bool IsJson(const std::string& text) { return nlohmann::json::accept(text.begin(), text.end()); }

using store::Stmt;

ReviewItem ReadItem(const Stmt& s) {
  ReviewItem it;
  it.id = s.Int(0);
  it.task = s.Text(1);
  it.idempotency_key = s.Text(2);
  it.input_hash = s.Text(3);
  it.input_text = s.Text(4);
  it.proposed_json = s.Text(5);
  it.confidence = s.Real(6);
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

}  // namespace

const char* ReviewStatusName(ReviewStatus status) {
  switch (status) {
    case ReviewStatus::kOpen:
      return "open";
    case ReviewStatus::kClaimed:
      return "claimed";
    case ReviewStatus::kResolved:
      return "resolved";
  }
  return "open";
}

std::optional<ReviewStatus> ParseReviewStatus(const std::string& name) {
  if (name == "open") return ReviewStatus::kOpen;
  if (name == "claimed") return ReviewStatus::kClaimed;
  if (name == "resolved") return ReviewStatus::kResolved;
  return std::nullopt;
}

struct ReviewQueue::Impl {
  sqlite3* db = nullptr;
  std::string path;
  ReviewQueueOptions options;
  std::mutex mu;

  ~Impl() { sqlite3_close(db); }

  int64_t Now() const {
    if (options.now_ms) return options.now_ms();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  Status Error(const std::string& what) const {
    return Status::IoError("review queue '" + path + "': " + what + ": " + sqlite3_errmsg(db));
  }
  Status Exec(const char* sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      Status s =
          Status::IoError("review queue '" + path + "': " + (err != nullptr ? err : "error"));
      sqlite3_free(err);
      return s;
    }
    return Status::Ok();
  }
  Result<ReviewItem> GetLocked(int64_t id) {
    Stmt s(db, (std::string("SELECT ") + kColumns + " FROM review_items WHERE id = ?").c_str());
    KOLIBRI_RETURN_IF_ERROR(s.Prepared());
    s.Bind(1, id);
    const int rc = s.Step();
    if (rc == SQLITE_ROW) return ReadItem(s);
    if (rc == SQLITE_DONE)
      return Status::NotFound("review item " + std::to_string(id) + " does not exist");
    return Error("reading item " + std::to_string(id));
  }
  // An item may be claimed or resolved by `reviewer` when it is open, claimed by them, or
  // its claim has expired.
  Status CheckClaimable(const ReviewItem& it, const std::string& reviewer, int64_t now) const {
    if (it.status == ReviewStatus::kOpen) return Status::Ok();
    const std::string name = "review item " + std::to_string(it.id);
    if (it.status == ReviewStatus::kResolved)
      return Status::FailedPrecondition(name + " is already resolved");
    if (it.claimed_by == reviewer || now - it.claimed_at >= options.claim_expiry_ms)
      return Status::Ok();
    return Status::FailedPrecondition(name + " is claimed by '" + it.claimed_by + "'");
  }
  // Runs `fn` between BEGIN IMMEDIATE (the write lock up front, so two processes cannot
  // take the same item) and COMMIT; rolls back when it fails.
  Result<ReviewItem> Transact(const std::function<Result<ReviewItem>()>& fn) {
    KOLIBRI_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Result<ReviewItem> r = fn();
    if (r.ok() && Exec("COMMIT").ok()) return r;
    (void)Exec("ROLLBACK");
    return r.ok() ? Error("committing") : r;
  }
};

ReviewQueue::ReviewQueue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReviewQueue::~ReviewQueue() = default;

Result<std::unique_ptr<ReviewQueue>> ReviewQueue::Open(const std::string& path,
                                                       const ReviewQueueOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  KOLIBRI_RETURN_IF_ERROR(store::OpenVersioned(
      path, {.kind = "review-queue", .schema = kSchema, .version = kSchemaVersion, .busy_timeout_ms = options.busy_timeout_ms},
      &impl->db));
  return std::unique_ptr<ReviewQueue>(new ReviewQueue(std::move(impl)));
}

Result<EnqueueResult> ReviewQueue::Enqueue(const NewReviewItem& item) {
  if (item.task.empty()) return Status::InvalidArgument("a review item needs a task name");
  if (item.input_text.empty()) return Status::InvalidArgument("a review item needs input text");
  if (!IsJson(item.proposed_json)) {
    return Status::InvalidArgument("the proposed answer is not valid JSON: " +
                                   item.proposed_json.substr(0, 80));
  }
  const std::string hash = InputHash(item.input_text);
  const std::string key =
      item.idempotency_key.empty() ? item.task + ":" + hash : item.idempotency_key;
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stmt ins(
      impl_->db,
      "INSERT INTO review_items (task, idempotency_key, input_hash, input_text, proposed_json, "
      "confidence, tier, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?) "
      "ON CONFLICT (idempotency_key) DO NOTHING");
  KOLIBRI_RETURN_IF_ERROR(ins.Prepared());
  ins.Bind(1, item.task)
      .Bind(2, key)
      .Bind(3, hash)
      .Bind(4, item.input_text)
      .Bind(5, item.proposed_json);
  ins.Bind(6, item.confidence).Bind(7, item.tier).Bind(8, impl_->Now());
  if (ins.Step() != SQLITE_DONE) return impl_->Error("adding an item");
  const bool created = sqlite3_changes(impl_->db) > 0;
  Stmt sel(impl_->db, "SELECT id FROM review_items WHERE idempotency_key = ?");
  KOLIBRI_RETURN_IF_ERROR(sel.Prepared());
  sel.Bind(1, key);
  if (sel.Step() != SQLITE_ROW) return impl_->Error("finding the added item");
  return EnqueueResult{sel.Int(0), created};
}

Result<ReviewItem> ReviewQueue::Get(int64_t id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->GetLocked(id);
}

Result<std::vector<ReviewItem>> ReviewQueue::List(const ReviewFilter& filter) {
  if (filter.limit < 1 || filter.limit > 100000)
    return Status::InvalidArgument("list limit must be in 1..100000");
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stmt s(impl_->db, (std::string("SELECT ") + kColumns +
                     " FROM review_items WHERE (?1 = '' OR status = ?1) AND (?2 = '' OR task = ?2) "
                     "ORDER BY id LIMIT ?3")
                        .c_str());
  KOLIBRI_RETURN_IF_ERROR(s.Prepared());
  s.Bind(1, std::string(filter.status ? ReviewStatusName(*filter.status) : ""));
  s.Bind(2, filter.task).Bind(3, filter.limit);
  std::vector<ReviewItem> items;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) items.push_back(ReadItem(s));
  if (rc != SQLITE_DONE) return impl_->Error("listing items");
  return items;
}

Result<ReviewItem> ReviewQueue::Claim(const std::string& reviewer, int64_t id,
                                      const std::string& task) {
  if (reviewer.empty()) return Status::InvalidArgument("claiming needs a reviewer name");
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->Transact([&]() -> Result<ReviewItem> {
    const int64_t now = impl_->Now();
    int64_t target = id;
    if (target == 0) {
      Stmt s(impl_->db,
             "SELECT id FROM review_items WHERE (?1 = '' OR task = ?1) AND "
             "(status = 'open' OR (status = 'claimed' AND ?2 - claimed_at >= ?3)) ORDER BY id "
             "LIMIT 1");
      KOLIBRI_RETURN_IF_ERROR(s.Prepared());
      s.Bind(1, task).Bind(2, now).Bind(3, impl_->options.claim_expiry_ms);
      const int rc = s.Step();
      if (rc == SQLITE_DONE) {
        return Status::NotFound(task.empty() ? "no open review items"
                                             : "no open review items for task '" + task + "'");
      }
      if (rc != SQLITE_ROW) return impl_->Error("finding an open item");
      target = s.Int(0);
    }
    KOLIBRI_ASSIGN_OR_RETURN(const ReviewItem item, impl_->GetLocked(target));
    KOLIBRI_RETURN_IF_ERROR(impl_->CheckClaimable(item, reviewer, now));
    Stmt up(
        impl_->db,
        "UPDATE review_items SET status = 'claimed', claimed_by = ?, claimed_at = ? WHERE id = ?");
    KOLIBRI_RETURN_IF_ERROR(up.Prepared());
    up.Bind(1, reviewer).Bind(2, now).Bind(3, target);
    if (up.Step() != SQLITE_DONE) return impl_->Error("claiming item " + std::to_string(target));
    return impl_->GetLocked(target);
  });
}

Result<ReviewItem> ReviewQueue::Resolve(int64_t id, const std::string& reviewer,
                                        const std::string& label, const std::string& record_json) {
  if (reviewer.empty()) return Status::InvalidArgument("resolving needs a reviewer name");
  if (label.empty() && record_json.empty()) {
    return Status::InvalidArgument("a resolution needs a label or a record");
  }
  if (!record_json.empty() && !IsJson(record_json)) {
    return Status::InvalidArgument("the record is not valid JSON: " + record_json.substr(0, 80));
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->Transact([&]() -> Result<ReviewItem> {
    const int64_t now = impl_->Now();
    KOLIBRI_ASSIGN_OR_RETURN(const ReviewItem item, impl_->GetLocked(id));
    KOLIBRI_RETURN_IF_ERROR(impl_->CheckClaimable(item, reviewer, now));
    Stmt up(
        impl_->db,
        "UPDATE review_items SET status = 'resolved', resolution_label = ?, resolution_json = ?, "
        "resolved_by = ?, resolved_at = ? WHERE id = ?");
    KOLIBRI_RETURN_IF_ERROR(up.Prepared());
    up.Bind(1, label).Bind(2, record_json).Bind(3, reviewer).Bind(4, now).Bind(5, id);
    if (up.Step() != SQLITE_DONE) return impl_->Error("resolving item " + std::to_string(id));
    return impl_->GetLocked(id);
  });
}

Result<std::vector<ReviewItem>> ReviewQueue::Resolved(const std::string& task) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stmt s(impl_->db, (std::string("SELECT ") + kColumns +
                     " FROM review_items WHERE status = 'resolved' AND (?1 = '' OR task = ?1) "
                     "ORDER BY resolved_at, id")
                        .c_str());
  KOLIBRI_RETURN_IF_ERROR(s.Prepared());
  s.Bind(1, task);
  std::vector<ReviewItem> items;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) items.push_back(ReadItem(s));
  if (rc != SQLITE_DONE) return impl_->Error("reading resolved items");
  return items;
}

}  // namespace kolibri
