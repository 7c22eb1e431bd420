// The cascade: the cheapest tier that is confident answers; the rest escalate.
//
// For one task and one input, tiers run in order — by default the tier-0 classifier
// (classify tasks that have one), the small model ("slm", through tasks::TaskRunner), then
// the names in the task's `escalation:` list: "human" (the review queue) or the name of an
// upstream OpenAI-compatible endpoint. A tier answers only when its confidence reaches its
// threshold; otherwise — or when it fails: timeout, unreachable, garbage — the item moves
// on. Every tier's decision is written to the audit log. An input no tier answers is put
// in the review queue (when there is one), so nothing is lost.
//
// Confidence per tier: tier-0 — its calibrated probability; slm classify — the calibrated
// label probability; slm extract — 1 for a record that passed validation and the evidence
// rule, else 0; slm answer — 1 for an answer whose citations all checked out, else 0 (the
// record is AnswerResult::ToJson, its status the label); upstream — a valid answer counts 1,
// or, when the server returns token log-probabilities, the probability of the returned
// answer (exp of their sum). Answer tasks run only on slm and human: an upstream model
// cannot see the local index.
//
// Thread safety: Run may be called from several threads when the resources allow it (they
// do: TaskRunner, Tier0Classifier, ReviewQueue and AuditLog are thread-safe).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kolibri/audit_log.h"
#include "kolibri/review_queue.h"
#include "kolibri/status.h"
#include "kolibri/tasks/task.h"
#include "kolibri/tasks/task_runner.h"
#include "kolibri/tier0_classifier.h"

namespace kolibri {

struct UpstreamEndpoint {
  std::string base_url;  // ".../v1"
  std::string model;     // sent as "model"
  std::string api_key;   // sent as a bearer token when not empty; never logged
  double timeout_s = 30;
  int retries = 2;       // more tries after a timeout, a connection error, a 5xx or garbage
  double backoff_s = 0.5;  // doubled after each failed try
  double threshold = 0;  // minimum confidence to answer
};

struct CascadeResources {
  const Tier0Classifier* tier0 = nullptr;  // classify tasks only; null: no tier 0
  std::map<std::string, const Tier0Classifier*> tier0_by_task;  // per task name; before `tier0`
  double tier0_threshold = -1;             // < 0: the classifier's calibrated threshold
  tasks::TaskRunner* slm = nullptr;        // null: no small-model tier
  std::string slm_model;                   // its name in audit entries
  double slm_threshold = -1;               // < 0: the task's min_confidence
  std::map<std::string, UpstreamEndpoint> upstreams;  // by tier name
  ReviewQueue* review = nullptr;           // the "human" tier; null: none
  AuditLog* audit = nullptr;               // null: decisions are not recorded
};

struct CascadeRunOptions {
  std::vector<std::string> tiers;  // explicit order; empty: the default described above
  std::string idempotency_key;     // for the review queue ("" = task + input hash)
  std::string request_id;          // "" = a random one
};

struct TierOutcome {
  std::string tier;
  std::string outcome;  // "answered", "escalated", "error", "queued"
  std::string label;
  nlohmann::json record;
  double confidence = 0;
  double latency_ms = 0;
  std::string detail;
  int64_t audit_id = 0;
};

struct CascadeResult {
  bool answered = false;   // a tier answered; false: queued for review or unanswered
  std::string tier;        // the answering tier, "human" when queued, "" when unanswered
  std::string label;       // classify
  nlohmann::json record;   // extract: the record; classify: {"label": ...}
  double confidence = 0;
  int64_t audit_id = 0;    // the audit entry of the final decision
  int64_t review_id = 0;   // the review item when queued
  std::string request_id;
  std::string task_version;
  std::vector<TierOutcome> trail;
  double total_ms = 0;
  nlohmann::json ToJson() const;
};

// A short fingerprint of everything in a task that changes its answers.
std::string TaskVersion(const tasks::TaskDefinition& task);

class Cascade {
 public:
  explicit Cascade(CascadeResources resources) : r_(std::move(resources)) {}
  // InvalidArgument for an empty input or an unknown tier name in the order; every tier's
  // own failure is an escalation, not an error.
  Result<CascadeResult> Run(const tasks::TaskDefinition& task, const std::string& input,
                            const CascadeRunOptions& options = {});

 private:
  const Tier0Classifier* Tier0For(const tasks::TaskDefinition& task) const;
  TierOutcome RunTier0(const Tier0Classifier& tier0, const tasks::TaskDefinition& task, const std::string& input);
  TierOutcome RunSlm(const tasks::TaskDefinition& task, const std::string& input);
  TierOutcome RunUpstream(const std::string& name, const UpstreamEndpoint& ep, const tasks::TaskDefinition& task,
                          const std::string& input);
  CascadeResources r_;
};

}  // namespace kolibri
