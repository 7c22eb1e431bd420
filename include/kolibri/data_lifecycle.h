// Data lifecycle over the stores: retention (prune what is older than a period), erasure
// of everything stored about one input (`kolibri forget`), and online SQLite backups.
//
// "Results" are what the cascade answered (label and record); they are stored in the audit
// log, so the audit log's retention and erasure cover them. Any of the stores in a StoreSet
// may be null (not configured) and is then skipped.
//
// Thread safety: the functions are as thread-safe as the stores (all of them are);
// RetentionSweeper runs on its own thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kolibri/audit_log.h"
#include "kolibri/document_store.h"
#include "kolibri/review_queue.h"
#include "kolibri/duration.h"  // ParseDurationMs (retention periods)
#include "kolibri/status.h"

namespace kolibri {

struct StoreSet {
  ReviewQueue* review = nullptr;
  AuditLog* audit = nullptr;
  DocumentStore* index = nullptr;
};

struct ForgetReport {
  std::vector<std::string> input_hashes;  // the inputs erased ("sha256:<hex>")
  int64_t audit_entries = 0;
  int64_t review_items = 0;
  int64_t documents = 0;  // indexed copies (documents of the document store)
  int64_t chunks = 0;
};

// Erases everything stored about one input. `id` is one of:
//  - "sha256:<64 hex>": an input hash (as audit entries and review items carry it);
//  - "review:<n>": review item n;
//  - anything else, looked up as an audit request id, a review item's idempotency key, and
//    a document id or source path in the index (an indexed document's text hash then
//    counts as an input too).
// Every input hash found is erased from the audit log and the review queue; matching
// documents are removed from the index. kNotFound when `id` matched nothing anywhere;
// kInvalidArgument for an empty id or a malformed "sha256:" / "review:" id.
Result<ForgetReport> ForgetInput(const std::string& id, const StoreSet& stores);

// Retention periods in milliseconds; 0 keeps that store's data forever.
struct RetentionPolicy {
  int64_t audit_ms = 0;   // audit entries (and the results they hold)
  int64_t review_ms = 0;  // review items
  ReviewPruneScope review_scope = ReviewPruneScope::kResolved;  // open items are kept by default
};

struct PruneReport {
  int64_t audit_entries = 0;
  int64_t review_items = 0;
};

// Removes what `policy` says is older than its period at `now_ms` (Unix ms).
Result<PruneReport> ApplyRetention(const RetentionPolicy& policy, const StoreSet& stores, int64_t now_ms);

// Copies the SQLite store file `src` (live: other processes may keep writing) to `dst`
// with SQLite's online backup API; `dst` is written as dst + ".tmp" and renamed, so it is
// either complete or absent. kAlreadyExists when `dst` exists, kNotFound when `src` does
// not, kUnsupported for a postgresql:// source (use pg_dump, see README "Backup").
Status BackupSqliteStore(const std::string& src, const std::string& dst);

// Applies a retention policy every `interval` on its own thread (the first run at start)
// until destroyed. `on_sweep` (may be empty) gets each run's outcome, e.g. for logging.
class RetentionSweeper {
 public:
  RetentionSweeper(RetentionPolicy policy, StoreSet stores, int64_t interval_ms,
                   std::function<void(const Result<PruneReport>&)> on_sweep);
  ~RetentionSweeper();
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

 private:
  void Loop();
  RetentionPolicy policy_;
  StoreSet stores_;
  int64_t interval_ms_;
  std::function<void(const Result<PruneReport>&)> on_sweep_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace kolibri
