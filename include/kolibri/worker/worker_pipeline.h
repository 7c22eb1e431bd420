// WorkerPipeline: runs a worker's steps on one mail — per task step the cascade over the
// step's tiers (router -> slm -> upstream -> review queue), per render_reply step a reply of
// the library filled from extracted, evidence-bound fields — and assembles the record,
// validated against the worker's schema.
//
// Guarantees per mail, whatever the model writes: a classify step's label is one of its
// task's labels; an extract step's record passed full schema validation and the evidence
// rule (every evidence-bound string occurs verbatim in the step's input) or it is null;
// a reply is a library reply whose placeholders hold only such values, or none. A step no
// tier answers (below every threshold, or failing) keeps its best proposal within the label
// set for the record, puts the mail in "review" and — with a review tier — an item in the
// review queue. A mail whose reply cannot be proposed goes to review too.
//
// Thread safety: Process may run on many threads at once (that is how --parallel feeds the
// scheduler's batching); the pipeline owns the model, scheduler, routers and queues.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kolibri/status.h"
#include "kolibri/worker/mail_source.h"
#include "kolibri/worker/worker_config.h"

namespace kolibri::worker {

struct StepOutcome {
  std::string id;
  std::string task;             // "" for render_reply steps
  bool answered = false;        // a tier answered above its threshold
  std::string tier;             // the answering tier ("tier0", "slm", an upstream, "human", "")
  double confidence = 0;
  std::string label;            // classify: the answer, or the best proposal when not answered
  nlohmann::json record;        // extract: the accepted record (null when none)
  // Why the best proposed record was rejected (schema or evidence rule re-checked against the
  // step input); a rejected record is never used, so `record` always passes both.
  std::vector<std::string> rejected_errors;
  int64_t review_id = 0;
  std::string detail;           // why it was not answered
  nlohmann::json trail = nlohmann::json::array();  // the cascade's per-tier decisions
  double ms = 0;
};

struct ReplyOutcome {
  std::string step;
  std::string id;               // "" when no reply is proposed
  std::string text;
  nlohmann::json facts = nlohmann::json::object();  // placeholder -> extracted value (null: fallback)
  std::string reason;           // why none is proposed
};

struct MailResult {
  std::string message_id;
  bool derived_id = false;
  std::string source;
  std::string status;           // "answered" (no person needed) or "review"
  std::vector<StepOutcome> steps;
  std::vector<ReplyOutcome> replies;
  nlohmann::json record;        // assembled per the worker's `record:` (null without one)
  bool record_valid = true;     // against the worker's schema (true when there is none)
  std::vector<std::string> record_errors;
  std::vector<std::string> review_reasons;
  double ms = 0;

  const StepOutcome* Step(const std::string& id) const;
  // {"message_id", "source", "status", "steps": {id: {...}}, "reply": {...}, "record",
  //  "record_valid", "review", "ms"} — one line of the results JSONL.
  nlohmann::json ToJson() const;
};

struct PipelineOptions {
  std::string model;                // overrides the gguf alias's path ("" = the worker's)
  int32_t parallel = 0;             // sequences the scheduler batches (0: the alias's parallel)
  int32_t context = 0;              // tokens per sequence (0: the alias's context)
  int32_t threads = 0;              // llama.cpp threads (0: all cores)
  std::string review_db;            // overrides the review alias's db ("" = the worker's)
  std::vector<std::string> skip_tiers;  // model aliases left out of every cascade
  int verbose = 0;                  // llama.cpp log level
};

// The text task step `step` gives its tiers for `mail`: its context lines, then its input.
// `earlier` maps earlier step ids to their outputs ({"label": ..., "record": ...}); values
// it lacks read as empty. What the pipeline sends, and what routers are trained on.
std::string StepInputText(const WorkerConfig& config, const StepConfig& step, const MailItem& mail,
                          const nlohmann::json& earlier);

class WorkerPipeline {
 public:
  // Loads what the steps' tiers need: the gguf model (NotFound when the file is missing,
  // naming the alias and --model), routers (<dir>/<task>.router; a missing file drops the
  // tier with a note), the review queue, upstream endpoints, the reply library and schema.
  static Result<std::unique_ptr<WorkerPipeline>> Create(const WorkerConfig& config, const PipelineOptions& options);
  ~WorkerPipeline();

  // Never fails for what the model does; errors are for a mail that cannot be processed at
  // all (InvalidArgument: the item has a problem) or a broken runtime (the scheduler).
  Result<MailResult> Process(const MailItem& mail);

  // Things worth telling the user once (tiers dropped, models used).
  const std::vector<std::string>& notes() const;
  // The slm model's path ("" without one).
  const std::string& model_path() const;
  // Tokens the slm tier's scheduler has taken so far (all zero without a gguf tier).
  struct Tokens {
    uint64_t prompt = 0;
    uint64_t cached = 0;     // of the prompt tokens, served from the prefix cache
    uint64_t generated = 0;
  };
  Tokens tokens() const;

  struct Impl;

 private:
  explicit WorkerPipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kolibri::worker
