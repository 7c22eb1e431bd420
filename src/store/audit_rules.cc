#include "store/audit_rules.h"

#include <chrono>
#include <nlohmann/json.hpp>

namespace kolibri::store {

Status CheckAuditEntry(const AuditEntry& e) {
  if (e.task.empty() || e.tier.empty()) return Status::InvalidArgument("an audit entry needs a task and a tier");
  if (e.outcome != "answered" && e.outcome != "escalated" && e.outcome != "error") {
    return Status::InvalidArgument("audit outcome must be answered, escalated or error, got '" + e.outcome + "'");
  }
  if (!e.record_json.empty() && !nlohmann::json::accept(e.record_json)) {
    return Status::InvalidArgument("the audit record is not valid JSON");
  }
  return Status::Ok();
}

Status CheckAuditFilter(const AuditFilter& f) {
  if (f.limit < 1 || f.limit > 1000000) return Status::InvalidArgument("audit list limit must be in 1..1000000");
  return Status::Ok();
}

int64_t AuditTime(const AuditEntry& e) {
  if (e.time_ms != 0) return e.time_ms;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace kolibri::store
