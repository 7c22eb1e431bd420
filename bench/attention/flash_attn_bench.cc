// bench_flash_attn --model M.gguf [--threads 2] [--reps 5] [--out bench/results/flash_attn.json]
//
// The cost of one llama_decode call with llama.cpp's flash-attention kernel on and off
// (the scheduler's flash_attn setting; auto = llama.cpp's choice, on), for the shapes a
// server sees — a cold prefill chunk (512 tokens, empty cache), the uncached tail of a
// prompt whose prefix is cached (55 tokens after 1,070), a few tokens after that prefix,
// and a one-token decode step at that depth. One sequence, unified KV, 8,192 cells, same
// threads; medians of --reps, the two settings interleaved per repetition.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "attention_bench_args.h"
#include "llama.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Shape {
  const char* name;
  int depth;
  int tokens;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Fills the cache to `depth`, then times one decode of `n` more tokens (logits of the last).
double TimeDecode(llama_context* ctx, int depth, int n) {
  llama_memory_clear(llama_get_memory(ctx), true);
  llama_batch b = llama_batch_init(512, 0, 1);
  auto fill = [&](int from, int count, bool last_logits) {
    b.n_tokens = 0;
    for (int i = 0; i < count; ++i) {
      b.token[i] = 100 + (from + i) % 5000;
      b.pos[i] = from + i;
      b.n_seq_id[i] = 1;
      b.seq_id[i][0] = 0;
      b.logits[i] = last_logits && i == count - 1;
      ++b.n_tokens;
    }
  };
  for (int p = 0; p < depth; p += 512) {
    fill(p, std::min(512, depth - p), false);
    if (llama_decode(ctx, b) != 0) std::exit(1);
  }
  fill(depth, n, true);
  const auto t0 = Clock::now();
  if (llama_decode(ctx, b) != 0) std::exit(1);
  (void)llama_get_logits_ith(ctx, -1);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  llama_batch_free(b);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  kolibri::bench::AttentionBenchArgs args{.out = "bench/results/flash_attn.json", .reps = 5};
  if (int rc = kolibri::bench::ParseAndLoad(argc, argv, "bench_flash_attn", &args)) return rc;
  llama_model* model = args.model;
  const int threads = args.threads, reps = args.reps;
  const std::string& model_path = args.model_path;
  const std::string& out = args.out;
  llama_context* ctx[2];
  for (int fa = 0; fa < 2; ++fa) {
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 8192;
    cp.n_batch = 512;
    cp.n_ubatch = 512;
    cp.n_seq_max = 1;
    cp.kv_unified = true;
    cp.n_threads = cp.n_threads_batch = threads;
    cp.flash_attn_type = fa ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
    ctx[fa] = llama_init_from_model(model, cp);
    if (ctx[fa] == nullptr) return std::fprintf(stderr, "cannot create a context\n"), 1;
  }
  const Shape shapes[] = {{"cold prefill chunk", 0, 512},
                          {"second prefill chunk", 512, 512},
                          {"third prefill chunk", 1024, 512},
                          {"prefill chunk of 128", 1024, 128},
                          {"uncached prompt tail", 1070, 55},
                          {"the tail padded to 64 (9 cached recomputed)", 1061, 64},
                          {"few tokens after a cached prefix", 1070, 8},
                          {"decode step", 1070, 1}};
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const Shape& s : shapes) {
    std::vector<double> t[2];
    for (int r = 0; r < reps; ++r) {
      for (int fa = 0; fa < 2; ++fa) t[fa].push_back(TimeDecode(ctx[fa], s.depth, s.tokens));
    }
    const double off = Median(t[0]), on = Median(t[1]);
    rows.push_back({{"shape", s.name}, {"depth", s.depth}, {"tokens", s.tokens}, {"fa_off_ms", off},
                    {"fa_on_ms", on}, {"on_over_off", on / off}});
    std::printf("%-34s depth %4d, %3d tokens: flash attention off %8.1f ms, on %8.1f ms (%.2fx)\n", s.name, s.depth,
                s.tokens, off, on, on / off);
  }
  nlohmann::ordered_json result = {
      {"model", model_path},
      {"threads", threads},
      {"reps", reps},
      {"llama_supports_gpu_offload", llama_supports_gpu_offload()},
      {"note", "medians; one llama_decode per figure; shared 2-core machine"},
      {"shapes", rows}};
  std::ofstream(out) << result.dump(1) << "\n";
  for (llama_context* c : ctx) llama_free(c);
  llama_model_free(model);
  std::printf("wrote %s\n", out.c_str());
  return 0;
}
