// bench_tasks --model M.gguf --out results.json [--threads N] [--reps N] [--evidence N]
// (--reps 0: evidence only; --evidence 0: latency only; threads default 1: on a shared
// machine OpenMP spinning with more threads than free cores distorts every figure)
//
// 1. Label scoring latency: 20 Banking77 intent names (several sharing a first token), one
//    classify prompt per request, measured three ways on the same scheduler and model:
//      generate — greedy decoding of one label under an enum grammar (LabelsToGrammar)
//                 with jump-forward, until end of generation;
//      restricted — Scheduler::Score with skip_unbranched (the default scoring) plus the
//                 calibrated distribution over all 20 labels;
//      full     — every token of every label scored (LabelScoring::kFull).
//    Each rep uses a fresh user text per method, so only the shared system prompt comes
//    from the prefix cache; also measured with the prefix cache off. Medians are reported.
// 2. Evidence-bound fields: N sampled extractions (TaskRunner::Extract, temperature 1.2)
//    from random inputs; counts evidence strings absent from their input (must be 0).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/grammar/constraints.h"
#include "kolibri/scheduler.h"
#include "kolibri/tasks/task_runner.h"
#include "tasks/prompt.h"

namespace {

using namespace kolibri;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kLabels = {
    "card_arrival", "card_linking", "card_payment_fee_charged", "card_not_working",
    "cash_withdrawal_charge", "cash_withdrawal_not_recognised", "balance_not_updated_after_bank_transfer",
    "beneficiary_not_allowed", "exchange_rate", "exchange_charge", "top_up_failed", "top_up_limits",
    "transfer_timing", "transfer_not_received_by_recipient", "pin_blocked", "lost_or_stolen_card",
    "refund_not_showing_up", "direct_debit_payment_not_recognised", "verify_my_identity", "change_pin"};

const std::vector<std::string> kTexts = {
    "I ordered my card two weeks ago and it still has not arrived.",
    "Why was I charged a fee for taking cash out of the ATM?",
    "How do I link my new card to the app?",
    "My top up did not go through, what happened?",
    "The money I sent to my friend has not shown up in his account.",
    "What exchange rate do you use when I pay in dollars?",
    "My PIN is blocked after three wrong tries.",
    "I think somebody stole my card yesterday.",
    "The refund from the shop is still not on my statement.",
    "There is a direct debit I do not recognise on my account.",
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double Ms(Clock::time_point a) { return std::chrono::duration<double, std::milli>(Clock::now() - a).count(); }

tasks::TaskDefinition ClassifyTask() {
  tasks::TaskDefinition t;
  t.name = "banking_intent";
  t.kind = tasks::TaskKind::kClassify;
  t.instructions = "Which banking intent does the customer's message express?";
  for (const auto& l : kLabels) t.labels.push_back({l, "", {}});
  return t;
}

// The production prompt (what TaskRunner::Classify sends) for `text`.
std::vector<int32_t> Prompt(const Model& m, const tasks::TaskDefinition& t, const std::string& text) {
  auto toks = tasks::TokenizeChat(m, {{"system", tasks::ClassifySystemMessage(t)}, {"user", text}});
  if (!toks.ok()) std::exit(1);
  return *toks;
}

nlohmann::json LatencyBench(std::shared_ptr<Model> model, int threads, int reps, bool prefix_cache) {
  SchedulerOptions so;
  so.context = 4096;
  so.parallel = 2;
  so.threads = threads;
  so.prefix_cache = prefix_cache;
  auto sched = Scheduler::Create(model, so);
  if (!sched.ok()) std::exit(1);
  Scheduler& s = **sched;
  const tasks::TaskDefinition task = ClassifyTask();
  auto g = grammar::LabelsToGrammar(kLabels);
  auto compiled = grammar::CompileGrammar(*g, model->GrammarVocabulary());
  if (!compiled.ok()) std::exit(1);
  TokenizeOptions raw;
  raw.add_special = false;
  raw.parse_special = false;
  std::vector<std::vector<int32_t>> conts;
  for (const auto& l : kLabels) {
    auto t = *model->Tokenize(l, raw);
    t.push_back(model->end_of_turn_token());
    conts.push_back(t);
  }
  std::vector<double> gen_ms, restricted_ms, full_ms, gen_tokens, passes;
  int32_t prompt_tokens = 0, branch_restricted = 0, branch_full = 0;
  for (int rep = -1; rep < reps; ++rep) {  // rep -1 warms up (and fills the prefix cache)
    const std::string text = kTexts[static_cast<size_t>((rep + 10) % kTexts.size())] + " (ref " + std::to_string(rep);
    // Method order alternates so drift on a shared machine hits all three alike.
    for (int k = 0; k < 3; ++k) {
      const int method = (k + rep + 3) % 3;
      auto prompt = Prompt(*model, task, text + "-" + std::to_string(method) + ")");
      prompt_tokens = static_cast<int32_t>(prompt.size());
      const auto t0 = Clock::now();
      if (method == 0) {
        CompletionRequest req;
        req.prompt = prompt;
        req.max_tokens = 32;
        req.sampling.temperature = 0;
        req.grammar = *compiled;
        req.jump_forward = true;
        std::promise<CompletionResult> done;
        auto h = s.Submit(req, nullptr, [&](const CompletionResult& r) { done.set_value(r); });
        if (!h.ok()) std::exit(1);
        CompletionResult r = done.get_future().get();
        const double ms = Ms(t0);
        if (rep >= 0) {
          gen_ms.push_back(ms);
          gen_tokens.push_back(r.completion_tokens);
        }
      } else {
        ScoreRequest req;
        req.prompt = prompt;
        req.continuations = conts;
        req.skip_unbranched = method == 1;
        auto r = s.Score(req);
        if (!r.ok()) {
          std::fprintf(stderr, "score: %s\n", r.status().ToString().c_str());
          std::exit(1);
        }
        std::vector<double> scores;
        for (float x : method == 1 ? r->restricted_logprob : r->logprob) scores.push_back(x);
        tasks::ClassifyResult dist = tasks::MakeDistribution(task, scores);
        const double ms = Ms(t0);
        if (dist.distribution.size() != kLabels.size()) std::exit(1);
        if (rep >= 0) {
          (method == 1 ? restricted_ms : full_ms).push_back(ms);
          if (method == 1) passes.push_back(r->passes);
        }
        (method == 1 ? branch_restricted : branch_full) = r->branch_tokens;
      }
    }
  }
  const double gen = Median(gen_ms), res = Median(restricted_ms), full = Median(full_ms);
  return {{"prefix_cache", prefix_cache},
          {"prompt_tokens", prompt_tokens},
          {"reps", reps},
          {"generate_enum_jump_forward_ms_median", gen},
          {"generate_completion_tokens_median", Median(gen_tokens)},
          {"score_restricted_ms_median", res},
          {"score_restricted_branch_tokens", branch_restricted},
          {"score_restricted_passes_median", Median(passes)},
          {"score_full_ms_median", full},
          {"score_full_branch_tokens", branch_full},
          {"ratio_restricted_to_generate", res / gen},
          {"ratio_full_to_generate", full / gen}};
}

std::string RandomInput(std::mt19937& rng) {
  static const char* kWords[] = {"Order", "AB-", "refund", "Zürich", "naïve", "€", "invoice", "\"quoted\"",
                                 "Jane", "Roe", "12", "ticket", "日本", "ß", "card", "late", "\n", "🙂"};
  std::uniform_int_distribution<int> n(3, 12), w(0, 17), d(0, 9999);
  std::string s;
  for (int i = n(rng); i > 0; --i) {
    s += kWords[w(rng)];
    if (d(rng) % 3 == 0) s += std::to_string(d(rng));
    s += ' ';
  }
  return s;
}

nlohmann::json EvidenceBench(std::shared_ptr<Model> model, int threads, int cases) {
  SchedulerOptions so;
  so.context = 4096;
  so.parallel = 8;
  so.threads = threads;
  auto sched = Scheduler::Create(model, so);
  if (!sched.ok()) std::exit(1);
  auto file = tasks::ParseTaskFile(R"(- name: evidence
  kind: extract
  instructions: Extract the order id, the customer name and up to two keywords.
  schema:
    type: object
    properties:
      order_id: {type: string, x-kolibri-evidence: true, maxLength: 12}
      customer: {type: [string, "null"], x-kolibri-evidence: true, maxLength: 12}
      keywords: {type: array, items: {type: string, x-kolibri-evidence: true, maxLength: 8}, maxItems: 2}
    required: [order_id, customer, keywords]
    additionalProperties: false
  max_attempts: 1
  max_tokens: 72
  temperature: 1.2
)",
                                   "bench", "");
  if (!file.ok()) std::exit(1);
  tasks::TaskRunner runner(**sched);
  std::atomic<int> next{0}, strings{0}, nonempty{0}, absent{0}, errors{0}, valid{0};
  std::mutex mu;
  std::vector<std::string> invalid_reasons;  // why records were invalid (not evidence: counted apart)
  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < 8; ++t) {
    pool.emplace_back([&, t] {
      std::mt19937 rng(static_cast<uint32_t>(77 + t));
      for (int i = next++; i < cases; i = next++) {
        const std::string input = RandomInput(rng);
        tasks::RunOptions run;
        run.seed = static_cast<uint32_t>(i);
        auto r = runner.Extract(file->tasks[0], input, run);
        if (!r.ok()) {
          if (errors++ == 0) std::fprintf(stderr, "extract: %s\n", r.status().ToString().c_str());
          continue;
        }
        valid += r->valid ? 1 : 0;
        if (!r->valid) {
          std::lock_guard<std::mutex> lock(mu);
          for (const auto& e : r->validation_errors) invalid_reasons.push_back(e);
        }
        if (!r->record.is_object()) continue;
        auto check = [&](const nlohmann::ordered_json& v) {
          if (!v.is_string()) return;
          strings++;
          if (!v.get<std::string>().empty()) nonempty++;
          if (input.find(v.get<std::string>()) == std::string::npos) absent++;
        };
        check(r->record["order_id"]);
        check(r->record["customer"]);
        for (const auto& k : r->record["keywords"]) check(k);
      }
    });
  }
  for (auto& th : pool) th.join();
  return {{"cases", cases},          {"valid_records", valid.load()}, {"errors", errors.load()},
          {"evidence_strings", strings.load()}, {"nonempty_evidence_strings", nonempty.load()},
          {"absent_from_input", absent.load()}, {"invalid_reasons", invalid_reasons}, {"wall_s", Ms(t0) / 1000}};
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, out = "bench/results/tasks.json";
  int threads = 1, reps = 15, evidence = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--model") model_path = argv[i + 1];
    else if (a == "--out") out = argv[i + 1];
    else if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (a == "--reps") reps = std::atoi(argv[i + 1]);
    else if (a == "--evidence") evidence = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (model_path.empty()) {
    std::fprintf(stderr, "usage: bench_tasks --model M.gguf [--out F] [--threads N] [--reps N] [--evidence N]\n");
    return 2;
  }
  auto model = Model::Load(model_path, ModelOptions{});
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  nlohmann::json result;
  result["model"] = model_path;
  result["threads"] = threads;
  result["labels"] = kLabels.size();
  result["label_scoring"] = nlohmann::json::array();
  for (bool cache : {true, false}) {
    if (reps <= 0) break;
    auto r = LatencyBench(*model, threads, reps, cache);
    std::fprintf(stderr, "%s\n", r.dump().c_str());
    result["label_scoring"].push_back(r);
  }
  if (evidence > 0) {
    result["evidence"] = EvidenceBench(*model, threads, evidence);
    std::fprintf(stderr, "%s\n", result["evidence"].dump().c_str());
  }
  std::ofstream(out) << result.dump(2) << "\n";
  return 0;
}
