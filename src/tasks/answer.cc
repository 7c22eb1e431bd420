// TaskRunner::Answer: retrieval, the evidence floor, the citation grammar, generation and
// the citation re-check.
#include <chrono>
#include <future>
#include <unordered_map>

#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/tasks/source_index.h"
#include "kolibri/tasks/task_runner.h"
#include "tasks/answer_grammar.h"
#include "tasks/prompt.h"

namespace kolibri::tasks {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

constexpr const char* kNotInSourcesText = "The sources do not contain the answer.";

Status CheckKind(const TaskDefinition& task) {
  if (task.kind == TaskKind::kAnswer) return Status::Ok();
  return Status::InvalidArgument("task '" + task.name + "' is a " + std::string(TaskKindName(task.kind)) +
                                 " task, not an answer task");
}

bool PassesFloor(const TaskDefinition& task, const RetrievedChunk& c) {
  return (c.bm25_rank > 0 && c.bm25_score > task.min_score) ||
         (c.vector_rank > 0 && c.similarity >= task.min_similarity);
}

}  // namespace

void CheckAnswer(std::string_view output, const std::vector<RetrievedChunk>& sources, AnswerResult* r) {
  r->errors.clear();
  r->citations.clear();
  r->valid = false;
  auto j = nlohmann::json::parse(output, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    r->errors.push_back("the output is not a JSON object");
    return;
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "status" && key != "answer" && key != "citations") r->errors.push_back("unexpected member '" + key + "'");
  }
  if (!j.contains("status") || !j["status"].is_string() ||
      (j["status"] != "answered" && j["status"] != "not_in_sources")) {
    r->errors.push_back("status must be \"answered\" or \"not_in_sources\"");
  } else {
    r->status = j["status"].get<std::string>();
  }
  if (!j.contains("answer") || !j["answer"].is_string()) {
    r->errors.push_back("answer must be a string");
  } else {
    r->answer = j["answer"].get<std::string>();
  }
  if (!j.contains("citations") || !j["citations"].is_array()) {
    r->errors.push_back("citations must be an array");
    return;
  }
  std::unordered_map<std::string, const RetrievedChunk*> by_id;
  for (const RetrievedChunk& c : sources) by_id.emplace(c.chunk_id, &c);
  for (size_t i = 0; i < j["citations"].size(); ++i) {
    const auto& item = j["citations"][i];
    AnswerCitation c;
    const std::string where = "citation " + std::to_string(i + 1);
    if (!item.is_object() || !item.contains("chunk") || !item["chunk"].is_string() || !item.contains("quote") ||
        !item["quote"].is_string() || item.size() != 2) {
      c.problem = where + " must be {\"chunk\": string, \"quote\": string}";
    } else {
      c.chunk = item["chunk"].get<std::string>();
      c.quote = item["quote"].get<std::string>();
      auto it = by_id.find(c.chunk);
      if (it == by_id.end()) {
        c.problem = where + " names chunk '" + c.chunk + "', which is not among the retrieved sources";
      } else {
        const RetrievedChunk& src = *it->second;
        c.source_path = src.source_path;
        c.document_id = src.document_id;
        c.text = src.text;
        const size_t at = c.quote.empty() ? std::string::npos : src.text.find(c.quote);
        if (c.quote.empty()) {
          c.problem = where + " has an empty quote";
        } else if (at == std::string::npos) {
          c.problem = where + "'s quote is not a verbatim part of chunk '" + c.chunk + "'";
        } else {
          c.quote_offset = static_cast<int64_t>(at);
          c.valid = true;
        }
      }
    }
    if (!c.valid) r->errors.push_back(c.problem);
    r->citations.push_back(std::move(c));
  }
  if (r->status == "answered" && r->citations.empty()) r->errors.push_back("an answer needs at least one citation");
  if (r->status == "not_in_sources" && !r->citations.empty()) {
    r->errors.push_back("a not_in_sources reply cites nothing");
  }
  r->valid = r->errors.empty();
}

Result<SourceIndex*> TaskRunner::Index(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = indexes_.find(path);
  if (it != indexes_.end()) return it->second.get();
  KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<SourceIndex> index, SourceIndex::Open(path, options_.embedder));
  SourceIndex* raw = index.get();
  indexes_.emplace(path, std::move(index));
  return raw;
}

Result<AnswerResult> TaskRunner::Answer(const TaskDefinition& task, std::string_view question, const RunOptions& run) {
  const auto t0 = Clock::now();
  KOLIBRI_RETURN_IF_ERROR(CheckKind(task));
  if (question.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::InvalidArgument("the question is empty");
  }
  if (task.k <= 0) return Status::InvalidArgument("k must be positive, got " + std::to_string(task.k));
  if (task.index.empty()) return Status::InvalidArgument("answer task '" + task.name + "' names no index");
  KOLIBRI_ASSIGN_OR_RETURN(SourceIndex * index, Index(task.index));
  SourceSearchOptions so;
  so.k = task.k;
  KOLIBRI_ASSIGN_OR_RETURN(SourceSearch found, index->Search(std::string(question), so));
  const double retrieval_ms = MsSince(t0);
  std::vector<RetrievedChunk> passing;
  for (const RetrievedChunk& c : found.chunks) {
    if (PassesFloor(task, c)) passing.push_back(c);
  }
  KOLIBRI_ASSIGN_OR_RETURN(AnswerResult result, AnswerFromSources(task, question, std::move(passing), run));
  result.retrieval = found.mode;
  result.warnings = found.warnings;
  result.retrieved = std::move(found.chunks);
  result.retrieval_ms = retrieval_ms;
  result.total_ms = MsSince(t0);
  return result;
}

Result<AnswerResult> TaskRunner::AnswerFromSources(const TaskDefinition& task, std::string_view question,
                                                   std::vector<RetrievedChunk> sources, const RunOptions& run) {
  const auto t0 = Clock::now();
  KOLIBRI_RETURN_IF_ERROR(CheckKind(task));
  if (question.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::InvalidArgument("the question is empty");
  }
  std::erase_if(sources, [](const RetrievedChunk& c) { return c.text.empty(); });
  AnswerResult result;
  result.retrieved = sources;
  const Model& model = scheduler_.model();
  const int32_t capacity = SequenceCapacity(scheduler_);
  const int32_t reserve = task.max_tokens + options_.context_margin;
  const std::string system = AnswerSystemMessage(task);
  std::vector<ChatMessage> messages;
  std::vector<int32_t> tokens;
  // The lowest-ranked chunks give way until the prompt fits.
  while (true) {
    messages = {{"system", system}, {"user", AnswerUserMessage(question, sources)}};
    KOLIBRI_ASSIGN_OR_RETURN(tokens, TokenizeChat(model, messages));
    if (static_cast<int32_t>(tokens.size()) + reserve <= capacity) break;
    if (sources.empty()) {
      return Status::OutOfRange("the question is too long: with the instructions it takes " +
                                std::to_string(tokens.size()) + " tokens, and with " + std::to_string(reserve) +
                                " tokens for the answer it exceeds the " + std::to_string(capacity) +
                                "-token context");
    }
    sources.pop_back();
  }
  result.sources = sources;
  if (sources.empty()) {
    result.status = "not_in_sources";
    result.answer = kNotInSourcesText;
    result.forced = true;
    result.valid = true;
    result.total_ms = MsSince(t0);
    return result;
  }

  const auto tg = Clock::now();
  std::vector<AnswerSource> grammar_sources;
  for (const RetrievedChunk& c : sources) grammar_sources.push_back({c.chunk_id, c.text});
  AnswerGrammarOptions go;
  go.max_citations = task.max_citations;
  KOLIBRI_ASSIGN_OR_RETURN(std::shared_ptr<const grammar::CompiledGrammar> compiled,
                           grammar::CompileGrammar(BuildAnswerGrammar(grammar_sources, go), model.GrammarVocabulary()));
  result.grammar_ms = MsSince(tg);
  if (task.max_tokens < compiled->MinBytesFromStart()) {
    return Status::OutOfRange("max_tokens " + std::to_string(task.max_tokens) + " of task '" + task.name +
                              "' is too small for an answer: the shortest is " +
                              std::to_string(compiled->MinBytesFromStart()) + " bytes; allow at least that many");
  }
  CompletionRequest req;
  req.prompt = std::move(tokens);
  req.max_tokens = task.max_tokens;
  req.grammar = compiled;
  // One "," or the choice of "answered" lengthens the shortest completion by a whole
  // citation ({"chunk":"<id>","quote":"x"}); budget mode must engage before that can strand it.
  size_t longest_id = 0;
  for (const AnswerSource& s : grammar_sources) longest_id = std::max(longest_id, s.chunk_id.size());
  req.budget_window = 16 + static_cast<int32_t>(longest_id) + 32;
  req.sampling.temperature = static_cast<float>(task.temperature);
  req.sampling.seed = run.seed;
  req.deadline = run.deadline;
  std::promise<CompletionResult> done;
  KOLIBRI_ASSIGN_OR_RETURN(auto handle, scheduler_.Submit(std::move(req), nullptr, [&](const CompletionResult& r) {
                             done.set_value(r);
                           }));
  (void)handle;
  CompletionResult r = done.get_future().get();
  if (r.finish == FinishReason::kError) return r.status;
  if (r.finish == FinishReason::kCancelled) return Status::Cancelled("the answer was cancelled");
  if (r.finish == FinishReason::kDeadline) return Status::DeadlineExceeded("the answer passed its deadline");
  result.output = r.text;
  result.tokens = {r.prompt_tokens, r.cached_prompt_tokens, r.completion_tokens};
  CheckAnswer(r.text, result.sources, &result);
  if (!r.grammar_complete) {
    result.valid = false;
    result.errors.push_back("the output was cut off after " + std::to_string(r.completion_tokens) +
                            " tokens (max_tokens " + std::to_string(task.max_tokens) + ")");
  }
  result.total_ms = MsSince(t0);
  return result;
}

nlohmann::json AnswerResult::ToJson() const {
  nlohmann::json cites = nlohmann::json::array();
  for (const AnswerCitation& c : citations) {
    nlohmann::json j = {{"chunk", c.chunk}, {"quote", c.quote}, {"valid", c.valid}};
    if (!c.problem.empty()) j["problem"] = c.problem;
    if (!c.source_path.empty()) {
      j["source_path"] = c.source_path;
      j["document"] = c.document_id;
      j["quote_offset"] = c.quote_offset;
      j["text"] = c.text;
    }
    cites.push_back(std::move(j));
  }
  nlohmann::json src = nlohmann::json::array();
  for (const RetrievedChunk& c : sources) {
    src.push_back({{"chunk", c.chunk_id}, {"source_path", c.source_path}, {"score", c.score},
                   {"found_by", c.FoundBy()}});
  }
  return {{"status", status},       {"answer", answer},         {"citations", cites},
          {"valid", valid},         {"errors", errors},         {"forced", forced},
          {"retrieval", retrieval}, {"warnings", warnings},     {"retrieved", retrieved.size()},
          {"sources", src},         {"tokens", tokens.ToJson()}, {"retrieval_ms", retrieval_ms},
          {"grammar_ms", grammar_ms}, {"total_ms", total_ms}};
}

}  // namespace kolibri::tasks
