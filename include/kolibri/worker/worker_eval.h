// EvaluateWorker: `kolibri eval WORKER.yaml --data GOLD.jsonl --model A.gguf --model B.gguf`
// — which model does this worker need? Each candidate replaces the worker's gguf (slm) tier;
// the worker runs on every gold mail and is measured per quality-bar step of the worker file:
//
//   classify steps and the reply step  accuracy, macro-F1, the confusion matrix
//   extract steps                      per-field exact match; micro precision/recall/F1 over
//                                      non-null fields; schema-valid rate (share of mails whose
//                                      step record a tier produced and that passed the schema
//                                      and evidence checks); evidence violations in the
//                                      output (re-checked against the step input; must be 0);
//                                      rejected proposals
//   per candidate                      escalation rate (share of mails sent to review),
//                                      record-valid rate (assembled record vs the worker's
//                                      schema), latency p50/p95 per mail, prompt and generated
//                                      tokens per second, peak RSS while it ran (VmHWM, reset
//                                      per candidate), the planner's memory estimate
//
// Each candidate is checked against every bar of the worker's `quality:` section; the
// recommendation is the smallest (planner memory, else file size) candidate that meets them
// all, or none — and the report says which bars each candidate missed.
//
// Gold JSONL rows: {"file": "inbox/x.eml" (relative to the gold file), <gold keys>...}; a gold
// value null on a classify or reply step reads as the step's none label ("none").
// Thread safety: one evaluation at a time per process (it resets the process's peak RSS).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kolibri/status.h"
#include "kolibri/worker/worker_config.h"
#include "kolibri/worker/worker_pipeline.h"

namespace kolibri::worker {

struct EvalOptions {
  std::string data;                 // the gold JSONL (required)
  std::vector<std::string> models;  // candidate .gguf files for the gguf tier (at least one)
  int64_t limit = 0;                // evaluate the first N gold rows (0 = all)
  int32_t parallel = 1;             // mails in flight per candidate
  PipelineOptions pipeline;         // model and review_db are set per candidate
  std::string work_dir;             // per-candidate review queues go here (required)
};

struct ClassMetrics {
  std::string step;
  std::string gold_key;
  int64_t n = 0;
  double accuracy = 0;
  double macro_f1 = 0;
  std::vector<std::string> labels;                            // gold and predicted, sorted
  std::map<std::string, std::map<std::string, int64_t>> confusion;  // gold -> predicted -> count
};

struct FieldScore {
  double exact = 0;  // share of mails whose value equals gold (null == null counts)
  double precision = 0, recall = 0, f1 = 0;
};

struct ExtractMetrics {
  std::string step;
  std::string gold_key;
  int64_t n = 0;
  std::map<std::string, FieldScore> fields;
  double exact_match = 0;  // over all fields of all mails
  double precision = 0, recall = 0, f1 = 0;  // micro, over non-null values
  double schema_valid_rate = 0;
  int64_t evidence_violations = 0;
  int64_t rejected = 0;  // model proposals the schema or evidence check refused
};

struct BarCheck {
  std::string what;  // "category accuracy", "max escalation rate", ...
  double value = 0;
  double bar = 0;
  bool higher_is_better = true;
  bool ok = false;
};

struct CandidateResult {
  std::string model;  // path
  std::string name;   // file name
  uint64_t file_bytes = 0;
  uint64_t planner_bytes = 0;  // EstimateMemory's host total at the run's context settings (0: unknown)
  std::string planner_note;    // why it is unknown
  int64_t mails = 0;
  int64_t failed = 0;          // mails that could not be processed
  std::vector<ClassMetrics> classify;
  std::vector<ExtractMetrics> extract;
  double record_valid_rate = 0;
  double escalation_rate = 0;
  int64_t evidence_violations = 0;
  std::map<std::string, int64_t> step_tiers;  // "step/tier" -> mails that tier answered

  std::vector<double> latencies_ms;  // per mail
  double p50_ms = 0, p95_ms = 0;
  uint64_t prompt_tokens = 0, generated_tokens = 0;
  double seconds = 0;  // processing (model load excluded)
  double prompt_tokens_per_s = 0, generated_tokens_per_s = 0;
  uint64_t peak_rss_bytes = 0;
  std::vector<BarCheck> bars;
  bool meets_bar = false;
  nlohmann::json ToJson() const;
};

struct EvalReport {
  std::string worker;  // the worker file
  std::string data;
  int64_t mails = 0;
  std::vector<CandidateResult> candidates;  // in the order given
  int recommended = -1;                     // index into candidates; -1: none meets the bar
  std::string recommendation;               // one sentence, also when none does
  nlohmann::json ToJson() const;
};

// Errors: a missing or malformed gold file (file:line), a missing candidate model, a
// pipeline that cannot start, a worker without quality bars. `progress` gets one line per
// candidate and mail count milestones.
Result<EvalReport> EvaluateWorker(const WorkerConfig& config, const EvalOptions& options,
                                  const std::function<void(const std::string&)>& progress = {});

// A self-contained HTML page (no scripts, no external resources): the recommendation, a
// summary table, per-step tables with the bars, and inline SVG charts — quality vs memory,
// latency distributions, a confusion matrix per candidate for the classify step with the
// most labels.
std::string EvalReportHtml(const EvalReport& report);

}  // namespace kolibri::worker
