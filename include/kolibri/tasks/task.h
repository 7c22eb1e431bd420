// Task definitions: what a task file (YAML) declares, loaded and checked once at start.
//
// A task file holds one or more tasks, either as a top-level list or under `tasks:`:
//
//   tasks:
//     - name: ticket_fields            # [A-Za-z0-9_.-]+, unique in the file
//       kind: extract                  # extract | classify
//       model: qwen2.5-0.5b            # a name or path; callers resolve it
//       instructions: Extract the fields of this support ticket.
//       schema: schemas/ticket.json    # a file relative to the task file, inline JSON text,
//                                      # or an inline YAML mapping
//       max_attempts: 3                # 1 + repairs (1..10)
//       max_tokens: 256                # output tokens per attempt
//       token_budget: 768              # generated tokens across all attempts (>= max_tokens)
//       truncate: false                # true: cut an input too long for the context
//       temperature: 0                 # sampling temperature (0: greedy)
//       escalation: [gpt-large, human] # tier names, in order (used by the cascade)
//     - name: intent
//       kind: classify
//       instructions: Which team should handle this mail?
//       labels:                        # two or more, unique
//         - name: billing
//           description: invoices, refunds, payment methods
//           examples: ["I was charged twice"]
//         - shipping                   # a bare name is a label without description
//       scoring: restricted            # restricted | full (see LabelScoring)
//       thresholds: {min_confidence: 0.7}
//       calibration: {temperature: 1.0}
//     - name: policy_answers
//       kind: answer                   # grounded answers with verified citations
//       instructions: Answer questions about our refund and shipping policies.
//       index: policies.db             # a `kolibri index` file, relative to the task file
//       k: 5                           # chunks retrieved per question (1..50)
//       thresholds: {min_score: 0, min_similarity: 0.5}   # evidence floor (see below)
//       max_citations: 3               # 1..20
//       max_tokens: 256                # bounds the answer; the JSON is closed in time
//
// An answer task's evidence floor: a retrieved chunk is given to the model only when BM25
// found it with a score above min_score (default 0: any term matched) or the vector side
// found it with a similarity of at least min_similarity (default 0.5; cosine, so it
// depends on the embedding model). When no chunk passes, the answer is "not_in_sources"
// without generating.
//
// Calibration fitted by `kolibri calibrate` is kept in a sidecar file next to the task file
// (CalibrationSidecarPath), which LoadTaskFile applies over the inline `calibration:`, so
// refitting never rewrites (and never loses comments of) the task file itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/status.h"

namespace kolibri::tasks {

enum class TaskKind { kExtract, kClassify, kAnswer };
std::string_view TaskKindName(TaskKind kind);  // "extract", "classify", "answer"

// How a label's score is formed from its token log-probabilities (both end every label
// with the model's end-of-generation token, so "bill" and "billing" compete fairly).
enum class LabelScoring {
  // The probability of decoding the label when only the labels are allowed: at every
  // point where labels diverge, the model's probabilities renormalised over the allowed
  // next tokens (what an enum grammar samples from). Tokens that no other label competes
  // for cost nothing and are not evaluated. The default: cheapest, and not biased
  // against long labels.
  kRestricted,
  // The sum of the raw log-probabilities of every token of the label (all evaluated).
  kFull,
};
std::string_view LabelScoringName(LabelScoring scoring);

struct TaskLabel {
  std::string name;
  std::string description;
  std::vector<std::string> examples;
};

struct Calibration {
  double temperature = 1.0;  // distribution = softmax(score / temperature)
  int32_t examples = 0;      // dev examples it was fitted on (0: not fitted)
  double nll_before = 0;     // mean negative log-likelihood on them at temperature 1
  double nll_after = 0;      // ... at `temperature`
};

struct TaskDefinition {
  std::string name;
  TaskKind kind = TaskKind::kExtract;
  std::string model;
  std::string instructions;
  std::string file;  // the task file it came from, and the line of its entry
  int32_t line = 0;

  // extract
  std::string schema;         // the JSON Schema text (compact), resolved from any source
  std::string schema_source;  // "inline" or the schema file's path
  int32_t max_attempts = 3;
  int32_t max_tokens = 256;
  int32_t token_budget = 768;

  // classify
  std::vector<TaskLabel> labels;
  LabelScoring scoring = LabelScoring::kRestricted;
  double min_confidence = 0;  // thresholds.min_confidence: below it a result is not confident
  Calibration calibration;

  // answer
  std::string index;               // the document index's path (resolved against the task file)
  int32_t k = 5;                   // chunks retrieved per question
  double min_score = 0;            // thresholds.min_score: BM25 evidence floor (exclusive)
  double min_similarity = 0.5;     // thresholds.min_similarity: vector evidence floor (inclusive)
  int32_t max_citations = 3;

  // all kinds
  bool truncate = false;
  double temperature = 0;
  std::vector<std::string> escalation;
};

struct TaskFile {
  std::string path;
  std::vector<TaskDefinition> tasks;
  // NotFound naming the tasks the file has.
  Result<const TaskDefinition*> Find(std::string_view name) const;
};

// Reads and checks a task file. Errors point at "file:line:column: ...": InvalidArgument for
// malformed YAML, unknown keys, wrong types or values, missing schema or labels, duplicate
// labels or task names, a label list of one, a schema that is not JSON, not a valid JSON
// Schema or not compilable to a grammar; NotFound for a missing task or schema file.
Result<TaskFile> LoadTaskFile(const std::string& path);
// The same from text; `display_name` prefixes errors, `base_dir` resolves schema files.
Result<TaskFile> ParseTaskFile(std::string_view yaml, const std::string& display_name, const std::string& base_dir);

// "<task file>.calibration.json": {"<task name>": {"temperature": ..., "examples": ...,
// "nll_before": ..., "nll_after": ...}, ...}.
std::string CalibrationSidecarPath(const std::string& task_file_path);
// Records `calibration` for `task_name` in the sidecar, keeping other tasks' entries.
Status SaveCalibration(const std::string& task_file_path, const std::string& task_name,
                       const Calibration& calibration);

}  // namespace kolibri::tasks
