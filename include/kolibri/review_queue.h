// The human review queue: the cascade's last tier. Items a model could not decide with
// enough confidence wait here until a person claims and resolves them; resolved items are
// exported as labelled data to retrain the tier-0 classifier.
//
// Storage: one SQLite database file (WAL journal, so readers never block the writer and
// several processes may share it; a busy timeout absorbs short lock waits). Table
// `review_items`: id, task, idempotency key (unique), input hash, input text, proposed answer
// (JSON text), confidence, tier, status (open → claimed → resolved), claimed_by/claimed_at,
// resolution label and/or record (JSON text), resolved_by/resolved_at, created_at. Times are
// Unix milliseconds from the options' clock.
//
// Errors (Status): kIoError when the file cannot be opened or written, kCorrupt when it is
// not a review-queue database of a known schema version, kNotFound for an unknown id,
// kFailedPrecondition for a state change the item's status does not allow (resolving a
// resolved item, claiming one held by someone else), kInvalidArgument for bad input.
//
// Thread safety: a ReviewQueue may be used from several threads (calls are serialised on one
// connection); several processes may open the same file.
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
  int64_t limit = 100;                 // 1..100000, oldest first
};

struct EnqueueResult {
  int64_t id = 0;
  bool created = false;  // false: an item with this idempotency key existed already
};

class ReviewQueue {
 public:
  // Opens or creates the database at `path` (":memory:" for a private in-memory one).
  static Result<std::unique_ptr<ReviewQueue>> Open(const std::string& path,
                                                   const ReviewQueueOptions& options = {});
  ~ReviewQueue();
  ReviewQueue(const ReviewQueue&) = delete;
  ReviewQueue& operator=(const ReviewQueue&) = delete;

  // Adds an open item, or returns the existing one with the same idempotency key.
  // proposed_json must be valid JSON.
  Result<EnqueueResult> Enqueue(const NewReviewItem& item);

  Result<ReviewItem> Get(int64_t id);
  Result<std::vector<ReviewItem>> List(const ReviewFilter& filter);

  // Claims item `id` for `reviewer`; with id 0, the oldest open (or expired-claim) item of
  // `task` ("" = any task). kNotFound when nothing is claimable. Claiming an item one
  // already holds renews the claim.
  Result<ReviewItem> Claim(const std::string& reviewer, int64_t id, const std::string& task = "");

  // Resolves an open item, or one claimed by `reviewer` (or with an expired claim), with a
  // label and/or a JSON record (at least one).
  Result<ReviewItem> Resolve(int64_t id, const std::string& reviewer, const std::string& label,
                             const std::string& record_json);

  // Resolved items of `task` ("" = all), oldest resolution first.
  Result<std::vector<ReviewItem>> Resolved(const std::string& task);

 private:
  struct Impl;
  explicit ReviewQueue(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kolibri
