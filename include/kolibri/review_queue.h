// The human review queue: the cascade's last tier. Items a model could not decide with
// enough confidence wait here until a person claims and resolves them; resolved items are
// exported as labelled data to retrain the tier-0 classifier.
//
// Backends: ReviewQueue is an interface; Open picks the backend from the location.
//  - a file path (or ":memory:"): SQLite, the embedded default (WAL journal, so readers
//    never block the writer and several processes on one host may share it; a busy timeout
//    absorbs short lock waits);
//  - "postgresql://..." or "postgres://..." (a libpq connection URI): PostgreSQL, so several
//    replicas on several hosts share one queue. Claims take the row with
//    SELECT ... FOR UPDATE SKIP LOCKED, so two replicas never hand out the same item.
// Both keep one table `review_items`: id, task, idempotency key (unique), input hash, input text, proposed answer
// (JSON text), confidence, tier, status (open → claimed → resolved), claimed_by/claimed_at,
// resolution label and/or record (JSON text), resolved_by/resolved_at, created_at. Times are
// Unix milliseconds from the options' clock.
//
// Schemas are versioned and migrated on Open (one transaction per upgrade); a database
// written by a newer Kolibri is refused with kUnsupported.
//
// Errors (Status): kIoError when the database cannot be opened or written (kUnavailable
// when a PostgreSQL server cannot be reached), kCorrupt when it is not a review-queue
// database, kUnsupported for a newer schema version or a backend this build lacks, kNotFound for an unknown id,
// kFailedPrecondition for a state change the item's status does not allow (resolving a
// resolved item, claiming one held by someone else), kInvalidArgument for bad input.
//
// Thread safety: a ReviewQueue may be used from several threads (calls are serialised on one
// connection); several processes may open the same database.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kolibri/status.h"

namespace kolibri {

enum class ReviewStatus { kOpen, kClaimed, kResolved };

// "open", "claimed", "resolved".
const char* ReviewStatusName(ReviewStatus status);
// The inverse of ReviewStatusName; nullopt for anything else.
std::optional<ReviewStatus> ParseReviewStatus(const std::string& name);

struct ReviewItem {
  int64_t id = 0;
  std::string task;
  std::string idempotency_key;
  std::string input_hash;  // "sha256:<64 hex digits>" of input_text (as in the audit log)
  std::string input_text;
  std::string proposed_json = "null";  // the escalating tier's best answer, JSON text
  double confidence = 0;               // that tier's calibrated confidence
  std::string tier;                    // the tier that escalated ("tier0", "slm", ...)
  ReviewStatus status = ReviewStatus::kOpen;
  std::string claimed_by;
  int64_t claimed_at = 0;
  std::string resolution_label;  // set for classification tasks
  std::string resolution_json;   // set for extraction tasks (a JSON record)
  std::string resolved_by;
  int64_t resolved_at = 0;
  int64_t created_at = 0;
};

struct NewReviewItem {
  std::string task;        // required
  std::string input_text;  // required, not empty
  std::string proposed_json = "null";
  double confidence = 0;
  std::string tier;
  std::string idempotency_key;  // "" = task + ":" + input hash (same input, same item)
};

struct ReviewQueueOptions {
  int busy_timeout_ms = 5000;         // how long to wait for another writer's lock
  int64_t claim_expiry_ms = 3600000;  // a claim older than this may be taken over (1 h)
  std::function<int64_t()> now_ms;    // clock; empty = system clock (tests inject one)
};

struct ReviewFilter {
  std::optional<ReviewStatus> status;  // nullopt = all
  std::string task;                    // "" = all tasks
  std::string input_hash;              // "" = any input
  std::string idempotency_key;         // "" = any key
  int64_t limit = 100;                 // 1..100000, oldest first
};

// Which items Prune removes.
enum class ReviewPruneScope {
  kResolved,  // resolved items whose resolution is older than the cutoff
  kAll,       // also open and claimed items created before the cutoff
};

struct EnqueueResult {
  int64_t id = 0;
  bool created = false;  // false: an item with this idempotency key existed already
};

class ReviewQueue {
 public:
  // Opens or creates the queue at `location`: an SQLite file path (":memory:" for a
  // private in-memory one) or a "postgresql://" URI (see above).
  static Result<std::unique_ptr<ReviewQueue>> Open(const std::string& location,
                                                   const ReviewQueueOptions& options = {});
  virtual ~ReviewQueue() = default;
  ReviewQueue(const ReviewQueue&) = delete;
  ReviewQueue& operator=(const ReviewQueue&) = delete;

  // Adds an open item, or returns the existing one with the same idempotency key (a unique
  // constraint: concurrent retries from several replicas still make one item).
  // proposed_json must be valid JSON.
  virtual Result<EnqueueResult> Enqueue(const NewReviewItem& item) = 0;

  virtual Result<ReviewItem> Get(int64_t id) = 0;
  virtual Result<std::vector<ReviewItem>> List(const ReviewFilter& filter) = 0;

  // Claims item `id` for `reviewer`; with id 0, the oldest open (or expired-claim) item of
  // `task` ("" = any task). kNotFound when nothing is claimable. Claiming an item one
  // already holds renews the claim.
  virtual Result<ReviewItem> Claim(const std::string& reviewer, int64_t id, const std::string& task = "") = 0;

  // Resolves an open item, or one claimed by `reviewer` (or with an expired claim), with a
  // label and/or a JSON record (at least one).
  virtual Result<ReviewItem> Resolve(int64_t id, const std::string& reviewer, const std::string& label,
                                     const std::string& record_json) = 0;

  // Resolved items of `task` ("" = all), oldest resolution first.
  virtual Result<std::vector<ReviewItem>> Resolved(const std::string& task) = 0;

  // Removes every item about one input ("sha256:<hex>", right to erasure); returns how many.
  virtual Result<int64_t> ForgetInput(const std::string& input_hash) = 0;
  // Retention: removes the items `scope` selects that are older than `cutoff_ms` (Unix ms);
  // returns how many.
  virtual Result<int64_t> Prune(int64_t cutoff_ms, ReviewPruneScope scope) = 0;

 protected:
  ReviewQueue() = default;
};

}  // namespace kolibri
