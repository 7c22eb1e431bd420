// bench_grammar: compile time, mask time and keyword coverage of the grammar module over
// ../shared/data/jsonschemabench at the Qwen2 vocabulary, one thread.
//
//   bench_grammar --out results/grammar.json [--per-subset 200] [--max-tokens 200] [--seed 1]
//
// For every schema of the six subsets: convert (coverage, keyword report). For a sample of
// --per-subset schemas per subset: compile (timed), then a random walk of allowed tokens
// with a token budget of --max-tokens (budget mode finishes the value), timing every mask.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "grammar/test_vocab.h"
#include "kolibri/grammar/constraints.h"
#include "kolibri/grammar/grammar_matcher.h"
#include "kolibri/grammar/json_schema_converter.h"

namespace kg = kolibri::grammar;
using Clock = std::chrono::steady_clock;

namespace {

double Us(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

nlohmann::json Stats(const std::vector<double>& v) {
  return {{"count", v.size()}, {"mean_us", Mean(v)}, {"p50_us", Percentile(v, 0.5)},
          {"p99_us", Percentile(v, 0.99)}, {"max_us", v.empty() ? 0 : *std::max_element(v.begin(), v.end())}};
}

std::string SharedDir() {
  if (const char* env = std::getenv("KOLIBRI_SHARED_DIR")) return env;
  return std::string(KOLIBRI_SOURCE_DIR) + "/../shared";
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_path = "grammar_bench.json";
  int per_subset = 200, max_tokens = 200;
  unsigned seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--out") out_path = argv[i + 1];
    else if (a == "--per-subset") per_subset = std::atoi(argv[i + 1]);
    else if (a == "--max-tokens") max_tokens = std::atoi(argv[i + 1]);
    else if (a == "--seed") seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
  }
  auto t0 = Clock::now();
  auto vocab = kg::testing::Qwen2Vocabulary();
  if (vocab == nullptr) {
    std::fprintf(stderr, "bench_grammar: ggml-vocab-qwen2.gguf not found (set KOLIBRI_LLAMA_SOURCE_DIR)\n");
    return 2;
  }
  const double vocab_ms = Us(Clock::now() - t0) / 1000;
  t0 = Clock::now();
  kg::PrecomputeJsonMasks(vocab);
  const double warm_ms = Us(Clock::now() - t0) / 1000;
  std::printf("vocabulary: %zu tokens, index %.0f ms, JSON mask precompute %.0f ms\n", vocab->vocabulary().size(),
              vocab_ms, warm_ms);

  const std::string data = SharedDir() + "/data/jsonschemabench";
  const std::vector<std::string> subsets = {"Github_trivial", "Github_easy", "Github_medium",
                                            "Glaiveai2K", "Snowplow", "Kubernetes"};
  nlohmann::json result;
  result["vocabulary"] = {{"name", "qwen2"}, {"tokens", vocab->vocabulary().size()},
                          {"index_ms", vocab_ms}, {"json_precompute_ms", warm_ms}};
  result["settings"] = {{"per_subset", per_subset}, {"max_tokens", max_tokens}, {"seed", seed}, {"threads", 1}};
  std::vector<double> all_masks, all_budget, all_compiles;
  std::vector<uint32_t> mask(vocab->mask_words());
  std::vector<int32_t> allowed;
  const int32_t eos = vocab->vocabulary().stop_ids.empty() ? -1 : vocab->vocabulary().stop_ids[0];
  std::mt19937 rng(seed);
  int total_incomplete = 0;
  for (const std::string& subset : subsets) {
    std::ifstream in(data + "/" + subset + ".jsonl");
    if (!in) {
      std::fprintf(stderr, "bench_grammar: %s/%s.jsonl not found\n", data.c_str(), subset.c_str());
      return 2;
    }
    std::vector<nlohmann::ordered_json> schemas;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) schemas.push_back(nlohmann::ordered_json::parse(line)["schema"]);
    }
    size_t accepted = 0;
    std::map<std::string, int> rejected_by;
    std::map<std::string, size_t> handling;
    std::vector<size_t> ok_index;
    for (size_t i = 0; i < schemas.size(); ++i) {
      auto sg = kg::JsonSchemaValueToGrammar(schemas[i]);
      if (!sg.ok()) {
        std::string why = std::string(kolibri::ErrorCodeName(sg.status().code()));
        const std::string& m = sg.status().message();
        auto q = m.find("schema keyword '");
        if (q != std::string::npos) why += ":" + m.substr(q + 16, m.find('\'', q + 16) - q - 16);
        rejected_by[why]++;
        continue;
      }
      auto cg = kg::CompileGrammar(sg->grammar, vocab);
      if (!cg.ok()) {
        rejected_by[std::string(kolibri::ErrorCodeName(cg.status().code())) + ":compile"]++;
        continue;
      }
      ++accepted;
      ok_index.push_back(i);
      for (const auto& e : sg->report.entries) handling[std::string(kg::KeywordHandlingName(e.handling))]++;
    }
    std::shuffle(ok_index.begin(), ok_index.end(), rng);
    if (static_cast<int>(ok_index.size()) > per_subset) ok_index.resize(per_subset);
    std::vector<double> masks, budget_masks, compiles;
    int incomplete = 0;
    for (size_t i : ok_index) {
      auto c0 = Clock::now();
      auto sg = kg::JsonSchemaValueToGrammar(schemas[i]);
      auto cg = kg::CompileGrammar(sg->grammar, vocab);
      compiles.push_back(Us(Clock::now() - c0));
      kg::GrammarMatcher m(*cg);
      bool done = false;
      for (int step = 0; step < max_tokens && !done; ++step) {
        kg::MaskOptions mo;
        mo.remaining_tokens = max_tokens - step;
        const bool budget = mo.remaining_tokens <= m.MinBytesToComplete() + mo.budget_window;
        auto m0 = Clock::now();
        m.FillNextTokenBitmask(mask.data(), mo);
        (budget ? budget_masks : masks).push_back(Us(Clock::now() - m0));
        allowed.clear();
        for (size_t w = 0; w < mask.size(); ++w) {
          for (uint32_t bits = mask[w]; bits != 0; bits &= bits - 1) {
            allowed.push_back(static_cast<int32_t>(w * 32 + __builtin_ctz(bits)));
          }
        }
        if (allowed.empty()) break;
        const bool can_end = eos >= 0 && ((mask[eos >> 5] >> (eos & 31)) & 1);
        int32_t t = can_end && (rng() % 4 != 0) ? eos : allowed[rng() % allowed.size()];
        if (!m.AcceptToken(t)) {
          std::fprintf(stderr, "bench_grammar: mask/accept mismatch in %s schema %zu token %d\n", subset.c_str(), i, t);
          return 1;
        }
        done = m.IsTerminated();
      }
      if (!done && !m.CanEnd()) ++incomplete;  // out of budget yet not complete
    }
    total_incomplete += incomplete;
    all_masks.insert(all_masks.end(), masks.begin(), masks.end());
    all_budget.insert(all_budget.end(), budget_masks.begin(), budget_masks.end());
    all_compiles.insert(all_compiles.end(), compiles.begin(), compiles.end());
    size_t kw_total = 0;
    for (auto& [k, n] : handling) kw_total += n;
    nlohmann::json sub = {
        {"schemas", schemas.size()}, {"accepted", accepted},
        {"coverage", schemas.empty() ? 0.0 : double(accepted) / schemas.size()},
        {"rejected_by", rejected_by}, {"keyword_handling", handling},
        {"enforced_share", kw_total ? double(handling["enforced"]) / kw_total : 0.0},
        {"post_checked_share", kw_total ? double(handling["post_checked"]) / kw_total : 0.0},
        {"walked", ok_index.size()}, {"walks_not_finished", incomplete},
        {"mask", Stats(masks)}, {"budget_mask", Stats(budget_masks)},
        {"compile", {{"median_us", Percentile(compiles, 0.5)}, {"p99_us", Percentile(compiles, 0.99)},
                     {"max_us", compiles.empty() ? 0 : *std::max_element(compiles.begin(), compiles.end())}}}};
    result["subsets"][subset] = sub;
    std::printf("%-15s coverage %4zu/%4zu  mask mean %6.1f p50 %6.1f p99 %7.1f us  compile median %7.1f p99 %8.1f us\n",
                subset.c_str(), accepted, schemas.size(), Mean(masks), Percentile(masks, 0.5), Percentile(masks, 0.99),
                Percentile(compiles, 0.5), Percentile(compiles, 0.99));
    std::fflush(stdout);
  }
  result["overall"] = {{"mask", Stats(all_masks)}, {"budget_mask", Stats(all_budget)},
                       {"compile", {{"median_us", Percentile(all_compiles, 0.5)},
                                    {"p99_us", Percentile(all_compiles, 0.99)}}},
                       {"walks_not_finished", total_incomplete}};
  std::printf("budget-mode masks: mean %.1f p99 %.1f us (%zu)\n", Mean(all_budget), Percentile(all_budget, 0.99),
              all_budget.size());
  std::printf("overall: mask mean %.1f p50 %.1f p99 %.1f us (%zu masks); compile median %.1f p99 %.1f us\n",
              Mean(all_masks), Percentile(all_masks, 0.5), Percentile(all_masks, 0.99), all_masks.size(),
              Percentile(all_compiles, 0.5), Percentile(all_compiles, 0.99));
  if (auto parent = std::filesystem::path(out_path).parent_path(); !parent.empty()) {
    std::filesystem::create_directories(parent);
  }
  std::ofstream(out_path) << result.dump(2) << "\n";
  return 0;
}
