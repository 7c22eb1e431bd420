// Grounded-answer benchmark: citation validity of TaskRunner::Answer over many questions
// on a generated corpus, checked independently of the runner's own re-check.
//
//   bench_answer --model M [--questions 2000] [--docs 400] [--k 3] [--max-tokens 96]
//                [--temperature 1] [--parallel 4] [--threads 1] [--unanswerable 0.1]
//                [--workdir /tmp/kolibri-answer-bench] [--out bench/results/answer_tiny.json]
//
// The corpus is SyntheticCorpus text (bench/retrieval), chunked by the ingest chunker and
// stored through DocumentStore. A question is the held-out sentence of a document (it
// shares topic words with it); a share of questions are words found in no document, which
// must come back as not_in_sources without generating. Every citation the runner returns is
// checked again here: its chunk id must be one of the chunks given to the model, the chunk
// is read back from the index file, and the quote must be a non-empty substring of its text.
// With random-weight models only validity means anything, never the content.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../retrieval/synthetic_corpus.h"
#include "kolibri/chunker.h"
#include "kolibri/document_store.h"
#include "kolibri/engine_info.h"
#include "kolibri/model.h"
#include "kolibri/scheduler.h"
#include "kolibri/tasks/task_runner.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string model;
  int questions = 2000;
  int docs = 400;
  int doc_words = 120;
  int chunk_words = 60;
  int k = 3;
  int max_tokens = 96;
  double temperature = 1.0;
  int parallel = 4;
  int threads = 1;
  double unanswerable = 0.1;
  std::string workdir = "/tmp/kolibri-answer-bench";
  std::string out = "bench/results/answer_tiny.json";
};

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5))];
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

struct Tally {
  int64_t questions = 0, errors = 0, answered = 0, not_in_sources = 0, forced = 0, unparsed = 0;
  int64_t valid_outputs = 0, cut_off = 0;
  int64_t citations = 0, citations_valid = 0, runner_flagged = 0, disagreements = 0;
  int64_t generated_tokens = 0, prompt_tokens = 0;
  std::vector<double> latency_ms;
  std::vector<std::string> examples;  // first few failures
};

// The independent check of one answer's citations against the index file.
void Check(kolibri::DocumentStore& store, const kolibri::tasks::AnswerResult& r, Tally* t) {
  std::vector<std::string> given;
  for (const auto& s : r.sources) given.push_back(s.chunk_id);
  for (const auto& c : r.citations) {
    ++t->citations;
    bool ok = std::find(given.begin(), given.end(), c.chunk) != given.end() && !c.quote.empty();
    if (ok) {
      auto chunk = store.GetChunk(c.chunk);
      ok = chunk.ok() && chunk->text.find(c.quote) != std::string::npos;
    }
    t->citations_valid += ok;
    t->runner_flagged += !c.valid;
    t->disagreements += ok != c.valid;
    if (!ok && t->examples.size() < 5) t->examples.push_back("citation " + c.chunk + ": " + c.quote);
  }
}

int Run(const Args& a) {
  fs::remove_all(a.workdir);
  fs::create_directories(a.workdir);
  const std::string db = a.workdir + "/index.db";
  kolibri::bench::SyntheticCorpus corpus(7);
  std::vector<std::string> held_out;
  {
    auto store = kolibri::DocumentStore::Open(db);
    if (!store.ok()) return std::fprintf(stderr, "%s\n", store.status().ToString().c_str()), 1;
    kolibri::ChunkOptions co{.target_words = static_cast<size_t>(a.chunk_words),
                             .max_words = static_cast<size_t>(a.chunk_words) * 3 / 2,
                             .min_words = static_cast<size_t>(a.chunk_words) / 4};
    for (int i = 0; i < a.docs; ++i) {
      const kolibri::bench::SyntheticDocument sd = corpus.Make(a.doc_words);
      kolibri::Document d;
      d.id = d.source_path = "/generated/doc" + std::to_string(i) + ".txt";
      d.title = sd.title;
      d.text = sd.title + "\n\n";
      d.headings.push_back({0, sd.title.size(), 1});
      for (const auto& para : sd.paragraphs) d.text += Join(para) + "\n\n";
      d.text.resize(d.text.size() - 2);
      d.content_hash = kolibri::Sha256Hex(d.text);
      d.chunks = kolibri::ChunkDocument(d, co);
      held_out.push_back(sd.held_out);
      if (auto s = (*store)->ReplaceSource(d.source_path, d.content_hash, {d}); !s.ok()) {
        return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
      }
    }
  }
  std::vector<std::string> questions;
  const int every = a.unanswerable > 0 ? std::max(1, static_cast<int>(1.0 / a.unanswerable + 0.5)) : 0;
  for (int i = 0; i < a.questions; ++i) {
    if (every > 0 && i % every == every - 1) {
      questions.push_back("Qwerty zxcvb " + std::to_string(i) + " plugh xyzzy?");  // in no document
    } else {
      questions.push_back(held_out[static_cast<size_t>(i) % held_out.size()]);
    }
  }

  kolibri::SetLlamaLogVerbosity(-1);
  auto model = kolibri::Model::Load(a.model, kolibri::ModelOptions{});
  if (!model.ok()) return std::fprintf(stderr, "%s\n", model.status().ToString().c_str()), 1;
  kolibri::SchedulerOptions so;
  so.parallel = a.parallel;
  so.context = 2048 * a.parallel;
  so.threads = a.threads;
  auto scheduler = kolibri::Scheduler::Create(*model, so);
  if (!scheduler.ok()) return std::fprintf(stderr, "%s\n", scheduler.status().ToString().c_str()), 1;
  kolibri::tasks::TaskRunner runner(**scheduler);
  kolibri::tasks::TaskDefinition task;
  task.name = "bench";
  task.kind = kolibri::tasks::TaskKind::kAnswer;
  task.index = db;
  task.k = a.k;
  task.max_tokens = a.max_tokens;
  task.temperature = a.temperature;

  std::atomic<size_t> next{0};
  std::atomic<int64_t> done{0}, cited{0}, cited_valid{0};  // progress lines, for long runs
  std::mutex mu;
  Tally total;
  const auto start = Clock::now();
  auto worker = [&] {
    auto store = kolibri::DocumentStore::Open(db, {.create = false, .read_only = true});
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      std::exit(1);
    }
    Tally t;
    for (size_t i = next++; i < questions.size(); i = next++) {
      kolibri::tasks::RunOptions run;
      run.seed = static_cast<uint32_t>(i);
      auto r = runner.Answer(task, questions[i], run);
      ++t.questions;
      if (!r.ok()) {
        ++t.errors;
        if (t.examples.size() < 5) t.examples.push_back(r.status().ToString());
        continue;
      }
      t.answered += r->status == "answered";
      t.not_in_sources += r->status == "not_in_sources";
      t.unparsed += r->status.empty();
      t.forced += r->forced;
      t.valid_outputs += r->valid;
      t.cut_off += std::any_of(r->errors.begin(), r->errors.end(),
                               [](const std::string& e) { return e.find("cut off") != std::string::npos; });
      t.generated_tokens += r->tokens.generated;
      t.prompt_tokens += r->tokens.prompt;
      t.latency_ms.push_back(r->total_ms);
      if (!r->valid && t.examples.size() < 5) {
        t.examples.push_back("q" + std::to_string(i) + ": " + (r->errors.empty() ? "invalid" : r->errors.front()));
      }
      const int64_t before = t.citations, before_valid = t.citations_valid;
      Check(**store, *r, &t);
      cited += t.citations - before;
      cited_valid += t.citations_valid - before_valid;
      if (++done % 25 == 0) {
        std::fprintf(stderr, "%lld questions, %lld of %lld citations valid, %.0f s\n",
                     static_cast<long long>(done.load()), static_cast<long long>(cited_valid.load()),
                     static_cast<long long>(cited.load()),
                     std::chrono::duration<double>(Clock::now() - start).count());
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    for (auto [dst, src] : {std::pair{&total.questions, t.questions}, {&total.errors, t.errors},
                            {&total.answered, t.answered}, {&total.not_in_sources, t.not_in_sources},
                            {&total.forced, t.forced}, {&total.unparsed, t.unparsed},
                            {&total.valid_outputs, t.valid_outputs}, {&total.cut_off, t.cut_off},
                            {&total.citations, t.citations}, {&total.citations_valid, t.citations_valid},
                            {&total.runner_flagged, t.runner_flagged}, {&total.disagreements, t.disagreements},
                            {&total.generated_tokens, t.generated_tokens}, {&total.prompt_tokens, t.prompt_tokens}}) {
      *dst += src;
    }
    total.latency_ms.insert(total.latency_ms.end(), t.latency_ms.begin(), t.latency_ms.end());
    for (auto& e : t.examples) {
      if (total.examples.size() < 10) total.examples.push_back(e);
    }
  };
  std::vector<std::thread> pool;
  for (int i = 0; i < a.parallel; ++i) pool.emplace_back(worker);
  for (auto& th : pool) th.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  const auto rate = [](int64_t n, int64_t d) { return d == 0 ? 1.0 : static_cast<double>(n) / static_cast<double>(d); };
  nlohmann::json out = {
      {"model", fs::path(a.model).filename().string()},
      {"model_note", "random weights (kolibri make-test-model): content is noise, only validity is measured"},
      {"corpus", "generated (SyntheticCorpus seed 7): " + std::to_string(a.docs) + " documents of " +
                     std::to_string(a.doc_words) + " words, chunks of ~" + std::to_string(a.chunk_words) + " words"},
      {"settings", {{"k", a.k}, {"max_tokens", a.max_tokens}, {"temperature", a.temperature},
                    {"parallel", a.parallel}, {"threads", a.threads}, {"unanswerable_share", a.unanswerable}}},
      {"questions", total.questions},
      {"errors", total.errors},
      {"answered", total.answered},
      {"not_in_sources", total.not_in_sources},
      {"forced_not_in_sources", total.forced},
      {"unparsed", total.unparsed},
      {"cut_off", total.cut_off},
      {"valid_outputs", total.valid_outputs},
      {"valid_output_rate", rate(total.valid_outputs, total.questions)},
      {"citations", total.citations},
      {"citations_valid", total.citations_valid},
      {"citation_validity", rate(total.citations_valid, total.citations)},
      {"citations_flagged_by_runner", total.runner_flagged},
      {"checker_disagreements", total.disagreements},
      {"failure_examples", total.examples},
      {"tokens", {{"prompt", total.prompt_tokens}, {"generated", total.generated_tokens}}},
      {"latency_ms", {{"p50", Percentile(total.latency_ms, 0.5)}, {"p95", Percentile(total.latency_ms, 0.95)}}},
      {"seconds", seconds},
      {"questions_per_second", static_cast<double>(total.questions) / seconds},
      {"machine_note", "2 shared cores, other engineers building at the same time"},
  };
  fs::create_directories(fs::path(a.out).parent_path());
  std::ofstream(a.out) << out.dump(2) << "\n";
  std::printf("%s\n", out.dump(2).c_str());
  return total.errors == 0 && total.citations_valid == total.citations ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--model") a.model = v;
    else if (k == "--questions") a.questions = std::stoi(v);
    else if (k == "--docs") a.docs = std::stoi(v);
    else if (k == "--doc-words") a.doc_words = std::stoi(v);
    else if (k == "--chunk-words") a.chunk_words = std::stoi(v);
    else if (k == "--k") a.k = std::stoi(v);
    else if (k == "--max-tokens") a.max_tokens = std::stoi(v);
    else if (k == "--temperature") a.temperature = std::stod(v);
    else if (k == "--parallel") a.parallel = std::stoi(v);
    else if (k == "--threads") a.threads = std::stoi(v);
    else if (k == "--unanswerable") a.unanswerable = std::stod(v);
    else if (k == "--workdir") a.workdir = v;
    else if (k == "--out") a.out = v;
    else return std::fprintf(stderr, "unknown option %s\n", k.c_str()), 2;
  }
  if (a.model.empty() || a.questions < 1 || a.docs < 1 || a.parallel < 1) {
    std::fprintf(stderr, "usage: bench_answer --model M [--questions N] [--docs D] ...\n");
    return 2;
  }
  return Run(a);
}
