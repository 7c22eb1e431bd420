// TaskRunner::Extract: constrained decoding, validation, and the bounded repair loop.
#include <chrono>
#include <future>

#include "kolibri/grammar/compile_cache.h"
#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/grammar/json_schema_converter.h"
#include "kolibri/tasks/source_index.h"
#include "kolibri/tasks/task_runner.h"
#include "tasks/prompt.h"
#include "tasks/schema_checker.h"

namespace kolibri::tasks {

namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void Add(TokenCounts* total, const TokenCounts& t) {
  total->prompt += t.prompt;
  total->cached += t.cached;
  total->generated += t.generated;
}

}  // namespace

TaskRunner::TaskRunner(Scheduler& scheduler, TaskRunnerOptions options)
    : scheduler_(scheduler), options_(std::move(options)) {
  if (options_.compile_cache == nullptr) options_.compile_cache = std::make_shared<grammar::GrammarCompileCache>(32);
}

TaskRunner::~TaskRunner() = default;

std::string TaskSystemMessage(const TaskDefinition& task) {
  switch (task.kind) {
    case TaskKind::kExtract: return ExtractSystemMessage(task);
    case TaskKind::kClassify: return ClassifySystemMessage(task);
    case TaskKind::kAnswer: return AnswerSystemMessage(task);
  }
  return ExtractSystemMessage(task);
}

Result<std::vector<std::string>> CheckExtractedRecord(const TaskDefinition& task, const nlohmann::json& record,
                                                      std::string_view input) {
  KOLIBRI_ASSIGN_OR_RETURN(auto checker, SchemaChecker::Create(task.schema));
  return checker->Check(record, input);
}

Result<std::shared_ptr<const SchemaChecker>> TaskRunner::Checker(const TaskDefinition& task) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = checkers_.find(task.schema);
  if (it != checkers_.end()) return it->second;
  KOLIBRI_ASSIGN_OR_RETURN(auto checker, SchemaChecker::Create(task.schema));
  checkers_.emplace(task.schema, checker);
  return checker;
}

Result<ExtractResult> TaskRunner::Extract(const TaskDefinition& task, std::string_view input, const RunOptions& run) {
  const auto t0 = Clock::now();
  if (task.kind != TaskKind::kExtract) {
    return Status::InvalidArgument("task '" + task.name + "' is a " + std::string(TaskKindName(task.kind)) +
                                   " task, not an extract task");
  }
  const Model& model = scheduler_.model();
  const int32_t capacity = SequenceCapacity(scheduler_);
  KOLIBRI_ASSIGN_OR_RETURN(RenderedPrompt prompt,
                           RenderTaskPrompt(model, task, ExtractSystemMessage(task), input, capacity,
                                            task.max_tokens + options_.context_margin));
  KOLIBRI_ASSIGN_OR_RETURN(auto checker, Checker(task));

  ExtractResult result;
  result.truncated = prompt.truncated;
  const auto tg = Clock::now();
  grammar::SchemaCompileOptions so;
  std::shared_ptr<const grammar::CompiledGrammar> compiled;
  if (checker->has_evidence_fields()) {
    // Per input: the grammar restricts evidence strings to this input's substrings.
    so.evidence_text = prompt.input;
    KOLIBRI_ASSIGN_OR_RETURN(auto g, grammar::JsonSchemaToGrammar(task.schema, so));
    KOLIBRI_ASSIGN_OR_RETURN(compiled, grammar::CompileGrammar(g.grammar, model.GrammarVocabulary()));
  } else {
    KOLIBRI_ASSIGN_OR_RETURN(auto c, options_.compile_cache->JsonSchema(task.schema, so, model.GrammarVocabulary()));
    compiled = c->grammar;
  }
  result.grammar_ms = MsSince(tg);

  std::vector<ChatMessage> messages = prompt.messages;
  std::vector<int32_t> tokens = std::move(prompt.tokens);
  result.stopped_by = "max_attempts";
  for (int32_t attempt = 1; attempt <= task.max_attempts; ++attempt) {
    const int32_t budget_left = task.token_budget - result.tokens.generated;
    const int32_t max_tokens = std::min(task.max_tokens, budget_left);
    if (attempt == 1 && task.max_tokens < compiled->MinBytesFromStart()) {
      return Status::OutOfRange("max_tokens " + std::to_string(task.max_tokens) + " of task '" + task.name +
                                "' is too small for its schema: the shortest record is " +
                                std::to_string(compiled->MinBytesFromStart()) + " bytes; allow at least that many");
    }
    if (max_tokens < compiled->MinBytesFromStart() || max_tokens <= 0) {
      result.stopped_by = "token_budget";
      break;
    }
    if (static_cast<int32_t>(tokens.size()) + max_tokens + options_.context_margin > capacity) {
      result.validation_errors.push_back("the repair conversation no longer fits the context");
      result.stopped_by = "context";
      break;
    }
    const auto ta = Clock::now();
    CompletionRequest req;
    req.prompt = tokens;
    req.max_tokens = max_tokens;
    req.grammar = compiled;
    req.sampling.temperature = static_cast<float>(task.temperature);
    req.sampling.seed = run.seed + static_cast<uint32_t>(attempt);
    req.deadline = run.deadline;
    std::promise<CompletionResult> done;
    KOLIBRI_ASSIGN_OR_RETURN(auto handle, scheduler_.Submit(std::move(req), nullptr, [&](const CompletionResult& r) {
                               done.set_value(r);
                             }));
    (void)handle;
    CompletionResult r = done.get_future().get();
    if (r.finish == FinishReason::kError) return r.status;
    if (r.finish == FinishReason::kCancelled) return Status::Cancelled("the extraction was cancelled");
    if (r.finish == FinishReason::kDeadline) return Status::DeadlineExceeded("the extraction passed its deadline");

    ExtractAttempt a;
    a.output = r.text;
    a.tokens = {r.prompt_tokens, r.cached_prompt_tokens, r.completion_tokens};
    auto parsed = nlohmann::ordered_json::parse(r.text, nullptr, false);
    if (parsed.is_discarded()) {
      a.errors.push_back(r.grammar_complete ? "the output is not JSON"
                                            : "the output was cut off after " + std::to_string(r.completion_tokens) +
                                                  " tokens (max_tokens " + std::to_string(max_tokens) + ")");
      result.record = nullptr;
    } else {
      result.record = parsed;
      a.errors = checker->Check(nlohmann::json(parsed), prompt.input);
    }
    a.ms = MsSince(ta);
    Add(&result.tokens, a.tokens);
    result.attempts = attempt;
    result.repairs = attempt - 1;
    result.validation_errors.insert(result.validation_errors.end(), a.errors.begin(), a.errors.end());
    const bool ok = a.errors.empty();
    const std::vector<std::string> errors = a.errors;
    result.attempt_log.push_back(std::move(a));
    if (ok) {
      result.valid = true;
      result.stopped_by = "valid";
      break;
    }
    if (attempt == task.max_attempts) break;
    messages.push_back({"assistant", r.text});
    messages.push_back({"user", RepairMessage(errors)});
    KOLIBRI_ASSIGN_OR_RETURN(tokens, TokenizeChat(model, messages));
  }
  result.total_ms = MsSince(t0);
  return result;
}

nlohmann::json TokenCounts::ToJson() const {
  return {{"prompt", prompt}, {"cached", cached}, {"generated", generated}};
}

nlohmann::json ExtractResult::ToJson() const {
  nlohmann::json attempts_json = nlohmann::json::array();
  for (const auto& a : attempt_log) {
    attempts_json.push_back({{"output", a.output}, {"errors", a.errors}, {"tokens", a.tokens.ToJson()}, {"ms", a.ms}});
  }
  return {{"valid", valid},
          {"record", nlohmann::json(record)},
          {"attempts", attempts},
          {"repairs", repairs},
          {"stopped_by", stopped_by},
          {"truncated", truncated},
          {"validation_errors", validation_errors},
          {"tokens", tokens.ToJson()},
          {"grammar_ms", grammar_ms},
          {"total_ms", total_ms},
          {"attempt_log", attempts_json}};
}

}  // namespace kolibri::tasks
