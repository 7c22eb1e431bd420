// Built instead of the PostgreSQL backends when libpq is missing: a postgresql:// location
// is then refused with a message that says how to get the backend.
#include "store/store_backends.h"

namespace kolibri::store {
namespace {

Status NoLibpq(const char* kind) {
  return Status::Unsupported(std::string("this Kolibri was built without PostgreSQL support, so the ") + kind +
                             " cannot use a postgresql:// location (install libpq-dev and rebuild)");
}

}  // namespace

Result<std::unique_ptr<ReviewQueue>> OpenPostgresReviewQueue(const std::string&, const ReviewQueueOptions&) {
  return NoLibpq("review queue");
}

Result<std::unique_ptr<AuditLog>> OpenPostgresAuditLog(const std::string&) { return NoLibpq("audit log"); }

}  // namespace kolibri::store
