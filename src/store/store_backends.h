// Private to the store module: the backends behind ReviewQueue::Open and AuditLog::Open.
// The PostgreSQL ones answer kUnsupported when the build has no libpq.
#pragma once

#include <memory>
#include <string>

#include "kolibri/audit_log.h"
#include "kolibri/review_queue.h"

namespace kolibri::store {

// True for "postgresql://..." and "postgres://..." locations.
bool IsPostgresLocation(const std::string& location);

Result<std::unique_ptr<ReviewQueue>> OpenSqliteReviewQueue(const std::string& path, const ReviewQueueOptions& options);
Result<std::unique_ptr<ReviewQueue>> OpenPostgresReviewQueue(const std::string& uri, const ReviewQueueOptions& options);
Result<std::unique_ptr<AuditLog>> OpenSqliteAuditLog(const std::string& path, int busy_timeout_ms);
Result<std::unique_ptr<AuditLog>> OpenPostgresAuditLog(const std::string& uri);

}  // namespace kolibri::store
