// bench_kv_layout --model M.gguf [--threads 2] [--reps 7] [--out bench/results/kv_layout.json]
//
// What one scheduler step costs in the shapes of a server hosting several tasks
// (mixed_tasks60: three ~750-token system prompts, ~20-token user parts, 4 sequences),
// for the KV layouts and cache types a server can choose:
//   unified f16   — one KV stream shared by all sequences (what prefix sharing needs);
//   unified f32   — the same with F32 cells;
//   per-seq f16   — one stream per sequence (llama-server's default mode, no sharing).
// Shapes: a decode step of 4 sequences (one token each), a decode step of one sequence, a
// 20-token prompt tail after a 750-token cached prefix, and (unified layouts) the 4-sequence
// decode step while the cache also holds 3,000 cells of other prompts that no running
// sequence attends to (a prefix cache keeping other tasks' prompts). Same model, threads
// and token ids; medians of --reps, the layouts interleaved per repetition.
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

constexpr int kPrefix = 750;
constexpr int kTail = 20;
constexpr int kSeqs = 4;
constexpr int kOther = 3000;  // cells of other prompts in the busy-cache shape

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Layout {
  const char* name;
  bool unified;
  ggml_type type;
  llama_context* ctx = nullptr;
};

class Batch {
 public:
  Batch() : b_(llama_batch_init(512, 0, 1)) {}
  ~Batch() { llama_batch_free(b_); }
  void Clear() { b_.n_tokens = 0; }
  void Add(llama_token t, llama_pos p, llama_seq_id s, bool logits) {
    const int i = b_.n_tokens++;
    b_.token[i] = t;
    b_.pos[i] = p;
    b_.n_seq_id[i] = 1;
    b_.seq_id[i][0] = s;
    b_.logits[i] = logits;
  }
  llama_batch& get() { return b_; }

 private:
  llama_batch b_;
};

llama_token Tok(int task, int i) { return 200 + (task * 997 + i * 31) % 20000; }

void Decode(llama_context* ctx, Batch& b) {
  if (llama_decode(ctx, b.get()) != 0) std::fprintf(stderr, "llama_decode failed\n"), std::exit(1);
}

// Fills `seq` with task `task`'s prefix (positions 0..kPrefix-1) in chunks of 512.
void Prefill(llama_context* ctx, Batch& b, llama_seq_id seq, int task, int from, int to) {
  for (int p = from; p < to; p += 512) {
    b.Clear();
    for (int i = p; i < std::min(to, p + 512); ++i) b.Add(Tok(task, i), i, seq, i == to - 1);
    Decode(ctx, b);
  }
}

// Sets the cache to: sequences 0..3 each holding task (s % 3)'s prefix plus a 20-token tail.
// Unified: the three prefixes are computed once (sequences 4..6) and shared by copying
// cells, as the prefix cache does. Per sequence: each computes its own prefix.
void Setup(const Layout& l, Batch& b) {
  llama_memory_t mem = llama_get_memory(l.ctx);
  llama_memory_clear(mem, true);
  for (int s = 0; s < kSeqs; ++s) {
    const int task = s % 3;
    if (l.unified) {
      const llama_seq_id holder = kSeqs + task;
      if (s < 3) Prefill(l.ctx, b, holder, task, 0, kPrefix);
      llama_memory_seq_cp(mem, holder, s, 0, kPrefix);
    } else {
      Prefill(l.ctx, b, s, task, 0, kPrefix);
    }
    Prefill(l.ctx, b, s, 10 + s, kPrefix, kPrefix + kTail);
  }
}

double Time(llama_context* ctx, Batch& b) {
  const auto t0 = Clock::now();
  Decode(ctx, b);
  (void)llama_get_logits_ith(ctx, -1);
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// One decode token for each of the 4 sequences, at position kPrefix + kTail + step.
double DecodeAll(const Layout& l, Batch& b, int step) {
  b.Clear();
  for (int s = 0; s < kSeqs; ++s) b.Add(Tok(20 + s, step), kPrefix + kTail + step, s, true);
  const double ms = Time(l.ctx, b);
  return ms;
}

double DecodeOne(const Layout& l, Batch& b, int step) {
  b.Clear();
  b.Add(Tok(30, step), kPrefix + kTail + step, 0, true);
  return Time(l.ctx, b);
}

// A new request's 20-token tail after a cached prefix: sequence 3's tail is removed and
// recomputed (with the other sequences' cells in place).
double Tail(const Layout& l, Batch& b) {
  llama_memory_seq_rm(llama_get_memory(l.ctx), 3, kPrefix, -1);
  b.Clear();
  for (int i = 0; i < kTail; ++i) b.Add(Tok(40, i), kPrefix + i, 3, i == kTail - 1);
  return Time(l.ctx, b);
}

}  // namespace

int main(int argc, char** argv) {
  kolibri::bench::AttentionBenchArgs args{.out = "bench/results/kv_layout.json", .reps = 7};
  if (int rc = kolibri::bench::ParseAndLoad(argc, argv, "bench_kv_layout", &args)) return rc;
  llama_model* model = args.model;
  const int threads = args.threads, reps = args.reps;
  const std::string& model_path = args.model_path;
  const std::string& out = args.out;
  std::vector<Layout> layouts = {{"unified f16", true, GGML_TYPE_F16},
                                 {"unified f32", true, GGML_TYPE_F32},
                                 {"per-sequence f16", false, GGML_TYPE_F16}};
  for (Layout& l : layouts) {
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 8192;
    cp.n_batch = 512;
    cp.n_ubatch = 512;
    cp.n_seq_max = l.unified ? kSeqs + 4 : kSeqs;
    cp.kv_unified = l.unified;
    cp.type_k = cp.type_v = l.type;
    cp.n_threads = cp.n_threads_batch = threads;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;
    l.ctx = llama_init_from_model(model, cp);
    if (l.ctx == nullptr) return std::fprintf(stderr, "cannot create a context for %s\n", l.name), 1;
  }
  Batch b;
  std::vector<std::vector<double>> dec4(layouts.size()), dec1(layouts.size()), tail(layouts.size());
  for (int r = 0; r < reps; ++r) {
    for (size_t i = 0; i < layouts.size(); ++i) {
      Setup(layouts[i], b);
      for (int step = 0; step < 4; ++step) dec4[i].push_back(DecodeAll(layouts[i], b, step));
      dec1[i].push_back(DecodeOne(layouts[i], b, 4));
      tail[i].push_back(Tail(layouts[i], b));
    }
  }
  // Busy cache: the same sequences plus kOther cells of other prompts (sequence kSeqs + 3).
  std::vector<std::vector<double>> busy(layouts.size());
  for (size_t i = 0; i < layouts.size(); ++i) {
    if (!layouts[i].unified) continue;
    Setup(layouts[i], b);
    Prefill(layouts[i].ctx, b, kSeqs + 3, 50, 0, kOther);
    for (int step = 0; step < 2 * reps; ++step) busy[i].push_back(DecodeAll(layouts[i], b, step));
  }
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (size_t i = 0; i < layouts.size(); ++i) {
    const double d4 = Median(dec4[i]), d1 = Median(dec1[i]), t = Median(tail[i]);
    const double bz = Median(busy[i]);
    rows.push_back({{"layout", layouts[i].name},
                    {"decode_4_sequences_ms", d4},
                    {"decode_1_sequence_ms", d1},
                    {"tail_20_after_750_ms", t},
                    {"decode_4_sequences_busy_cache_ms", busy[i].empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(bz)}});
    std::printf("%-18s decode 4 seqs %7.1f ms  decode 1 seq %7.1f ms  20-token tail %7.1f ms  decode 4, busy cache %7.1f ms\n",
                layouts[i].name, d4, d1, t, bz);
  }
  nlohmann::ordered_json result = {{"model", model_path},
                                   {"threads", threads},
                                   {"reps", reps},
                                   {"prefix_tokens", kPrefix},
                                   {"tail_tokens", kTail},
                                   {"sequences", kSeqs},
                                   {"other_cells_in_busy_cache", kOther},
                                   {"note", "medians; flash attention auto; shared 2-core machine"},
                                   {"layouts", rows}};
  std::ofstream(out) << result.dump(1) << "\n";
  for (Layout& l : layouts) llama_free(l.ctx);
  llama_model_free(model);
  std::printf("wrote %s\n", out.c_str());
  return 0;
}
