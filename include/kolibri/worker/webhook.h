// Webhook delivery of a run's results, exactly once per message id.
//
// Every finished result whose delivery to the URL the run state does not record is POSTed,
// in the order the results finished, as its JSON line with "Idempotency-Key: <message id>"
// and "X-Kolibri-Message-Id: <message id>". A 2xx answer is recorded in the run state
// (RunState::MarkDelivered) and the result is never sent to that URL again, by this run or
// any later one. 408, 429, 5xx and transport errors are retried with exponential backoff
// (initial_backoff_s, doubled per attempt, capped at max_backoff_s) up to max_attempts; a
// result that still fails stops the pass (the receiver is down: later results wait too) and
// stays pending for the next pass or run. Another 4xx is final for this run: the result is
// skipped, stays pending and the pass goes on.
//
// The one window for a second delivery is a crash between the receiver's 2xx and the state
// commit; the Idempotency-Key lets a receiver drop that copy.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "kolibri/run_state.h"
#include "kolibri/status.h"

namespace kolibri::worker {

struct WebhookOptions {
  std::string url;                 // "" = no delivery
  int32_t max_attempts = 5;        // per result per pass
  double initial_backoff_s = 0.5;
  double max_backoff_s = 30;
  double timeout_s = 10;           // per request
};

struct DeliveryReport {
  int64_t delivered = 0;  // by this pass
  int64_t attempts = 0;   // requests sent by this pass
  int64_t pending = 0;    // results still not delivered after it
  std::string last_error;
};

// Errors: the run state's. Delivery failures are counted in the report, never errors.
// `stop` (optional) cuts backoff waits short and ends the pass.
Result<DeliveryReport> DeliverResults(RunState& state, const WebhookOptions& options,
                                      const std::atomic<bool>* stop = nullptr);

}  // namespace kolibri::worker
