// Worker files: a support-inbox style worker declared in YAML — which models serve which
// cascade tier, the task file it uses, and the steps it runs per item in order.
//
//   name: nordlicht-support-mail
//   tasks_file: tasks.yaml          # the task format of kolibri/tasks/task.h
//   schema: ticket.schema.json      # the record the steps assemble (validated per item)
//   replies: replies/               # the reply library (kolibri/worker/reply_library.h)
//   models:                         # aliases; a step's cascade names them in order
//     router: {kind: router, dir: models/routers/, train: {...}}   # tier 0 (<task>.router)
//     slm:    {kind: gguf, path: model.gguf, context: 4096, parallel: 4}
//     upstream: {kind: openai, base_url: http://host/v1, model: m, timeout_s: 30, retries: 2}
//     human:  {kind: review, db: state/review.sqlite}
//   input: {max_body_chars: 6000, text: "Subject: {{mail.subject}}\n\n{{mail.body_text}}"}
//   steps:
//     - id: category                # [a-z0-9_]+, unique
//       task: triage_category       # a task of tasks_file
//       input: input.text           # mail.body_text | mail.subject | input.text
//       context: {topic: steps.x.label}   # earlier outputs shown before the input
//       cascade: [{tier: router, threshold: 0.9}, {tier: slm, threshold: 0.7}, {tier: human}]
//     - id: reply
//       kind: render_reply          # no model: a library reply filled from extracted fields
//       reply_id: "{{steps.topic.label}}_{{steps.language.label}}"
//       none_label: none
//       fields: steps.fields.record
//       on_missing_required: review
//   record: {message_id: mail.message_id, category: steps.category.label, ...}
//   output: {results: results.jsonl, state: state/run.sqlite}
//   quality:                        # read by `kolibri eval`
//     category: {gold: category, min_accuracy: 0.8, min_macro_f1: 0.75}
//     max_escalation_rate: 0.3
//
// Paths are relative to the worker file. Every error is "file:line:column: message":
// unknown keys, wrong types, thresholds outside [0, 1], unknown tasks, model aliases or
// steps, references to later steps, a step whose task kind does not fit its tiers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kolibri/status.h"
#include "kolibri/tasks/task.h"

namespace kolibri::worker {

enum class ModelKind { kRouter, kGguf, kOpenAi, kReview };
std::string_view ModelKindName(ModelKind kind);  // "router", "gguf", "openai", "review"

struct RouterTraining {
  std::string data;                           // gold JSONL (absolute path)
  std::map<std::string, std::string> labels;  // task name -> gold key
  double holdout_fraction = 0.25;
  uint64_t seed = 7;
};

struct ModelAlias {
  std::string name;
  ModelKind kind = ModelKind::kGguf;
  int32_t line = 0;
  std::string path;  // gguf: the model file; router: the directory of <task>.router files;
                     // review: the database (all absolute)
  int32_t context = 4096;   // gguf: context tokens per parallel sequence
  int32_t parallel = 4;     // gguf: sequences decoded together
  std::optional<RouterTraining> train;  // router
  std::string base_url;     // openai
  std::string model;        // openai: sent as "model"
  std::string api_key_env;  // openai: environment variable holding the key ("" = none)
  double timeout_s = 30;
  int32_t retries = 2;
};

struct CascadeTier {
  std::string model;       // a model alias
  double threshold = -1;   // < 0: the task's (or the router's calibrated) threshold
};

enum class StepKind { kTask, kRenderReply };

// A value a step or the record reads: "mail.<field>", "input.text" or
// "steps.<id>.<label|record|confidence|tier|reply_id>".
struct ValueRef {
  std::string text;  // as written
  std::string root;  // "mail", "input", "steps"
  std::string step;  // for steps.*
  std::string field;
};

struct StepConfig {
  std::string id;
  StepKind kind = StepKind::kTask;
  int32_t line = 0;
  // kTask
  std::string task;  // name in the task file
  ValueRef input;
  std::vector<std::pair<std::string, ValueRef>> context;
  std::vector<CascadeTier> cascade;
  // kRenderReply
  std::string reply_id_template;  // "{{steps.a.label}}_{{steps.b.label}}"
  std::string none_label = "none";
  ValueRef fields;
  bool missing_required_to_review = true;  // on_missing_required: review | omit
};

struct QualityBar {
  std::string step;
  std::string gold;  // key in the gold JSONL
  double min_accuracy = -1;  // < 0: not set (likewise below)
  double min_macro_f1 = -1;
  double min_field_f1 = -1;
  double min_schema_valid_rate = -1;
  int64_t max_evidence_violations = -1;
};

struct WorkerConfig {
  std::string path;  // the worker file
  std::string dir;   // its directory (absolute)
  std::string name;
  int32_t version = 1;
  std::string tasks_path;
  tasks::TaskFile tasks;
  std::string schema_path;  // the record schema ("" = none)
  std::string schema;       // its JSON text
  std::string replies_dir;  // "" = no reply library
  std::map<std::string, ModelAlias> models;
  int32_t max_body_chars = 6000;
  std::string input_template = "{{mail.body_text}}";
  std::vector<StepConfig> steps;
  std::vector<std::pair<std::string, ValueRef>> record;
  std::string results_path;  // output.results ("" = none)
  std::string state_path;    // output.state ("" = none)
  std::vector<QualityBar> quality;
  double max_escalation_rate = -1;

  const StepConfig* FindStep(const std::string& id) const;
  const ModelAlias* FindModel(ModelKind kind) const;  // the first alias of that kind
};

// Reads and checks a worker file and the task file it names.
// InvalidArgument (with file:line:column) for a malformed file, NotFound for a missing
// worker or task file, and the task file's own errors.
Result<WorkerConfig> LoadWorkerFile(const std::string& path);

}  // namespace kolibri::worker
