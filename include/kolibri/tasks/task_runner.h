// TaskRunner: runs extract and classify tasks on one model through its Scheduler.
//
// Extract: the task's instructions, a summary of its schema and the input are rendered with
// the model's chat template; the output is decoded under the schema's grammar (compact JSON,
// members in schema order; "x-kolibri-evidence" strings restricted to substrings of the
// input), then parsed, validated against the full schema and checked by the task rules
// (every evidence-bound string occurs verbatim in the input — defence in depth). On
// failure the runner re-asks, appending its last output and the errors to the conversation
// (the first messages stay a cached prompt prefix), until the record is valid, max_attempts
// is reached or the task's token_budget of generated tokens is spent.
//
// Classify: one prefill of the rendered prompt, then every label (its tokens plus the
// end-of-generation token) scored by Scheduler::SubmitScore, never sampled; the scores are
// turned into a distribution with the task's calibration temperature.
//
// Answer: the question retrieves up to k chunks from the task's index (tasks::SourceIndex:
// BM25, or hybrid when the runner has an embedder of the index's model); chunks under the
// evidence floor (TaskDefinition::min_score / min_similarity) are dropped, and so are the
// lowest-ranked ones that do not fit the context. With none left the result is
// "not_in_sources" without generating. Otherwise the model writes
// {"status", "answer", "citations": [{"chunk", "quote"}]} under a grammar in which every
// citation names one of the given chunks and quotes a non-empty verbatim span of *that*
// chunk (src/tasks/answer_grammar.h); "not_in_sources" is always a legal choice. After
// generation every citation is checked again against the chunks (defence in depth): a
// failure makes valid false with the reasons, it is never passed silently.
//
// Thread safety: Extract, Classify and Answer may be called from many threads at once; each blocks
// until its own requests are done. The scheduler must outlive the runner.
#pragma once

#include <chrono>
#include <map>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/document_store.h"
#include "kolibri/embedder.h"
#include "kolibri/scheduler.h"
#include "kolibri/status.h"
#include "kolibri/tasks/task.h"

namespace kolibri::grammar {
class GrammarCompileCache;
}

namespace kolibri::tasks {

class SchemaChecker;  // private: compiled validator and evidence pointers of one schema
class SourceIndex;    // kolibri/tasks/source_index.h

struct TokenCounts {
  int32_t prompt = 0;     // prompt tokens of all requests
  int32_t cached = 0;     // of which taken from the prefix cache
  int32_t generated = 0;  // generated (extract) or scored after the prompt (classify)
  nlohmann::json ToJson() const;  // {"prompt", "cached", "generated"}
};

struct RunOptions {
  uint32_t seed = 0;  // sampling seed when the task's temperature is above 0
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct ExtractAttempt {
  std::string output;               // what the model wrote
  std::vector<std::string> errors;  // why it was not accepted (empty: accepted)
  TokenCounts tokens;
  double ms = 0;
};

struct ExtractResult {
  bool valid = false;         // `record` passed validation and the task rules
  nlohmann::ordered_json record;  // the last attempt's JSON (null when it did not parse)
  int32_t attempts = 0;
  int32_t repairs = 0;        // attempts after the first
  std::vector<std::string> validation_errors;  // every error seen, in order
  std::vector<ExtractAttempt> attempt_log;
  std::string stopped_by;     // "valid", "max_attempts" or "token_budget"
  bool truncated = false;     // the input was cut to fit (task truncate: true)
  TokenCounts tokens;
  double grammar_ms = 0;      // compiling the schema grammar for this input
  double total_ms = 0;
  nlohmann::json ToJson() const;
};

struct LabelProbability {
  std::string label;
  double probability = 0;  // calibrated
  double score = 0;        // the label's log-score before calibration (see LabelScoring)
};

struct ClassifyResult {
  std::vector<LabelProbability> distribution;  // in the task's label order
  std::string top;
  double probability = 0;  // of `top`
  double margin = 0;       // probability of the top label minus the runner-up's
  double entropy = 0;      // of the distribution, in nats
  bool confident = false;  // probability >= the task's min_confidence
  bool truncated = false;
  TokenCounts tokens;
  int32_t passes = 0;      // decode passes after the prompt
  double total_ms = 0;
  nlohmann::json ToJson() const;
};

struct AnswerCitation {
  std::string chunk;
  std::string quote;
  bool valid = false;        // the chunk was given to the model and the quote occurs in its text
  std::string problem;       // why not, when not valid
  // From the cited chunk, when it is one of the sources:
  std::string source_path;
  std::string document_id;
  std::string text;
  int64_t quote_offset = -1; // byte offset of the quote's first occurrence in `text`
};

struct AnswerResult {
  std::string status;        // "answered" or "not_in_sources"; "" when the output did not parse
  std::string answer;
  std::vector<AnswerCitation> citations;
  bool valid = false;        // the output has the answer shape and every citation checked out
  std::vector<std::string> errors;  // why not valid
  bool forced = false;       // not_in_sources without generating: no chunk passed the evidence floor
  std::string retrieval;     // "bm25" or "hybrid"
  std::vector<std::string> warnings;    // from retrieval (e.g. the BM25 fallback)
  std::vector<RetrievedChunk> retrieved;  // all chunks retrieved, before the evidence floor and the context fit
  std::vector<RetrievedChunk> sources;  // the chunks given to the model, best first
  std::string output;        // what the model wrote ("" when forced)
  TokenCounts tokens;
  double retrieval_ms = 0;
  double grammar_ms = 0;
  double total_ms = 0;
  // {"status", "answer", "citations": [{"chunk", "quote", "valid", "source_path", "text", ...}],
  //  "valid", "errors", "forced", "retrieval", "sources": [{"chunk", "source_path", "score",
  //  "found_by"}], "tokens", timings}
  nlohmann::json ToJson() const;
};

// Checks a model's answer `output` against the chunks it was given: the JSON shape, the
// status, and each citation (chunk among `sources`, quote a non-empty substring of that
// chunk's text). Fills status, answer, citations, valid and errors of `result`.
void CheckAnswer(std::string_view output, const std::vector<RetrievedChunk>& sources, AnswerResult* result);

struct TaskRunnerOptions {
  // Tokens kept free between the prompt and the end of a sequence beyond max_tokens (and
  // the labels' length for classify). Default 8.
  int32_t context_margin = 8;
  // Shared compile cache for schemas without evidence fields (null: the runner's own).
  std::shared_ptr<grammar::GrammarCompileCache> compile_cache;
  // Embeds questions for hybrid retrieval in answer tasks (null: BM25 only). Must be the
  // model the tasks' indexes were embedded with.
  std::shared_ptr<Embedder> embedder;
};

class TaskRunner {
 public:
  explicit TaskRunner(Scheduler& scheduler, TaskRunnerOptions options = {});
  ~TaskRunner();

  // Errors: InvalidArgument (wrong task kind, empty input), OutOfRange (input too long for
  // the context and the task does not allow truncation; the message gives both sizes),
  // FailedPrecondition (the model has no chat template), and the scheduler's errors. A
  // record that stays invalid after every attempt is not an error: valid is false.
  Result<ExtractResult> Extract(const TaskDefinition& task, std::string_view input, const RunOptions& run = {});
  Result<ClassifyResult> Classify(const TaskDefinition& task, std::string_view input, const RunOptions& run = {});

  // Errors: InvalidArgument (wrong task kind, empty question), NotFound (no index file),
  // the index's errors (FailedPrecondition for an embedder of another model), OutOfRange
  // (the question alone does not fit the context, or max_tokens cannot hold the shortest
  // answer), and the scheduler's errors. An answer that fails the citation check is not an
  // error: valid is false.
  Result<AnswerResult> Answer(const TaskDefinition& task, std::string_view question, const RunOptions& run = {});
  // The same on given chunks (no retrieval, no evidence floor): for callers that retrieve
  // themselves. Chunks with empty text are left out.
  Result<AnswerResult> AnswerFromSources(const TaskDefinition& task, std::string_view question,
                                         std::vector<RetrievedChunk> sources, const RunOptions& run = {});

  // The raw label log-scores (before calibration), in label order — what calibration fits.
  Result<std::vector<double>> ScoreLabels(const TaskDefinition& task, std::string_view input,
                                          const RunOptions& run = {});

 private:
  Result<std::vector<std::vector<int32_t>>> LabelTokens(const TaskDefinition& task);
  Result<std::shared_ptr<const SchemaChecker>> Checker(const TaskDefinition& task);
  Result<SourceIndex*> Index(const std::string& path);

  Scheduler& scheduler_;
  TaskRunnerOptions options_;
  std::mutex mu_;
  // Keyed by task name and content, so equally named tasks of different files stay apart.
  std::map<std::string, std::vector<std::vector<int32_t>>> label_tokens_;
  std::map<std::string, std::shared_ptr<const SchemaChecker>> checkers_;
  std::map<std::string, std::unique_ptr<SourceIndex>> indexes_;
};

// softmax(scores / temperature) with top, margin and entropy filled in.
ClassifyResult MakeDistribution(const TaskDefinition& task, const std::vector<double>& scores);

// The system message the runner gives the model for `task` (instructions, then the schema
// or the labels) — also what another tier (an upstream model) is asked with.
std::string TaskSystemMessage(const TaskDefinition& task);

// The checks Extract applies to a record (full schema validation and the evidence rule
// against `input`), for records made elsewhere (an upstream model). Error messages; empty
// when acceptable. InvalidArgument when the task's schema does not compile.
Result<std::vector<std::string>> CheckExtractedRecord(const TaskDefinition& task, const nlohmann::json& record,
                                                      std::string_view input);

}  // namespace kolibri::tasks
