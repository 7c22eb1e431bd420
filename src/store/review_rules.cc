#include "store/review_rules.h"

#include <chrono>
#include <nlohmann/json.hpp>

namespace kolibri::store {
namespace {

bool IsJson(const std::string& text) { return nlohmann::json::accept(text.begin(), text.end()); }

}  // namespace

Status CheckNewItem(const NewReviewItem& item) {
  if (item.task.empty()) return Status::InvalidArgument("a review item needs a task name");
  if (item.input_text.empty()) return Status::InvalidArgument("a review item needs input text");
  if (!IsJson(item.proposed_json)) {
    return Status::InvalidArgument("the proposed answer is not valid JSON: " + item.proposed_json.substr(0, 80));
  }
  return Status::Ok();
}

std::string ItemKey(const NewReviewItem& item, const std::string& input_hash) {
  return item.idempotency_key.empty() ? item.task + ":" + input_hash : item.idempotency_key;
}

Status CheckResolution(const std::string& reviewer, const std::string& label, const std::string& record_json) {
  if (reviewer.empty()) return Status::InvalidArgument("resolving needs a reviewer name");
  if (label.empty() && record_json.empty()) return Status::InvalidArgument("a resolution needs a label or a record");
  if (!record_json.empty() && !IsJson(record_json)) {
    return Status::InvalidArgument("the record is not valid JSON: " + record_json.substr(0, 80));
  }
  return Status::Ok();
}

Status CheckFilter(const ReviewFilter& filter) {
  if (filter.limit < 1 || filter.limit > 100000) return Status::InvalidArgument("list limit must be in 1..100000");
  return Status::Ok();
}

Status CheckClaimable(const ReviewItem& item, const std::string& reviewer, int64_t now_ms, int64_t claim_expiry_ms) {
  if (item.status == ReviewStatus::kOpen) return Status::Ok();
  const std::string name = "review item " + std::to_string(item.id);
  if (item.status == ReviewStatus::kResolved) return Status::FailedPrecondition(name + " is already resolved");
  if (item.claimed_by == reviewer || now_ms - item.claimed_at >= claim_expiry_ms) return Status::Ok();
  return Status::FailedPrecondition(name + " is claimed by '" + item.claimed_by + "'");
}

int64_t ReviewNowMs(const ReviewQueueOptions& options) {
  if (options.now_ms) return options.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NoClaimableItem(const std::string& task) {
  return task.empty() ? "no open review items" : "no open review items for task '" + task + "'";
}

}  // namespace kolibri::store
