#include "kolibri/data_lifecycle.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>

namespace kolibri {
namespace {

bool IsInputHash(const std::string& id) {
  if (id.size() != 7 + 64 || id.rfind("sha256:", 0) != 0) return false;
  return std::all_of(id.begin() + 7, id.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// The input hashes `id` names, and the indexed documents it removes (added to `report`).
Result<std::set<std::string>> ResolveInputs(const std::string& id, const StoreSet& stores, ForgetReport* report) {
  std::set<std::string> hashes;
  if (id.rfind("sha256:", 0) == 0) {
    if (!IsInputHash(id)) return Status::InvalidArgument("'" + id + "' is not an input hash (sha256:<64 hex digits>)");
    hashes.insert(id);
    return hashes;
  }
  if (id.rfind("review:", 0) == 0) {
    const std::string digits = id.substr(7);
    if (digits.empty() || digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Status::InvalidArgument("'" + id + "' is not a review item id (review:<number>)");
    }
    if (stores.review == nullptr) return Status::InvalidArgument("'" + id + "' needs a review queue (--review-db)");
    KOLIBRI_ASSIGN_OR_RETURN(ReviewItem item, stores.review->Get(std::stoll(digits)));
    hashes.insert(item.input_hash);
    return hashes;
  }
  if (stores.audit != nullptr) {
    KOLIBRI_ASSIGN_OR_RETURN(auto entries, stores.audit->List({.request_id = id, .limit = 1000000}));
    for (const AuditEntry& e : entries) {
      if (!e.input_hash.empty()) hashes.insert(e.input_hash);
    }
  }
  if (stores.review != nullptr) {
    KOLIBRI_ASSIGN_OR_RETURN(auto items, stores.review->List({.idempotency_key = id, .limit = 100000}));
    for (const ReviewItem& it : items) hashes.insert(it.input_hash);
  }
  if (stores.index != nullptr) {
    KOLIBRI_ASSIGN_OR_RETURN(ForgottenDocuments docs, stores.index->ForgetDocument(id));
    report->documents += docs.documents;
    report->chunks += docs.chunks;
    hashes.insert(docs.text_hashes.begin(), docs.text_hashes.end());
  }
  return hashes;
}

}  // namespace

Result<ForgetReport> ForgetInput(const std::string& id, const StoreSet& stores) {
  if (id.empty()) return Status::InvalidArgument("no id given to forget");
  ForgetReport report;
  KOLIBRI_ASSIGN_OR_RETURN(std::set<std::string> hashes, ResolveInputs(id, stores, &report));
  for (const std::string& hash : hashes) {
    if (stores.audit != nullptr) {
      KOLIBRI_ASSIGN_OR_RETURN(int64_t n, stores.audit->ForgetInput(hash));
      report.audit_entries += n;
    }
    if (stores.review != nullptr) {
      KOLIBRI_ASSIGN_OR_RETURN(int64_t n, stores.review->ForgetInput(hash));
      report.review_items += n;
    }
  }
  report.input_hashes.assign(hashes.begin(), hashes.end());
  if (report.audit_entries + report.review_items + report.documents == 0) {
    return Status::NotFound("nothing stored matches '" + id + "'");
  }
  return report;
}

Result<PruneReport> ApplyRetention(const RetentionPolicy& policy, const StoreSet& stores, int64_t now_ms) {
  if (policy.audit_ms < 0 || policy.review_ms < 0) return Status::InvalidArgument("retention periods must be >= 0");
  PruneReport report;
  if (stores.audit != nullptr && policy.audit_ms > 0) {
    KOLIBRI_ASSIGN_OR_RETURN(report.audit_entries, stores.audit->PruneBefore(now_ms - policy.audit_ms));
  }
  if (stores.review != nullptr && policy.review_ms > 0) {
    KOLIBRI_ASSIGN_OR_RETURN(report.review_items, stores.review->Prune(now_ms - policy.review_ms, policy.review_scope));
  }
  return report;
}

RetentionSweeper::RetentionSweeper(RetentionPolicy policy, StoreSet stores, int64_t interval_ms,
                                   std::function<void(const Result<PruneReport>&)> on_sweep)
    : policy_(policy), stores_(stores), interval_ms_(std::max<int64_t>(interval_ms, 1)),
      on_sweep_(std::move(on_sweep)) {
  thread_ = std::thread([this] { Loop(); });
}

RetentionSweeper::~RetentionSweeper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void RetentionSweeper::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    Result<PruneReport> r = ApplyRetention(policy_, stores_, now);
    if (on_sweep_) on_sweep_(r);
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stop_; });
  }
}

}  // namespace kolibri
