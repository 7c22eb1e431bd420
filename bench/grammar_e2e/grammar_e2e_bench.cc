// bench_grammar_e2e --model M.gguf --out bench/results/grammar_e2e.json [--threads 2]
//     [--max-tokens 128] [--reps 5] [--schema FILE]... [--bench-schemas 4]
//
// End-to-end decoding cost of structured generation on one model, same prompt, threads,
// sampling (temperature 1, top-k 40, top-p 0.95, min-p 0.05) and max_tokens everywhere:
//   kolibri_free      Kolibri's Scheduler, no constraint (ignore_eos: always max_tokens)
//   kolibri_schema    the schema's compiled grammar, jump-forward off (every token decoded)
//   kolibri_schema_jf the same with jump-forward (forced tokens appended in one batch)
//   llama_free        llama.cpp's own loop (common_sampler, as llama-server), no constraint
//   llama_schema      the same with the GBNF from llama.cpp's json_schema_to_grammar
// Figure: ms per output token after the first (decode + sampling + masks; forced tokens
// count as output). Each schema is compared with free decoding over the same number of
// steps (free runs are as long as the longest schema's and are timed token by token). Repetitions are interleaved (rep 1 of every mode, then rep 2, ...) so
// load drift on a shared machine hits all modes alike; medians are reported.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/grammar/json_schema_converter.h"
#include "kolibri/model.h"
#include "kolibri/scheduler.h"
#include "llama_grammar_loop.h"

namespace {

namespace kg = kolibri::grammar;
using Clock = std::chrono::steady_clock;

constexpr const char* kPrompt =
    "<|im_start|>system\nYou turn support e-mails into JSON that matches the given schema.<|im_end|>\n"
    "<|im_start|>user\nHello, my order 12345 arrived broken and I would like a refund. The parcel was "
    "delivered on Monday. Regards, Jane Doe<|im_end|>\n<|im_start|>assistant\n";

struct Schema {
  std::string name;
  std::string json;
  std::shared_ptr<const kg::CompiledGrammar> grammar;
  std::string gbnf;
  int32_t max_tokens = 0;  // max(--max-tokens, shortest output + 64): the scheduler needs room
};

struct Sample {
  double ms_per_token = 0;
  int32_t steps = 0;  // steps after the first token that ms_per_token averages over
  std::vector<double> at_ms;  // free runs: time of each token since the first one
  int32_t tokens = 0;
  int32_t forced = 0;
  double mask_us = 0;
  bool complete = false;
};

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string SharedDir() {
  if (const char* env = std::getenv("KOLIBRI_SHARED_DIR")) return env;
  return std::string(KOLIBRI_SOURCE_DIR) + "/../shared";
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Kolibri side: one request through the scheduler, timed from its first token event.
Sample RunKolibri(kolibri::Scheduler& s, const std::vector<int32_t>& prompt, const Schema* schema, bool jump_forward,
                  int32_t max_tokens, uint32_t seed) {
  kolibri::CompletionRequest req;
  req.prompt = prompt;
  req.max_tokens = max_tokens;
  req.sampling.temperature = 1.0f;
  req.sampling.seed = seed;
  req.jump_forward = jump_forward;
  if (schema != nullptr) req.grammar = schema->grammar; else req.ignore_eos = true;
  std::promise<kolibri::CompletionResult> done;
  Clock::time_point first{};
  bool seen = false;
  std::vector<double> at_ms;
  auto h = s.Submit(std::move(req), [&](const kolibri::TokenEvent&) {
        const auto now = Clock::now();
        if (!seen) first = now;
        seen = true;
        at_ms.push_back(std::chrono::duration<double, std::milli>(now - first).count());
      },
      [&](const kolibri::CompletionResult& r) { done.set_value(r); });
  if (!h.ok()) {
    std::fprintf(stderr, "submit failed: %s\n", h.status().ToString().c_str());
    std::exit(1);
  }
  const kolibri::CompletionResult r = done.get_future().get();
  const auto end = Clock::now();
  Sample out;
  out.tokens = r.completion_tokens;
  out.forced = r.forced_tokens;
  out.complete = r.grammar_complete;
  out.mask_us = r.masks > 0 ? r.mask_ms * 1000.0 / static_cast<double>(r.masks) : 0;
  // Steps after the first token: each remaining token, plus the stop token's step when the
  // output ended on one (as in the llama.cpp loop's count of sampling steps).
  const int32_t steps = r.completion_tokens - 1 + (r.finish == kolibri::FinishReason::kStop ? 1 : 0);
  out.ms_per_token = steps > 0 ? std::chrono::duration<double, std::milli>(end - first).count() / steps : 0;
  out.steps = steps;
  if (schema == nullptr) out.at_ms = std::move(at_ms);  // one event per token without jump-forward
  return out;
}

Sample RunLlama(kolibri::bench::LlamaGrammarLoop& loop, const std::vector<int32_t>& prompt, const Schema* schema,
                int32_t max_tokens, uint32_t seed) {
  kolibri::bench::LoopSampling sampling;
  sampling.seed = seed;
  auto r = loop.Run(prompt, schema != nullptr ? schema->gbnf : "", max_tokens, sampling, schema == nullptr);
  if (!r.ok) {
    std::fprintf(stderr, "llama.cpp loop failed: %s\n", r.error.c_str());
    std::exit(1);
  }
  Sample out;
  out.tokens = r.tokens;
  out.complete = r.stopped;
  out.ms_per_token = r.samples > 1 ? r.after_first_ms / (r.samples - 1) : 0;
  out.steps = r.samples - 1;
  out.at_ms = r.sample_at_ms;
  return out;
}

// Picks up to `count` schemas from jsonschemabench subsets that both converters accept.
std::vector<std::pair<std::string, std::string>> BenchSchemas(int count) {
  std::vector<std::pair<std::string, std::string>> out;
  const char* subsets[] = {"Glaiveai2K", "Github_easy", "Kubernetes", "Snowplow", "Github_medium"};
  for (int i = 0; i < count; ++i) {
    const std::string subset = subsets[i % 5];
    std::ifstream f(SharedDir() + "/data/jsonschemabench/" + subset + ".jsonl");
    if (!f) continue;
    std::string line;
    int index = 0, skip = i / 5;
    while (std::getline(f, line)) {
      if (index++ % 37 != 0) continue;
      nlohmann::ordered_json row = nlohmann::ordered_json::parse(line, nullptr, false);
      if (row.is_discarded() || !row.contains("schema")) continue;
      const std::string schema = row["schema"].dump();
      std::string error;
      if (schema.size() > 4000 || kolibri::bench::LlamaGrammarLoop::SchemaToGbnf(schema, &error).empty()) continue;
      if (!kg::JsonSchemaToGrammar(schema).ok()) continue;
      if (skip-- > 0) continue;
      out.emplace_back(row.value("id", subset), schema);
      break;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, out_path = "bench/results/grammar_e2e.json";
  int32_t threads = 2, max_tokens = 128, reps = 5, bench_schemas = 4;
  std::vector<std::string> schema_files;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--model") model_path = argv[i + 1];
    else if (a == "--out") out_path = argv[i + 1];
    else if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (a == "--max-tokens") max_tokens = std::atoi(argv[i + 1]);
    else if (a == "--reps") reps = std::atoi(argv[i + 1]);
    else if (a == "--schema") schema_files.push_back(argv[i + 1]);
    else if (a == "--bench-schemas") bench_schemas = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (model_path.empty()) {
    std::fprintf(stderr, "--model is required (kolibri make-test-model --shape qwen2.5-0.5b --type q4_k_m ...)\n");
    return 2;
  }
  if (schema_files.empty()) schema_files.push_back(std::string(KOLIBRI_SOURCE_DIR) + "/examples/support-mail/ticket.schema.json");
  auto model = kolibri::Model::Load(model_path, kolibri::ModelOptions{});
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  kolibri::SchedulerOptions so;
  so.parallel = 1;
  so.threads = threads;
  so.context = 2048;
  so.prefix_cache = false;  // every run prefills the same prompt, as the llama.cpp loop does
  auto sched = kolibri::Scheduler::Create(*model, so);
  if (!sched.ok()) {
    std::fprintf(stderr, "%s\n", sched.status().ToString().c_str());
    return 1;
  }
  std::string error;
  auto loop = kolibri::bench::LlamaGrammarLoop::Create((*model)->raw(), 2048, threads, &error);
  if (loop == nullptr) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  auto prompt = (*model)->Tokenize(kPrompt, kolibri::TokenizeOptions{});
  if (!prompt.ok()) return 1;

  std::vector<std::pair<std::string, std::string>> sources;
  for (const auto& f : schema_files) sources.emplace_back(f.substr(f.find_last_of('/') + 1), ReadFile(f));
  for (auto& s : BenchSchemas(bench_schemas)) sources.push_back(std::move(s));
  if (sources.size() == schema_files.size() && bench_schemas > 0) {
    std::fprintf(stderr, "note: no jsonschemabench schemas (shared data not found); using --schema files only\n");
  }
  std::vector<Schema> schemas;
  for (auto& [name, json] : sources) {
    Schema s{name, json, nullptr, "", 0};
    auto sg = kg::JsonSchemaToGrammar(json);
    if (!sg.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), sg.status().ToString().c_str());
      return 1;
    }
    auto cg = kg::CompileGrammar(sg->grammar, (*model)->GrammarVocabulary());
    if (!cg.ok()) return 1;
    s.grammar = *cg;
    s.max_tokens = std::max(max_tokens, s.grammar->MinBytesFromStart() + 64);
    s.gbnf = kolibri::bench::LlamaGrammarLoop::SchemaToGbnf(json, &error);
    if (s.gbnf.empty()) {
      std::fprintf(stderr, "%s: llama.cpp json_schema_to_grammar: %s\n", name.c_str(), error.c_str());
      return 1;
    }
    schemas.push_back(std::move(s));
  }

  // samples[mode][schema or "-"] over repetitions.
  std::map<std::string, std::map<std::string, std::vector<Sample>>> samples;
  // Warm-up: page the weights in, build the vocabulary's shared JSON masks once.
  RunKolibri(**sched, *prompt, nullptr, true, 8, 7);
  RunLlama(*loop, *prompt, nullptr, 8, 7);
  for (const Schema& s : schemas) RunKolibri(**sched, *prompt, &s, true, s.max_tokens, 7);
  // Free runs are as long as the longest constrained one: a schema's cost is compared with
  // free decoding over the same number of steps (attention cost grows with the context).
  int32_t free_tokens = max_tokens;
  for (const Schema& s : schemas) free_tokens = std::max(free_tokens, s.max_tokens + 1);
  for (int rep = 0; rep < reps; ++rep) {
    const uint32_t seed = 1000 + static_cast<uint32_t>(rep);
    samples["kolibri_free"]["-"].push_back(RunKolibri(**sched, *prompt, nullptr, true, free_tokens, seed));
    samples["llama_free"]["-"].push_back(RunLlama(*loop, *prompt, nullptr, free_tokens, seed));
    for (const Schema& s : schemas) {
      samples["kolibri_schema"][s.name].push_back(RunKolibri(**sched, *prompt, &s, false, s.max_tokens, seed));
      samples["kolibri_schema_jf"][s.name].push_back(RunKolibri(**sched, *prompt, &s, true, s.max_tokens, seed));
      samples["llama_schema"][s.name].push_back(RunLlama(*loop, *prompt, &s, s.max_tokens, seed));
    }
    std::fprintf(stderr, "rep %d/%d done\n", rep + 1, reps);
  }

  auto median_of = [&](const std::string& mode, const std::string& key, auto field) {
    std::vector<double> v;
    for (const Sample& x : samples[mode][key]) v.push_back(field(x));
    return Median(v);
  };
  auto ms = [](const Sample& x) { return x.ms_per_token; };
  // Free ms per token over the first `steps` steps after the first token.
  auto free_over = [&](const std::string& mode, double steps) {
    std::vector<double> v;
    for (const Sample& x : samples[mode]["-"]) {
      if (x.at_ms.size() < 2) continue;
      const size_t n = std::min(x.at_ms.size() - 1, static_cast<size_t>(std::max(1.0, steps)));
      v.push_back(x.at_ms[n] / static_cast<double>(n));
    }
    return Median(v);
  };
  auto steps_of = [](const Sample& x) { return static_cast<double>(x.steps); };
  const double kolibri_free_128 = free_over("kolibri_free", max_tokens - 1);
  const double llama_free_128 = free_over("llama_free", max_tokens - 1);
  nlohmann::ordered_json per_schema = nlohmann::ordered_json::array();
  std::vector<double> r_speed, r_speed_jf, r_vs_llama, r_vs_llama_jf, r_llama;
  for (const Schema& s : schemas) {
    const double k = median_of("kolibri_schema", s.name, ms);
    const double kjf = median_of("kolibri_schema_jf", s.name, ms);
    const double l = median_of("llama_schema", s.name, ms);
    const double kolibri_free = free_over("kolibri_free", median_of("kolibri_schema", s.name, steps_of));
    const double kolibri_free_jf = free_over("kolibri_free", median_of("kolibri_schema_jf", s.name, steps_of));
    const double llama_free = free_over("llama_free", median_of("llama_schema", s.name, steps_of));
    r_speed.push_back(kolibri_free / k);
    r_speed_jf.push_back(kolibri_free_jf / kjf);
    r_llama.push_back(llama_free / l);
    r_vs_llama.push_back(l / k);
    r_vs_llama_jf.push_back(l / kjf);
    per_schema.push_back(
        {{"schema", s.name},
         {"max_tokens", s.max_tokens},
         {"kolibri_free_ms_per_token", kolibri_free},
         {"llama_free_ms_per_token", llama_free},
         {"kolibri_ms_per_token", k},
         {"kolibri_jf_ms_per_token", kjf},
         {"llama_ms_per_token", l},
         {"kolibri_speed_vs_free", kolibri_free / k},
         {"kolibri_jf_speed_vs_free", kolibri_free_jf / kjf},
         {"llama_speed_vs_free", llama_free / l},
         {"kolibri_speed_vs_llama_grammar", l / k},
         {"kolibri_jf_speed_vs_llama_grammar", l / kjf},
         {"kolibri_tokens", median_of("kolibri_schema", s.name, [](const Sample& x) { return x.tokens; })},
         {"kolibri_jf_tokens", median_of("kolibri_schema_jf", s.name, [](const Sample& x) { return x.tokens; })},
         {"kolibri_jf_forced_tokens", median_of("kolibri_schema_jf", s.name, [](const Sample& x) { return x.forced; })},
         {"kolibri_mask_us", median_of("kolibri_schema", s.name, [](const Sample& x) { return x.mask_us; })},
         {"kolibri_complete", median_of("kolibri_schema", s.name, [](const Sample& x) { return x.complete ? 1 : 0; })},
         {"llama_tokens", median_of("llama_schema", s.name, [](const Sample& x) { return x.tokens; })},
         {"llama_stopped_share",
          [&] {
            double n = 0;
            for (const Sample& x : samples["llama_schema"][s.name]) n += x.complete ? 1 : 0;
            return n / reps;
          }()},
         {"kolibri_ms_per_token_reps", [&] {
            std::vector<double> v;
            for (const Sample& x : samples["kolibri_schema"][s.name]) v.push_back(x.ms_per_token);
            return v;
          }()}});
  }
  nlohmann::ordered_json result = {
      {"settings",
       {{"model", model_path},
        {"threads", threads},
        {"max_tokens", max_tokens},
        {"free_tokens", free_tokens},
        {"reps", reps},
        {"prompt_tokens", prompt->size()},
        {"sampling", "temperature 1, top-k 40, top-p 0.95, min-p 0.05"},
        {"note", "medians over interleaved repetitions in one run; shared 2-core machine"}}},
      {"kolibri_free_ms_per_token_at_max_tokens", kolibri_free_128},
      {"llama_free_ms_per_token_at_max_tokens", llama_free_128},
      {"median_over_schemas",
       {{"kolibri_speed_vs_free", Median(r_speed)},
        {"kolibri_jf_speed_vs_free", Median(r_speed_jf)},
        {"llama_speed_vs_free", Median(r_llama)},
        {"kolibri_speed_vs_llama_grammar", Median(r_vs_llama)},
        {"kolibri_jf_speed_vs_llama_grammar", Median(r_vs_llama_jf)}}},
      {"targets",
       {{"constrained_at_least_0_95x_free", Median(r_speed) >= 0.95},
        {"jump_forward_faster_than_free", Median(r_speed_jf) > 1.0}}},
      {"schemas", per_schema}};
  std::ofstream(out_path) << result.dump(1) << "\n";
  std::printf("free over %d tokens: kolibri %.2f ms/token, llama.cpp %.2f ms/token\n", max_tokens, kolibri_free_128,
              llama_free_128);
  for (const auto& p : per_schema) {
    std::printf("%-40s free %.2f; kolibri %.2f (jf %.2f, forced %.0f/%.0f) llama %.2f ms/token; kolibri %.2fx free, llama %.2fx free\n",
                p["schema"].get<std::string>().substr(0, 40).c_str(), p["kolibri_free_ms_per_token"].get<double>(),
                p["kolibri_ms_per_token"].get<double>(),
                p["kolibri_jf_ms_per_token"].get<double>(), p["kolibri_jf_forced_tokens"].get<double>(),
                p["kolibri_jf_tokens"].get<double>(), p["llama_ms_per_token"].get<double>(),
                p["kolibri_speed_vs_free"].get<double>(), p["llama_speed_vs_free"].get<double>());
  }
  std::printf("wrote %s\n", out_path.c_str());
  return 0;
}
