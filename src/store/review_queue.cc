// ReviewQueue::Open: picks the backend from the location.
#include "kolibri/review_queue.h"

#include "store/store_backends.h"

namespace kolibri {

const char* ReviewStatusName(ReviewStatus status) {
  switch (status) {
    case ReviewStatus::kOpen:
      return "open";
    case ReviewStatus::kClaimed:
      return "claimed";
    case ReviewStatus::kResolved:
      return "resolved";
  }
  return "open";
}

std::optional<ReviewStatus> ParseReviewStatus(const std::string& name) {
  if (name == "open") return ReviewStatus::kOpen;
  if (name == "claimed") return ReviewStatus::kClaimed;
  if (name == "resolved") return ReviewStatus::kResolved;
  return std::nullopt;
}

Result<std::unique_ptr<ReviewQueue>> ReviewQueue::Open(const std::string& location,
                                                       const ReviewQueueOptions& options) {
  if (store::IsPostgresLocation(location)) return store::OpenPostgresReviewQueue(location, options);
  return store::OpenSqliteReviewQueue(location, options);
}

}  // namespace kolibri
