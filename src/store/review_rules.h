// Private to the store module: the review-queue rules every backend applies the same way
// (input checks, the idempotency key, who may claim or resolve an item), so the SQLite and
// PostgreSQL queues differ only in how they read and write rows.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "kolibri/review_queue.h"
#include "kolibri/status.h"

namespace kolibri::store {

// The columns every backend selects, in ReviewItem field order.
inline constexpr const char* kReviewColumns =
    "id, task, idempotency_key, input_hash, input_text, proposed_json, confidence, tier, status, "
    "claimed_by, claimed_at, resolution_label, resolution_json, resolved_by, resolved_at, created_at";

// InvalidArgument for a missing task or input, or a proposed answer that is not JSON.
Status CheckNewItem(const NewReviewItem& item);
// The item's idempotency key: its own, or task + ":" + input hash.
std::string ItemKey(const NewReviewItem& item, const std::string& input_hash);
// InvalidArgument for a missing reviewer, no label and no record, or a record that is not JSON.
Status CheckResolution(const std::string& reviewer, const std::string& label, const std::string& record_json);
Status CheckFilter(const ReviewFilter& filter);
// An item may be claimed or resolved by `reviewer` when it is open, claimed by them, or its
// claim is at least `claim_expiry_ms` old.
Status CheckClaimable(const ReviewItem& item, const std::string& reviewer, int64_t now_ms, int64_t claim_expiry_ms);
// The options' clock, or the system clock in Unix ms.
int64_t ReviewNowMs(const ReviewQueueOptions& options);
std::string NoClaimableItem(const std::string& task);

}  // namespace kolibri::store
