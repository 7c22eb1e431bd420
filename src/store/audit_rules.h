// Private to the store module: the audit-log checks every backend applies the same way.
#pragma once

#include <cstdint>

#include "kolibri/audit_log.h"

namespace kolibri::store {

inline constexpr const char* kAuditColumns =
    "id, time_ms, request_id, task, task_version, input_hash, tier, model, outcome, label, record_json, "
    "confidence, latency_ms, detail";

// InvalidArgument for a missing task or tier, an unknown outcome or a record that is not JSON.
Status CheckAuditEntry(const AuditEntry& entry);
Status CheckAuditFilter(const AuditFilter& filter);
// entry.time_ms, or now (Unix ms) when it is 0.
int64_t AuditTime(const AuditEntry& entry);

}  // namespace kolibri::store
