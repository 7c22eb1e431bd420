// AuditLog::Open picks the backend from the location; the input hash both stores share.
#include "kolibri/audit_log.h"

#include "kolibri/sha256.h"
#include "store/store_backends.h"

namespace kolibri {

std::string AuditInputHash(const std::string& text) { return "sha256:" + Sha256Hex(text); }

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& location, int busy_timeout_ms) {
  if (store::IsPostgresLocation(location)) return store::OpenPostgresAuditLog(location);
  return store::OpenSqliteAuditLog(location, busy_timeout_ms);
}

namespace store {

bool IsPostgresLocation(const std::string& location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

}  // namespace store
}  // namespace kolibri
