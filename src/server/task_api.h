// TaskApi: POST /v1/tasks/{name} — runs one task of the server's task file on an input
// through the cascade (tier-0 → small model → upstream → review queue) and answers with the
// result, its tier, confidence and audit id.
//
// Request body: {"input": "<text>", "tiers": ["slm", "human"] (optional explicit order),
// "idempotency_key": "..." (optional; the Idempotency-Key header counts the same)}. The
// idempotency key names the review item a retried request would otherwise duplicate.
// Response: 200 with CascadeResult::ToJson() plus "task"; 400 for a body that is not JSON,
// lacks a non-empty string "input", or names an unknown tier; an unknown task name is the
// transport's 404 (routes exist only for the file's tasks, so no path can reach anything
// else).
//
// The cascade runs under the transport's request id (X-Request-Id), so the audit log and
// the access log name the same request. With a metrics registry, every tier outcome is
// counted: kolibri_cascade_tier_outcomes_total{task,tier,outcome} (outcome "answered",
// "escalated", "error", "queued") — escalations by tier.
//
// Thread safety: handlers run concurrently; the cascade's resources are thread-safe.
#pragma once

#include <string>

#include "kolibri/cascade.h"
#include "kolibri/metrics.h"
#include "kolibri/tasks/task.h"
#include "net/http_server.h"

namespace kolibri::server {

struct TaskApiOptions {
  int max_json_depth = 64;
  MetricsRegistry* metrics = nullptr;  // null: no counters
};

class TaskApi {
 public:
  // `file`, `cascade` and the metrics registry must outlive the TaskApi and the server it
  // is registered with.
  TaskApi(const tasks::TaskFile& file, Cascade& cascade, TaskApiOptions options = {})
      : file_(file), cascade_(cascade), options_(options) {}
  void RegisterRoutes(net::HttpServer& http);
  net::HttpResponse Handle(const tasks::TaskDefinition& task, const net::HttpRequest& request);

 private:
  const tasks::TaskFile& file_;
  Cascade& cascade_;
  TaskApiOptions options_;
};

}  // namespace kolibri::server
