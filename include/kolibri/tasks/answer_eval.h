// Evaluating grounded answers: a JSONL file of questions with their gold passage (or the
// mark that the sources cannot answer them) run through TaskRunner::Answer.
//
// One case per line: {"question": "...", "answer": "..." (optional gold answer),
// "passage": "<chunk id or gold passage text>"} or {"question": "...", "unanswerable": true}.
//
// Measures:
//  - recall@k: share of answerable cases with a passage whose passage is among the k
//    retrieved chunks (a chunk matches by id, or when one text contains the other after
//    collapsing whitespace);
//  - answer accuracy: answerable cases answered ("answered"), abstain accuracy:
//    unanswerable cases abstained ("not_in_sources"), accuracy: both together;
//  - answer match: answered cases whose answer contains the gold answer (case-insensitive);
//  - citation validity: citations that name a retrieved chunk and quote it verbatim, over all
//    citations; valid outputs: answers whose every check passed (shape, citations, not cut off).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kolibri/status.h"
#include "kolibri/tasks/task_runner.h"

namespace kolibri::tasks {

struct AnswerEvalCase {
  std::string question;
  std::string answer;   // gold answer, may be empty
  std::string passage;  // gold chunk id or passage text, may be empty
  bool unanswerable = false;
  int32_t line = 0;
};

// InvalidArgument naming the line for malformed lines (not JSON, no question, neither
// passage nor unanswerable, both); NotFound for a missing file; an empty file is an error.
Result<std::vector<AnswerEvalCase>> LoadAnswerEval(const std::string& path);
Result<std::vector<AnswerEvalCase>> ParseAnswerEval(const std::string& jsonl, const std::string& display_name);

struct AnswerEvalReport {
  int64_t cases = 0;
  int64_t answerable = 0, unanswerable = 0;
  int64_t with_passage = 0, passage_found = 0;       // recall@k = passage_found / with_passage
  int64_t answered_answerable = 0;                   // answer accuracy numerator
  int64_t abstained_unanswerable = 0;                // abstain accuracy numerator
  int64_t with_gold_answer = 0, answer_match = 0;    // among answered cases with a gold answer
  int64_t forced_abstentions = 0;                    // not_in_sources without generating
  int64_t citations = 0, valid_citations = 0;
  int64_t valid_outputs = 0;
  std::vector<std::string> invalid_examples;         // the first few failures, for the report
  std::vector<double> latency_ms;                    // per case
  int32_t k = 0;
  nlohmann::json ToJson() const;  // counts, rates and latency p50/p95
};

// Runs every case (case errors such as an over-long question stop the evaluation; they are
// returned with the line). `progress(done, total)` is called after each case when set.
Result<AnswerEvalReport> EvaluateAnswers(TaskRunner& runner, const TaskDefinition& task,
                                         const std::vector<AnswerEvalCase>& cases,
                                         const std::function<void(size_t, size_t)>& progress = nullptr);

// True when `passage` (a chunk id or text) is `chunk`.
bool PassageMatches(const std::string& passage, const RetrievedChunk& chunk);

}  // namespace kolibri::tasks
