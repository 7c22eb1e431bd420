// bench_scheduler --model M.gguf --out results.json [--threads N] [--tokens N]
//
// Measures the scheduler on one model:
//  1. aggregate decode tokens/s with 1, 4 and 8 concurrent sequences that share nothing,
//     for a unified KV cache (what the prefix cache needs) and per-sequence KV streams —
//     the price of kv_unified for unrelated sequences;
//  2. prefix reuse: three ~750-token system prompts interleaved, short user parts —
//     prompt tokens computed per request and requests/s, with and without the cache;
//  3. memory: RSS after 50 and after 500 sequential requests (no KV or memory leak).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "kolibri/scheduler.h"

namespace {

using kolibri::CompletionRequest;
using kolibri::CompletionResult;
using kolibri::Scheduler;
using kolibri::SchedulerOptions;
using Clock = std::chrono::steady_clock;

long RssKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Runs all requests with at most `concurrency` in flight; returns results and wall seconds.
std::pair<std::vector<CompletionResult>, double> RunAll(Scheduler& s, std::vector<CompletionRequest> reqs,
                                                        int concurrency) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<CompletionResult> results(reqs.size());
  size_t next = 0, done = 0;
  int in_flight = 0;
  auto t0 = Clock::now();
  std::unique_lock<std::mutex> lock(mu);
  while (done < reqs.size()) {
    while (in_flight < concurrency && next < reqs.size()) {
      size_t i = next++;
      ++in_flight;
      lock.unlock();
      auto h = s.Submit(reqs[i], nullptr, [&, i](const CompletionResult& r) {
        std::lock_guard<std::mutex> l(mu);
        results[i] = r;
        ++done;
        --in_flight;
        cv.notify_all();
      });
      lock.lock();
      if (!h.ok()) {
        std::fprintf(stderr, "submit failed: %s\n", h.status().ToString().c_str());
        std::exit(1);
      }
    }
    cv.wait(lock);
  }
  return {results, std::chrono::duration<double>(Clock::now() - t0).count()};
}

std::vector<int32_t> Tok(const kolibri::Model& m, const std::string& text) {
  auto t = m.Tokenize(text, kolibri::TokenizeOptions{});
  if (!t.ok()) std::exit(1);
  return *t;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, out_path = "scheduler_bench.json";
  int threads = 0, tokens = 48;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--model") model_path = argv[i + 1];
    else if (a == "--out") out_path = argv[i + 1];
    else if (a == "--threads") threads = std::stoi(argv[i + 1]);
    else if (a == "--tokens") tokens = std::stoi(argv[i + 1]);
  }
  if (model_path.empty()) {
    std::fprintf(stderr, "usage: bench_scheduler --model M.gguf [--out F.json] [--threads N] [--tokens N]\n");
    return 2;
  }
  auto model = kolibri::Model::Load(model_path, {});
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  nlohmann::json out = {{"model", model_path}, {"threads", threads}, {"tokens_per_request", tokens}};

  // 1. Unrelated sequences: unified vs per-sequence KV.
  nlohmann::json decode = nlohmann::json::array();
  for (bool unified : {true, false}) {
    for (int par : {1, 4, 8}) {
      SchedulerOptions o{.context = 4096, .parallel = par, .threads = threads};
      o.kv_unified = unified;
      o.prefix_cache = unified;
      auto s = Scheduler::Create(*model, o);
      if (!s.ok()) return 1;
      std::vector<CompletionRequest> reqs;
      for (int i = 0; i < par * 2; ++i) {
        CompletionRequest r;
        r.prompt = Tok(**model, "Unrelated request " + std::to_string(i * 7919) + " about topic " + std::to_string(i));
        r.max_tokens = tokens;
        r.ignore_eos = true;
        r.sampling.temperature = 0;
        reqs.push_back(r);
      }
      auto [res, secs] = RunAll(**s, reqs, par);
      long gen = 0;
      for (const auto& r : res) gen += r.completion_tokens;
      decode.push_back({{"kv_unified", unified}, {"concurrency", par}, {"generated_tokens", gen},
                        {"seconds", secs}, {"tokens_per_second", gen / secs}});
      std::fprintf(stderr, "decode unified=%d par=%d: %.1f tok/s\n", unified, par, gen / secs);
    }
  }
  out["decode"] = decode;

  // 2. Prefix reuse with three interleaved system prompts.
  std::vector<std::string> systems;
  for (int t = 0; t < 3; ++t) {
    std::string sys = "System prompt of task " + std::to_string(t) + ". ";
    for (int k = 0; k < 75; ++k) sys += "Rule " + std::to_string(k) + " of task " + std::to_string(t) + " says what to do. ";
    systems.push_back(sys);
  }
  nlohmann::json reuse = nlohmann::json::array();
  for (bool cache : {true, false}) {
    SchedulerOptions o{.context = 8192, .parallel = 4, .threads = threads};
    o.prefix_cache = cache;
    auto s = Scheduler::Create(*model, o);
    if (!s.ok()) return 1;
    std::vector<CompletionRequest> reqs;
    for (int i = 0; i < 24; ++i) {
      CompletionRequest r;
      r.prompt = Tok(**model, systems[static_cast<size_t>((i * 7) % 3)] + "User message " + std::to_string(i) + ": please help with my order.");
      r.max_tokens = 12;
      r.ignore_eos = true;
      r.sampling.temperature = 0;
      reqs.push_back(r);
    }
    auto [res, secs] = RunAll(**s, reqs, 4);
    double computed = 0, prompt = 0;
    std::vector<double> ttft;
    for (const auto& r : res) {
      computed += r.prompt_tokens - r.cached_prompt_tokens;
      prompt += r.prompt_tokens;
      ttft.push_back(r.time_to_first_token_ms);
    }
    reuse.push_back({{"prefix_cache", cache}, {"requests", res.size()}, {"requests_per_second", res.size() / secs},
                     {"prompt_tokens_per_request", prompt / res.size()},
                     {"computed_prompt_tokens_per_request", computed / res.size()},
                     {"ttft_ms_median", Median(ttft)}});
    std::fprintf(stderr, "reuse cache=%d: %.2f req/s, computed %.0f of %.0f prompt tokens/request\n", cache,
                 res.size() / secs, computed / res.size(), prompt / res.size());
  }
  out["prefix_reuse"] = reuse;

  // 3. Memory across 500 sequential requests.
  {
    auto s = Scheduler::Create(*model, SchedulerOptions{.context = 4096, .parallel = 4, .threads = threads});
    if (!s.ok()) return 1;
    std::vector<CompletionRequest> reqs;
    for (int i = 0; i < 500; ++i) {
      CompletionRequest r;
      r.prompt = Tok(**model, systems[static_cast<size_t>(i % 3)].substr(0, 200) + " request " + std::to_string(i));
      r.max_tokens = 4;
      r.ignore_eos = true;
      reqs.push_back(r);
    }
    std::vector<CompletionRequest> warm(reqs.begin(), reqs.begin() + 50);
    RunAll(**s, warm, 1);
    long rss_50 = RssKiB();
    std::vector<CompletionRequest> rest(reqs.begin() + 50, reqs.end());
    RunAll(**s, rest, 1);
    long rss_500 = RssKiB();
    auto st = (*s)->Stats();
    out["memory"] = {{"rss_kib_after_50", rss_50}, {"rss_kib_after_500", rss_500},
                     {"growth_kib", rss_500 - rss_50}, {"kv_used_after", st.kv_used},
                     {"kv_total", st.kv_total}, {"requests_done", st.requests_done}};
    std::fprintf(stderr, "memory: RSS %ld KiB after 50, %ld KiB after 500 requests\n", rss_50, rss_500);
  }
  std::ofstream(out_path) << out.dump(2) << "\n";
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
