// `kolibri ask --index DB --model M "question" [--json] [--k N] [--embedding-model E]`:
// a grounded answer from the index with verified citations; `--eval FILE.jsonl` runs a
// question set instead and prints retrieval recall@k, answer/abstain accuracy and citation
// validity. An answer whose citations fail the re-check is printed, then exit 1.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "kolibri/engine_info.h"
#include "kolibri/tasks/answer_eval.h"
#include "kolibri/tasks/source_index.h"
#include "kolibri/tasks/task_runner.h"

namespace kolibri::cli {
namespace {

struct AskCliOptions {
  std::string index;
  std::string model;
  std::string question;
  std::string embedding_model;
  std::string eval;
  std::string instructions;
  bool json = false;
  int k = 5;
  double min_score = 0;
  double min_similarity = 0.5;
  int max_citations = 3;
  int max_tokens = 256;
  double temperature = 0;
  int context = 4096;
  int threads = 0;
  int verbose = 0;
};

Status Validate(const AskCliOptions& o) {
  if (o.k <= 0 || o.k > 50) return Status::InvalidArgument("--k must be between 1 and 50, got " + std::to_string(o.k));
  if (o.eval.empty() && o.question.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("the question is empty (give QUESTION, or --eval FILE)");
  }
  if (!o.eval.empty() && !o.question.empty()) return Status::InvalidArgument("give a QUESTION or --eval, not both");
  if (o.min_score < 0) return Status::InvalidArgument("--min-score must be >= 0");
  if (o.max_citations < 1 || o.max_citations > 20) return Status::InvalidArgument("--max-citations must be 1..20");
  if (o.max_tokens < 1) return Status::InvalidArgument("--max-tokens must be positive");
  if (o.temperature < 0) return Status::InvalidArgument("--temperature must be >= 0");
  return Status::Ok();
}

tasks::TaskDefinition AskTask(const AskCliOptions& o) {
  tasks::TaskDefinition t;
  t.name = "ask";
  t.kind = tasks::TaskKind::kAnswer;
  t.instructions = o.instructions;
  t.index = o.index;
  t.k = o.k;
  t.min_score = o.min_score;
  t.min_similarity = o.min_similarity;
  t.max_citations = o.max_citations;
  t.max_tokens = o.max_tokens;
  t.temperature = o.temperature;
  return t;
}

void PrintAnswer(const tasks::AnswerResult& r) {
  std::printf("%s: %s\n", r.status.empty() ? "unparsed" : r.status.c_str(), r.answer.c_str());
  for (size_t i = 0; i < r.citations.size(); ++i) {
    const tasks::AnswerCitation& c = r.citations[i];
    std::printf("  [%zu] %s %s%s\n      \"%s\"\n", i + 1, c.valid ? "ok     " : "INVALID", c.chunk.c_str(),
                c.source_path.empty() ? "" : ("  " + c.source_path).c_str(), c.quote.c_str());
  }
  for (const std::string& e : r.errors) std::printf("  error: %s\n", e.c_str());
  std::fprintf(stderr, "%s retrieval: %zu chunk(s) retrieved, %zu given to the model%s | tokens: prompt %d, "
               "generated %d | %.1f ms\n",
               r.retrieval.c_str(), r.retrieved.size(), r.sources.size(),
               r.forced ? " (not_in_sources forced: no evidence above the threshold)" : "", r.tokens.prompt,
               r.tokens.generated, r.total_ms);
}

void PrintReport(const tasks::AnswerEvalReport& r) {
  const nlohmann::json j = r.ToJson();
  std::printf("questions            %lld (%lld answerable, %lld unanswerable)\n", static_cast<long long>(r.cases),
              static_cast<long long>(r.answerable), static_cast<long long>(r.unanswerable));
  std::printf("recall@%d             %.3f (%lld of %lld gold passages retrieved)\n", r.k,
              j["recall_at_k"].get<double>(), static_cast<long long>(r.passage_found),
              static_cast<long long>(r.with_passage));
  std::printf("answer accuracy      %.3f (answerable questions answered)\n", j["answer_accuracy"].get<double>());
  std::printf("abstain accuracy     %.3f (unanswerable questions answered not_in_sources; %lld forced)\n",
              j["abstain_accuracy"].get<double>(), static_cast<long long>(r.forced_abstentions));
  if (r.with_gold_answer > 0) {
    std::printf("answer match         %.3f (gold answer contained, of %lld answered)\n", j["answer_match"].get<double>(),
                static_cast<long long>(r.with_gold_answer));
  }
  std::printf("citation validity    %.4f (%lld of %lld citations)\n", j["citation_validity"].get<double>(),
              static_cast<long long>(r.valid_citations), static_cast<long long>(r.citations));
  std::printf("valid outputs        %.4f\n", j["valid_output_rate"].get<double>());
  std::printf("latency              p50 %.1f ms, p95 %.1f ms\n", j["latency_ms"]["p50"].get<double>(),
              j["latency_ms"]["p95"].get<double>());
  for (const std::string& e : r.invalid_examples) std::printf("  invalid: %s\n", e.c_str());
}

Status RunAsk(const AskCliOptions& o) {
  KOLIBRI_RETURN_IF_ERROR(Validate(o));
  SetLlamaLogVerbosity(o.verbose);
  std::vector<tasks::AnswerEvalCase> cases;
  if (!o.eval.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(cases, tasks::LoadAnswerEval(o.eval));
  }
  {
    // The index first: a missing or damaged one is reported before any model loads.
    KOLIBRI_ASSIGN_OR_RETURN(auto index, tasks::SourceIndex::Open(o.index, nullptr));
  }
  tasks::TaskRunnerOptions runner_options;
  if (!o.embedding_model.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(std::shared_ptr<Model> em, Model::Load(o.embedding_model, ModelOptions{}));
    KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<Embedder> e,
                             Embedder::Create(em, EmbedderOptions{.threads = o.threads, .truncate = true}));
    runner_options.embedder = std::move(e);
  }
  KOLIBRI_ASSIGN_OR_RETURN(std::shared_ptr<Model> model, Model::Load(o.model, ModelOptions{}));
  if (!model->has_chat_template()) {
    return Status::Unsupported("model '" + o.model + "' cannot write answers: it has no chat template (" +
                               model->architecture() + "; an embedding model belongs in --embedding-model)");
  }
  SchedulerOptions so;
  so.context = o.context;
  so.parallel = 1;
  so.threads = o.threads;
  KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<Scheduler> scheduler, Scheduler::Create(model, so));
  tasks::TaskRunner runner(*scheduler, runner_options);
  const tasks::TaskDefinition task = AskTask(o);
  if (!o.eval.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(tasks::AnswerEvalReport report,
                             tasks::EvaluateAnswers(runner, task, cases, [&](size_t done, size_t total) {
                               if (!o.json && o.verbose >= 0) std::fprintf(stderr, "\r%zu / %zu", done, total);
                             }));
    if (!o.json) std::fprintf(stderr, "\n");
    if (o.json) std::printf("%s\n", report.ToJson().dump(2).c_str());
    else PrintReport(report);
    return Status::Ok();
  }
  KOLIBRI_ASSIGN_OR_RETURN(tasks::AnswerResult r, runner.Answer(task, o.question));
  for (const std::string& w : r.warnings) std::fprintf(stderr, "kolibri: warning: %s\n", w.c_str());
  if (o.json) std::printf("%s\n", r.ToJson().dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  else PrintAnswer(r);
  if (!r.valid) {
    return Status::FailedPrecondition("the answer failed the citation check: " +
                                      (r.errors.empty() ? std::string("invalid") : r.errors.front()));
  }
  return Status::Ok();
}

}  // namespace

void RegisterAskCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<AskCliOptions>();
  CLI::App* cmd = root.add_subcommand("ask", "Answer a question only from an index, with verified citations");
  cmd->add_option("--index", o->index, "Index file (kolibri index add)")->required();
  cmd->add_option("-m,--model", o->model, "Model GGUF that writes the answer")->required();
  cmd->add_option("question", o->question, "The question");
  cmd->add_option("--eval", o->eval, "JSONL of {question, answer?, passage | unanswerable: true}: print metrics");
  cmd->add_flag("--json", o->json, "Print JSON (the answer with each citation's source path and text)");
  cmd->add_option("-k,--k", o->k, "Chunks retrieved")->capture_default_str();
  cmd->add_option("--embedding-model", o->embedding_model,
                  "The index's embedding GGUF: hybrid retrieval (an index without vectors falls back to BM25 "
                  "with a warning)");
  cmd->add_option("--min-score", o->min_score,
                  "BM25 evidence floor: chunks at or below it are not evidence (0: any term match counts)")
      ->capture_default_str();
  cmd->add_option("--min-similarity", o->min_similarity,
                  "Vector evidence floor (cosine) for chunks found only by the vector side")
      ->capture_default_str();
  cmd->add_option("--max-citations", o->max_citations, "Citations at most")->capture_default_str();
  cmd->add_option("--max-tokens", o->max_tokens, "Generated tokens at most (bounds the answer; the JSON is always closed in time)")->capture_default_str();
  cmd->add_option("--temperature", o->temperature, "Sampling temperature (0: greedy)")->capture_default_str();
  cmd->add_option("--instructions", o->instructions, "Text put before the grounding rules in the system message");
  cmd->add_option("--ctx", o->context, "Context tokens")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads (0: all)");
  cmd->add_flag("-v,--verbose", o->verbose, "llama.cpp logs");
  cmd->callback([run, o] { *run = [o] { return RunAsk(*o); }; });
}

}  // namespace kolibri::cli
