// Webhook delivery with retries and backoff. See kolibri/worker/webhook.h.
#include "kolibri/worker/webhook.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "kolibri/http_post.h"

namespace kolibri::worker {
namespace {

bool Retryable(long status) { return status == 408 || status == 429 || status >= 500; }

// Sleeps `seconds` in short steps; false when `stop` was set meanwhile.
bool Wait(double seconds, const std::atomic<bool>* stop) {
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  while (std::chrono::steady_clock::now() < end) {
    if (stop != nullptr && stop->load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return stop == nullptr || !stop->load();
}

}  // namespace

Result<DeliveryReport> DeliverResults(RunState& state, const WebhookOptions& options, const std::atomic<bool>* stop) {
  DeliveryReport report;
  if (options.url.empty()) return report;
  KOLIBRI_ASSIGN_OR_RETURN(std::vector<RunStateItem> pending, state.Undelivered(options.url));
  HttpPostOptions http;
  http.timeout_s = options.timeout_s;
  http.connect_timeout_s = std::min(5.0, options.timeout_s);
  size_t i = 0;
  for (; i < pending.size(); ++i) {
    const RunStateItem& item = pending[i];
    http.headers = {"Idempotency-Key: " + item.id, "X-Kolibri-Message-Id: " + item.id};
    bool delivered = false, gave_up = false;
    double backoff = options.initial_backoff_s;
    for (int32_t attempt = 1; attempt <= std::max(1, options.max_attempts); ++attempt) {
      if (stop != nullptr && stop->load()) break;
      ++report.attempts;
      auto r = HttpPost(options.url, item.result_json, http);
      if (r.ok() && r->status >= 200 && r->status < 300) {
        KOLIBRI_RETURN_IF_ERROR(state.MarkDelivered(item.id, options.url, attempt));
        delivered = true;
        break;
      }
      report.last_error = item.id + ": " + (r.ok() ? "HTTP " + std::to_string(r->status) : r.status().message());
      if (r.ok() && !Retryable(r->status)) {
        gave_up = true;  // the receiver refuses this one; the others may still go through
        break;
      }
      if (attempt < options.max_attempts && !Wait(backoff, stop)) break;
      backoff = std::min(options.max_backoff_s, backoff * 2);
    }
    if (delivered) {
      ++report.delivered;
    } else if (!gave_up) {
      break;  // down or stopped: keep the order, try again next pass
    }
  }
  KOLIBRI_ASSIGN_OR_RETURN(std::vector<RunStateItem> left, state.Undelivered(options.url));
  report.pending = static_cast<int64_t>(left.size());
  return report;
}

}  // namespace kolibri::worker
