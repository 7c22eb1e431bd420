#include "kolibri/scheduler.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <span>
#include <thread>

#include "engine/continuation_trie.h"
#include "engine/grammar_sampler.h"
#include "engine/llama_backend.h"
#include "engine/prefix_cache.h"
#include "engine/stop_matcher.h"
#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/grammar/grammar_matcher.h"
#include "llama.h"

namespace kolibri {

std::string_view FinishReasonName(FinishReason r) {
  switch (r) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kCancelled: return "cancelled";
    case FinishReason::kDeadline: return "deadline";
    case FinishReason::kError: return "error";
  }
  return "error";
}

namespace engine {
namespace {

using Clock = std::chrono::steady_clock;

// A waiting request is held back behind an in-flight prefill when that prefill will cache at
// least this many more of its leading tokens than the prefix cache holds now.
constexpr int32_t kMinSharedPrefill = 32;

double MsBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

struct CancelFlag {
  std::atomic<bool> cancelled{false};
};

class Handle final : public RequestHandle {
 public:
  Handle(std::shared_ptr<CancelFlag> flag, std::function<void()> wake)
      : flag_(std::move(flag)), wake_(std::move(wake)) {}
  void Cancel() override {
    flag_->cancelled.store(true);
    wake_();
  }

 private:
  std::shared_ptr<CancelFlag> flag_;
  std::function<void()> wake_;
};

struct SamplerDeleter {
  void operator()(llama_sampler* s) const { llama_sampler_free(s); }
};

// The scoring part of a SubmitScore job.
struct ScoreWork {
  explicit ScoreWork(const ScoreRequest& r) : trie(r.continuations, r.skip_unbranched) {}
  ContinuationTrie trie;
  std::vector<ContinuationTrie::Pass> passes;
  size_t next_pass = 0;
  std::vector<int32_t> branch_seqs;  // held while a pass is in flight
  std::vector<int32_t> rows;         // per node of the pass in flight: its batch row
  int32_t branch_tokens = 0;
  std::function<void(const ScoreResult&)> on_done;
};

// One request from Submit to done.
struct Job {
  CompletionRequest req;
  TokenCallback on_token;
  DoneCallback on_done;
  std::shared_ptr<CancelFlag> cancel;
  Clock::time_point submitted;
  Clock::time_point started;
  Clock::time_point first_token;
  bool got_first_token = false;

  int32_t seq = -1;             // active sequence id
  int32_t n_past = 0;           // positions in the KV for this sequence
  int32_t shared = 0;           // leading positions whose cells the prefix cache counts
  int32_t moved = 0;            // own cells handed to the prefix cache (counted there)
  int32_t cached = 0;           // prompt tokens taken from the cache
  int32_t reserve = 0;          // KV cells reserved beyond `shared`
  std::vector<int32_t> pins;    // prefix-cache entries this sequence depends on
  int32_t generated = 0;
  int32_t forced = 0;                 // of `generated`, appended by jump-forward
  std::vector<int32_t> pending;       // sampled or forced, not yet decoded
  int32_t batch_index = -1;           // row of the logits for this step, or -1
  std::unique_ptr<grammar::GrammarMatcher> matcher;
  std::unique_ptr<GrammarSamplerState> grammar_state;
  std::unique_ptr<llama_sampler, SamplerDeleter> sampler;  // after matcher: uses it
  std::unique_ptr<StopMatcher> stop;
  std::unique_ptr<ScoreWork> score;  // set for SubmitScore jobs (no sampler, no tokens)
  bool prefilled() const { return n_past >= static_cast<int32_t>(req.prompt.size()); }
};

class SchedulerImpl final : public Scheduler {
 public:
  SchedulerImpl(std::shared_ptr<Model> model, const SchedulerOptions& o)
      : model_(std::move(model)), options_(o) {}

  ~SchedulerImpl() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (batch_.token != nullptr) llama_batch_free(batch_);
    if (ctx_ != nullptr) llama_free(ctx_);
    for (llama_adapter_lora* a : adapters_) llama_adapter_lora_free(a);
  }

  Status Start() {
    options_.batch = std::min(options_.batch, options_.context);  // llama.cpp caps it too
    // llama.cpp needs n_seq_max <= n_batch (one output row per sequence) and <= 256.
    // Branch sequences need coupled sequences in one KV stream, and count against n_seq_max.
    branch_seqs_ = options_.kv_unified
                       ? std::max(0, std::min({options_.score_branches, options_.batch - options_.parallel,
                                               256 - options_.parallel}))
                       : 0;
    const int32_t used = options_.parallel + branch_seqs_;
    cache_slots_ = options_.prefix_cache && options_.kv_unified
                       ? std::max(0, std::min({64, 256 - used, options_.batch - used}))
                       : 0;
    if (options_.parallel > options_.batch) {
      return Status::InvalidArgument("parallel (" + std::to_string(options_.parallel) +
                                     ") cannot exceed the batch size (" + std::to_string(options_.batch) + ")");
    }
    llama_context_params cp = llama_context_default_params();
    const bool quantized_kv = options_.kv_cache_type == "q8_0" || options_.kv_cache_type == "q4_0";
    if (quantized_kv) {
      cp.type_k = cp.type_v = options_.kv_cache_type == "q8_0" ? GGML_TYPE_Q8_0 : GGML_TYPE_Q4_0;
    } else if (options_.kv_cache_type != "f16") {
      return Status::InvalidArgument("kv_cache_type must be f16, q8_0 or q4_0, got '" + options_.kv_cache_type + "'");
    }
    if (options_.flash_attn == "on" || (options_.flash_attn == "auto" && quantized_kv)) {
      cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED;  // a quantized V cache needs it
    } else if (options_.flash_attn == "auto") {
      cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;  // llama.cpp's choice (on where supported)
    } else if (options_.flash_attn == "off") {
      if (quantized_kv) {
        return Status::InvalidArgument("kv_cache_type " + options_.kv_cache_type +
                                       " needs flash attention; use flash_attn auto or on, or kv_cache_type f16");
      }
      cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    } else {
      return Status::InvalidArgument("flash_attn must be auto, on or off, got '" + options_.flash_attn + "'");
    }
    cp.n_ctx = static_cast<uint32_t>(options_.context);
    cp.n_batch = static_cast<uint32_t>(options_.batch);
    cp.n_ubatch = static_cast<uint32_t>(std::min(options_.batch, 512));
    cp.n_seq_max = static_cast<uint32_t>(options_.parallel + branch_seqs_ + cache_slots_);
    cp.kv_unified = options_.kv_unified;  // cells shared between sequences need one stream
    int32_t threads = options_.threads > 0
                          ? options_.threads
                          : static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    cp.no_perf = true;
    ctx_ = llama_init_from_model(model_->raw(), cp);
    if (ctx_ == nullptr) {
      return Status::Internal("llama.cpp could not create a context of " +
                              std::to_string(options_.context) + " tokens");
    }
    if (!options_.lora.empty()) {
      std::vector<float> scales;
      for (const auto& lora : options_.lora) {
        llama_adapter_lora* adapter = llama_adapter_lora_init(model_->raw(), lora.path.c_str());
        if (adapter == nullptr) {
          return Status::InvalidArgument("llama.cpp could not load the LoRA adapter '" + lora.path +
                                         "' (missing, not a LoRA GGUF, or made for another model)");
        }
        adapters_.push_back(adapter);
        scales.push_back(lora.scale);
      }
      if (llama_set_adapters_lora(ctx_, adapters_.data(), adapters_.size(), scales.data()) != 0) {
        return Status::Internal("llama.cpp could not apply the LoRA adapters");
      }
    }
    kv_total_ = static_cast<int32_t>(llama_n_ctx(ctx_));
    seq_capacity_ = options_.kv_unified ? kv_total_ : static_cast<int32_t>(llama_n_ctx_seq(ctx_));
    mem_ = llama_get_memory(ctx_);
    batch_ = llama_batch_init(options_.batch, 0, std::max(1, branch_seqs_));
    cache_ = std::make_unique<PrefixCache>(options_.parallel + branch_seqs_, cache_slots_);
    for (int32_t s = options_.parallel - 1; s >= 0; --s) free_seqs_.push_back(s);
    for (int32_t s = options_.parallel + branch_seqs_ - 1; s >= options_.parallel; --s) free_branch_seqs_.push_back(s);
    thread_ = std::thread([this] { Loop(); });
    return Status::Ok();
  }

  Result<std::shared_ptr<RequestHandle>> Submit(CompletionRequest req, TokenCallback on_token,
                                                DoneCallback on_done) override {
    if (req.prompt.empty()) return Status::InvalidArgument("the prompt is empty");
    if (req.max_tokens <= 0) {
      return Status::InvalidArgument("max_tokens must be at least 1, got " + std::to_string(req.max_tokens));
    }
    if (req.top_logprobs > 20) return Status::InvalidArgument("top_logprobs must be at most 20");
    const int32_t n_vocab = model_->vocab_size();
    for (int32_t t : req.prompt) {
      if (t < 0 || t >= n_vocab) return Status::InvalidArgument("prompt token id " + std::to_string(t) + " is out of the vocabulary");
    }
    if (req.grammar != nullptr &&
        req.grammar->vocabulary_index().vocabulary().size() != static_cast<size_t>(n_vocab)) {
      return Status::InvalidArgument("the grammar was compiled for another vocabulary");
    }
    const int32_t n_prompt = static_cast<int32_t>(req.prompt.size());
    if (n_prompt + 1 > seq_capacity_) {
      return Status::OutOfRange("the prompt has " + std::to_string(n_prompt) +
                                " tokens but a sequence can hold " + std::to_string(seq_capacity_));
    }
    if (req.grammar != nullptr) {
      // Budget-aware completion guarantees a complete match only when every byte of the
      // shortest completion can be its own token; refuse budgets below that up front rather
      // than return a truncated document.
      const int32_t need = req.grammar->MinBytesFromStart();
      const int32_t budget = std::min(req.max_tokens, seq_capacity_ - n_prompt);
      if (budget < need) {
        return Status::OutOfRange("max_tokens " + std::to_string(budget) +
                                  " is too small for this grammar: its shortest complete output is " +
                                  std::to_string(need) + " bytes; allow at least " + std::to_string(need) +
                                  " tokens");
      }
    }
    auto job = std::make_unique<Job>();
    job->req = std::move(req);
    job->on_token = std::move(on_token);
    job->on_done = std::move(on_done);
    return Enqueue(std::move(job));
  }

  Result<std::shared_ptr<RequestHandle>> SubmitScore(ScoreRequest req,
                                                     std::function<void(const ScoreResult&)> on_done) override;

  Result<std::shared_ptr<RequestHandle>> Enqueue(std::unique_ptr<Job> job) {
    job->cancel = std::make_shared<CancelFlag>();
    job->submitted = Clock::now();
    auto handle = std::make_shared<Handle>(job->cancel, [this] { cv_.notify_all(); });
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return Status::Unavailable("the scheduler is shutting down");
      if (static_cast<int32_t>(incoming_.size() + waiting_count_) >= options_.max_queue) {
        return Status::ResourceExhausted("the request queue is full (" + std::to_string(options_.max_queue) + ")");
      }
      incoming_.push_back(std::move(job));
    }
    cv_.notify_all();
    return std::shared_ptr<RequestHandle>(handle);
  }

  SchedulerStats Stats() const override {
    std::lock_guard<std::mutex> lock(stats_mu_);
    return stats_;
  }
  const Model& model() const override { return *model_; }
  const SchedulerOptions& options() const override { return options_; }

 private:
  void Loop();
  void TakeIncoming(bool block);
  void Admit();
  bool BuildAndDecode();
  void AfterDecode();
  void Finish(std::unique_ptr<Job>& job, FinishReason reason, Status status = Status::Ok());
  void FinishScore(std::unique_ptr<Job>& job, FinishReason reason, Status status, Clock::time_point now);
  void BuildSampler(Job& job);
  void EmitToken(Job& job, int32_t token, const float* logits, bool forced);
  void JumpForward(Job& job);
  void CachePrompt(Job& job);
  bool AddScorePass(Job& job);
  void AfterScoreDecode(std::unique_ptr<Job>& job);
  void ReleaseBranches(Job& job);
  int32_t ReservedCells() const;
  // True when an admitted sequence still prefilling shares at least kMinSharedPrefill more
  // leading tokens with `prompt` than the `cached` ones the prefix cache already holds.
  bool SharesInFlightPrefill(std::span<const int32_t> prompt, int32_t cached) const;
  bool MakeRoom(int32_t cells);
  void TrimUnsharedCache();  // PrefixCache::TrimUnshared down to the options' budget
  void PublishStats();

  std::shared_ptr<Model> model_;
  SchedulerOptions options_;
  llama_context* ctx_ = nullptr;
  std::vector<llama_adapter_lora*> adapters_;  // freed after ctx_
  llama_memory_t mem_ = nullptr;
  llama_batch batch_{};
  int32_t kv_total_ = 0;
  int32_t seq_capacity_ = 0;  // cells one sequence can use
  int32_t cache_slots_ = 0;
  int32_t branch_seqs_ = 0;  // sequence ids parallel .. parallel + branch_seqs_ - 1 score branches
  std::unique_ptr<PrefixCache> cache_;

  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::deque<std::unique_ptr<Job>> incoming_;  // guarded by mu_
  size_t waiting_count_ = 0;                   // guarded by mu_ (mirror of waiting_.size())

  // Scheduler-thread state.
  std::deque<std::unique_ptr<Job>> waiting_;
  std::vector<std::unique_ptr<Job>> active_;
  std::vector<int32_t> free_seqs_;
  std::vector<int32_t> free_branch_seqs_;

  mutable std::mutex stats_mu_;
  SchedulerStats stats_;
};

void SchedulerImpl::TakeIncoming(bool block) {
  std::unique_lock<std::mutex> lock(mu_);
  if (block) {
    cv_.wait(lock, [&] {
      if (stopping_ || !incoming_.empty()) return true;
      for (const auto& j : waiting_) if (j->cancel->cancelled.load()) return true;
      return false;
    });
  }
  while (!incoming_.empty()) {
    waiting_.push_back(std::move(incoming_.front()));
    incoming_.pop_front();
  }
  waiting_count_ = waiting_.size();
}

int32_t SchedulerImpl::ReservedCells() const {
  int32_t r = cache_->cells();
  for (const auto& j : active_) r += j->reserve;
  return r;
}

void SchedulerImpl::TrimUnsharedCache() {
  if (cache_slots_ == 0) return;
  const int32_t budget = options_.prefix_cache_unshared_cells >= 0 ? options_.prefix_cache_unshared_cells
                                                                    : options_.context / 4;
  const auto idle = static_cast<uint64_t>(4 * options_.parallel);
  while (auto ev = cache_->TrimUnshared(budget, idle)) llama_memory_seq_rm(mem_, ev->seq_id, ev->keep, -1);
}

// Evicts unpinned cache entries until `cells` more fit in the KV budget.
bool SchedulerImpl::MakeRoom(int32_t cells) {
  while (ReservedCells() + cells > kv_total_) {
    auto ev = cache_->EvictLeastRecentlyUsed();
    if (!ev) return false;
    llama_memory_seq_rm(mem_, ev->seq_id, -1, -1);
  }
  return true;
}

void SchedulerImpl::Admit() {
  // Drop cancelled or expired waiters first; they never touched the KV cache.
  auto now = Clock::now();
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    Job& j = **it;
    if (j.cancel->cancelled.load() || (j.req.deadline && now > *j.req.deadline)) {
      std::unique_ptr<Job> job = std::move(*it);
      it = waiting_.erase(it);
      Finish(job, job->cancel->cancelled.load() ? FinishReason::kCancelled : FinishReason::kDeadline);
    } else {
      ++it;
    }
  }
  size_t next = 0;  // waiters before `next` are held back behind an in-flight prefill
  while (next < waiting_.size() && !free_seqs_.empty()) {
    Job& j = *waiting_[next];
    const int32_t n_prompt = static_cast<int32_t>(j.req.prompt.size());
    PrefixCache::Match m;
    if (cache_slots_ > 0) m = cache_->Lookup(j.req.prompt, n_prompt - 1);  // last token recomputed for logits
    if (cache_slots_ > 0 && SharesInFlightPrefill(j.req.prompt, m.length)) {
      // Another sequence is computing a longer prefix of this prompt right now: start this
      // one when that prefix is cached instead of computing the same cells twice.
      ++next;
      continue;
    }
    const int32_t budget = std::min(j.req.max_tokens, seq_capacity_ - n_prompt);
    int32_t need = n_prompt - m.length + budget;
    if (m.entry >= 0) cache_->Pin(m.entry);  // keep the match alive while making room
    bool fits = MakeRoom(need);
    if (!fits && m.entry >= 0) {
      // The matched entry itself may be what is in the way (a short shared prefix of a
      // long cached prompt): give up the match rather than the request.
      cache_->Unpin(m.entry);
      m = PrefixCache::Match{};
      need = n_prompt + budget;
      fits = MakeRoom(need);
    }
    if (!fits) {
      if (m.entry >= 0) cache_->Unpin(m.entry);
      if (active_.empty()) {
        // Nothing running and still no room: the cache is all pinned, which cannot be;
        // refuse rather than wait forever.
        std::unique_ptr<Job> job = std::move(waiting_[next]);
        waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(next));
        Finish(job, FinishReason::kError, Status::ResourceExhausted("the KV cache cannot hold this request"));
        continue;
      }
      break;  // wait for running sequences to finish
    }
    std::unique_ptr<Job> job = std::move(waiting_[next]);
    waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(next));
    job->seq = free_seqs_.back();
    free_seqs_.pop_back();
    job->started = Clock::now();
    job->reserve = need;
    if (m.length > 0) {
      llama_memory_seq_cp(mem_, m.seq_id, job->seq, 0, m.length);
      job->pins.push_back(m.entry);
    }
    job->n_past = m.length;
    job->shared = m.length;
    job->cached = m.length;
    if (job->score == nullptr) {
      BuildSampler(*job);
      job->stop = std::make_unique<StopMatcher>(job->req.stop);
    }
    active_.push_back(std::move(job));
  }
  std::lock_guard<std::mutex> lock(mu_);
  waiting_count_ = waiting_.size();
}

bool SchedulerImpl::SharesInFlightPrefill(std::span<const int32_t> prompt, int32_t cached) const {
  for (const auto& a : active_) {
    if (a->got_first_token) continue;  // its prompt went to the cache (or could not) already
    const auto& other = a->req.prompt;
    const size_t limit = std::min(prompt.size(), other.size());
    size_t common = 0;
    while (common < limit && prompt[common] == other[common]) ++common;
    // Worth waiting for only when it saves a real chunk of prefill.
    if (static_cast<int32_t>(common) >= cached + kMinSharedPrefill) return true;
  }
  return false;
}

// Builds one batch: a decode token for every generating sequence, then prefill chunks of
// the others in admission order, up to `batch` tokens. Returns false when nothing to do.
bool SchedulerImpl::BuildAndDecode() {
  batch_.n_tokens = 0;
  auto add = [&](int32_t token, int32_t pos, int32_t seq, bool logits) {
    int32_t i = batch_.n_tokens++;
    batch_.token[i] = token;
    batch_.pos[i] = pos;
    batch_.n_seq_id[i] = 1;
    batch_.seq_id[i][0] = seq;
    batch_.logits[i] = logits ? 1 : 0;
    return i;
  };
  for (auto& j : active_) {
    j->batch_index = -1;
    if (j->prefilled() && !j->pending.empty()) {
      const size_t n = j->pending.size();
      for (size_t k = 0; k < n; ++k) {
        int32_t i = add(j->pending[k], j->n_past, j->seq, k + 1 == n);
        j->n_past += 1;
        if (k + 1 == n) j->batch_index = i;
      }
      j->pending.clear();
    } else if (j->score != nullptr && j->prefilled() && j->got_first_token) {
      AddScorePass(*j);
    }
  }
  for (auto& j : active_) {
    if (j->prefilled()) continue;
    const int32_t room = options_.batch - batch_.n_tokens;
    if (room <= 0) break;
    const int32_t n_prompt = static_cast<int32_t>(j->req.prompt.size());
    const int32_t n = std::min(room, n_prompt - j->n_past);
    for (int32_t k = 0; k < n; ++k) {
      const int32_t pos = j->n_past + k;
      const bool last = pos == n_prompt - 1;
      int32_t i = add(j->req.prompt[static_cast<size_t>(pos)], pos, j->seq, last);
      if (last) j->batch_index = i;
    }
    j->n_past += n;
  }
  if (batch_.n_tokens == 0) return false;
  int32_t rc = llama_decode(ctx_, batch_);
  if (rc != 0) {
    // The budget keeps this from happening; if llama.cpp still finds no room, fail the
    // step's requests instead of corrupting their state.
    Status st = Status::Internal("llama_decode failed (code " + std::to_string(rc) + ")");
    for (auto& j : active_) {
      if (j->batch_index >= 0 || !j->prefilled()) Finish(j, FinishReason::kError, st);
    }
    active_.erase(std::remove(active_.begin(), active_.end(), nullptr), active_.end());
    return true;
  }
  AfterDecode();
  return true;
}

void SchedulerImpl::CachePrompt(Job& job) {
  if (cache_slots_ == 0) return;
  const int32_t n_prompt = static_cast<int32_t>(job.req.prompt.size());
  if (cache_->full()) {
    auto ev = cache_->EvictLeastRecentlyUsed();
    if (!ev) return;
    llama_memory_seq_rm(mem_, ev->seq_id, -1, -1);
  }
  auto ins = cache_->Insert(job.req.prompt);
  if (!ins) return;
  cache_->Pin(ins->entry);
  job.pins.push_back(ins->entry);
  if (ins->new_seq_id >= 0) {
    // The part the tree already held keeps its cells; only the rest comes from this sequence.
    if (ins->source_length > 0) {
      llama_memory_seq_cp(mem_, ins->source_seq_id, ins->new_seq_id, 0, ins->source_length);
    }
    llama_memory_seq_cp(mem_, job.seq, ins->new_seq_id, ins->source_length, n_prompt);
    job.reserve -= ins->cells_added;
    job.moved += ins->cells_added;
  }
}

void SchedulerImpl::BuildSampler(Job& job) {
  job.sampler.reset(llama_sampler_chain_init(llama_sampler_chain_default_params()));
  llama_sampler* chain = job.sampler.get();
  const SamplingOptions& s = job.req.sampling;
  if (job.req.grammar != nullptr) {
    job.matcher = std::make_unique<grammar::GrammarMatcher>(job.req.grammar);
    job.grammar_state = std::make_unique<GrammarSamplerState>();
    job.grammar_state->matcher = job.matcher.get();
    job.grammar_state->budget_window = std::max(job.req.budget_window, 0);
    llama_sampler_chain_add(chain, NewGrammarSampler(job.grammar_state.get()));
  } else if (job.req.ignore_eos) {
    // As llama-server does it: end-of-generation tokens are never sampled.
    std::vector<llama_logit_bias> bans;
    for (int32_t t = 0; t < model_->vocab_size(); ++t) {
      if (model_->IsEndOfGeneration(t)) bans.push_back({t, -INFINITY});
    }
    llama_sampler_chain_add(chain, llama_sampler_init_logit_bias(model_->vocab_size(),
                                                                 static_cast<int32_t>(bans.size()), bans.data()));
  }
  if (s.repeat_penalty != 1.0f) {
    llama_sampler_chain_add(chain, llama_sampler_init_penalties(model_->vocab_size(), 64, s.repeat_penalty, 0.0f, 0.0f));
  }
  if (s.temperature <= 0) {
    llama_sampler_chain_add(chain, llama_sampler_init_greedy());
    return;
  }
  if (s.top_k > 0) llama_sampler_chain_add(chain, llama_sampler_init_top_k(s.top_k));
  if (s.top_p < 1) llama_sampler_chain_add(chain, llama_sampler_init_top_p(s.top_p, 1));
  if (s.min_p > 0) llama_sampler_chain_add(chain, llama_sampler_init_min_p(s.min_p, 1));
  llama_sampler_chain_add(chain, llama_sampler_init_temp(s.temperature));
  llama_sampler_chain_add(chain, llama_sampler_init_dist(s.seed));
}

// Appends the tokens the grammar forces (e.g. `","priority":"` after a value) without a
// decode step each. The last token of the forced text is left to the model: standalone
// tokenization of the forced bytes may end on a boundary the model would have merged
// with what follows (`"` + `billing`), so the model chooses it under the mask instead.
void SchedulerImpl::JumpForward(Job& job) {
  std::string forced = job.matcher->ForcedBytes(256);
  if (forced.empty()) return;
  TokenizeOptions opts;
  opts.add_special = false;
  opts.parse_special = false;
  auto toks = model_->Tokenize(forced, opts);
  if (!toks.ok() || toks->size() < 2) return;
  for (size_t k = 0; k + 1 < toks->size(); ++k) {
    if (job.generated >= job.req.max_tokens) break;
    const int32_t t = (*toks)[k];
    llama_sampler_accept(job.sampler.get(), t);  // advances the matcher and penalties alike
    if (job.grammar_state->rejected) {
      job.grammar_state->rejected = false;  // state unchanged; let the model go on from here
      break;
    }
    job.generated += 1;
    job.forced += 1;
    job.pending.push_back(t);
    EmitToken(job, t, nullptr, /*forced=*/true);
    if (job.stop->stopped()) break;
  }
}

void SchedulerImpl::EmitToken(Job& job, int32_t token, const float* logits, bool forced) {
  TokenEvent ev;
  ev.token = token;
  ev.forced = forced;
  if (job.req.top_logprobs >= 0 && logits != nullptr) {
    const int32_t n_vocab = model_->vocab_size();
    float max_l = *std::max_element(logits, logits + n_vocab);
    double sum = 0;
    for (int32_t k = 0; k < n_vocab; ++k) sum += std::exp(static_cast<double>(logits[k] - max_l));
    const float log_z = max_l + static_cast<float>(std::log(sum));
    ev.logprob = logits[token] - log_z;
    if (job.req.top_logprobs > 0) {
      std::vector<int32_t> ids(static_cast<size_t>(n_vocab));
      for (int32_t k = 0; k < n_vocab; ++k) ids[static_cast<size_t>(k)] = k;
      const size_t top = static_cast<size_t>(job.req.top_logprobs);
      std::partial_sort(ids.begin(), ids.begin() + static_cast<long>(top), ids.end(),
                        [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
      for (size_t k = 0; k < top; ++k) {
        ev.top.push_back({ids[k], model_->TokenToPiece(ids[k]), logits[ids[k]] - log_z});
      }
    }
  }
  ev.text = job.stop->Feed(model_->TokenToPiece(token));
  if (job.on_token) job.on_token(ev);
}

void SchedulerImpl::AfterDecode() {
  auto now = Clock::now();
  for (auto& j : active_) {
    if (j->batch_index < 0) continue;
    if (!j->got_first_token) CachePrompt(*j);  // the prompt's KV is complete now
    if (j->score != nullptr) {
      AfterScoreDecode(j);
      continue;
    }
    const float* logits = j->req.top_logprobs >= 0 ? llama_get_logits_ith(ctx_, j->batch_index) : nullptr;
    if (j->grammar_state) {
      j->grammar_state->remaining_tokens =
          std::min(j->req.max_tokens, seq_capacity_ - static_cast<int32_t>(j->req.prompt.size())) - j->generated;
    }
    int32_t tok = llama_sampler_sample(j->sampler.get(), ctx_, j->batch_index);
    if (!j->got_first_token) {
      j->got_first_token = true;
      j->first_token = now;
    }
    if (j->grammar_state && j->grammar_state->rejected) {
      Finish(j, FinishReason::kError, Status::Internal("the grammar rejected the token its own mask allowed"));
      continue;
    }
    if (model_->IsEndOfGeneration(tok) && (j->matcher != nullptr || !j->req.ignore_eos)) {
      Finish(j, FinishReason::kStop);  // with a grammar, only allowed once the match is complete
      continue;
    }
    j->generated += 1;
    EmitToken(*j, tok, logits, /*forced=*/false);
    j->pending.push_back(tok);
    if (j->matcher != nullptr && j->req.jump_forward && !j->stop->stopped() &&
        j->generated < j->req.max_tokens) {
      JumpForward(*j);
    }
    if (j->stop->stopped()) {
      Finish(j, FinishReason::kStop);
    } else if (j->generated >= j->req.max_tokens ||
               j->n_past + static_cast<int32_t>(j->pending.size()) >= seq_capacity_) {
      // A grammar closed exactly at the budget ended as it should: report a normal stop.
      Finish(j, j->matcher != nullptr && j->matcher->CanEnd() ? FinishReason::kStop : FinishReason::kLength);
    }
  }
  for (auto& j : active_) {
    if (j == nullptr) continue;
    if (j->cancel->cancelled.load()) Finish(j, FinishReason::kCancelled);
    else if (j->req.deadline && now > *j->req.deadline) Finish(j, FinishReason::kDeadline);
  }
  active_.erase(std::remove(active_.begin(), active_.end(), nullptr), active_.end());
}

void SchedulerImpl::Finish(std::unique_ptr<Job>& job, FinishReason reason, Status status) {
  auto now = Clock::now();
  if (job->score != nullptr) ReleaseBranches(*job);
  if (job->seq >= 0) {
    llama_memory_seq_rm(mem_, job->seq, -1, -1);
    free_seqs_.push_back(job->seq);
    for (int32_t e : job->pins) cache_->Unpin(e);
    TrimUnsharedCache();
  }
  if (job->score != nullptr) {
    FinishScore(job, reason, std::move(status), now);
    return;
  }
  CompletionResult r;
  r.finish = reason;
  r.status = std::move(status);
  if (job->stop) {
    std::string tail = job->stop->Flush();
    if (!tail.empty() && job->on_token) {
      TokenEvent ev;
      ev.token = -1;
      ev.text = tail;
      job->on_token(ev);
    }
    r.text = job->stop->released();
  }
  r.prompt_tokens = static_cast<int32_t>(job->req.prompt.size());
  r.cached_prompt_tokens = job->cached;
  r.completion_tokens = job->generated;
  r.forced_tokens = job->forced;
  if (job->matcher != nullptr) r.grammar_complete = job->matcher->CanEnd() || job->matcher->IsTerminated();
  if (job->grammar_state) {
    r.mask_ms = job->grammar_state->mask_ns / 1e6;
    r.masks = job->grammar_state->masks;
  }
  r.queue_ms = job->seq >= 0 ? MsBetween(job->submitted, job->started) : MsBetween(job->submitted, now);
  r.time_to_first_token_ms = job->got_first_token ? MsBetween(job->submitted, job->first_token) : 0;
  r.total_ms = MsBetween(job->submitted, now);
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    if (job->seq >= 0) stats_.running = std::max(0, stats_.running - 1);
    stats_.prompt_tokens += static_cast<uint64_t>(r.prompt_tokens);
    stats_.prompt_tokens_cached += static_cast<uint64_t>(r.cached_prompt_tokens);
    stats_.generated_tokens += static_cast<uint64_t>(r.completion_tokens);
    stats_.requests_done += 1;
  }
  if (job->on_done) job->on_done(r);
  job.reset();
}

Result<std::shared_ptr<RequestHandle>> SchedulerImpl::SubmitScore(ScoreRequest req,
                                                                  std::function<void(const ScoreResult&)> on_done) {
  if (req.prompt.empty()) return Status::InvalidArgument("the prompt is empty");
  if (req.continuations.empty()) return Status::InvalidArgument("no continuations to score");
  const int32_t n_vocab = model_->vocab_size();
  auto in_vocab = [&](const std::vector<int32_t>& tokens) {
    return std::all_of(tokens.begin(), tokens.end(), [&](int32_t t) { return t >= 0 && t < n_vocab; });
  };
  if (!in_vocab(req.prompt)) return Status::InvalidArgument("a prompt token id is out of the vocabulary");
  for (size_t i = 0; i < req.continuations.size(); ++i) {
    if (req.continuations[i].empty()) return Status::InvalidArgument("continuation " + std::to_string(i) + " is empty");
    if (!in_vocab(req.continuations[i])) {
      return Status::InvalidArgument("continuation " + std::to_string(i) + " has a token out of the vocabulary");
    }
  }
  auto work = std::make_unique<ScoreWork>(req);
  const int32_t n_prompt = static_cast<int32_t>(req.prompt.size());
  if (n_prompt + work->trie.max_depth() > seq_capacity_) {
    return Status::OutOfRange("the prompt (" + std::to_string(n_prompt) + " tokens) and its longest continuation (" +
                              std::to_string(work->trie.max_depth()) + ") do not fit a sequence of " +
                              std::to_string(seq_capacity_) + " tokens");
  }
  if (work->trie.DecodedNodes() > 0 && branch_seqs_ == 0) {
    return Status::FailedPrecondition(
        "these continuations need decode passes after the prompt, which need score_branches > 0 and a unified KV cache");
  }
  if (!work->trie.Plan(branch_seqs_, options_.batch, &work->passes)) {
    return Status::OutOfRange("a continuation is longer than the batch (" + std::to_string(options_.batch) + " tokens)");
  }
  int32_t widest = 1;
  for (const auto& p : work->passes) widest = std::max(widest, static_cast<int32_t>(p.nodes.size()));
  work->on_done = std::move(on_done);
  auto job = std::make_unique<Job>();
  job->req.prompt = std::move(req.prompt);
  job->req.max_tokens = widest;  // the KV cells a pass adds beyond the prompt
  job->req.deadline = req.deadline;
  job->score = std::move(work);
  return Enqueue(std::move(job));
}

// Adds the job's next pass to the batch when it fits and branch sequences are free;
// otherwise it waits for a later step.
bool SchedulerImpl::AddScorePass(Job& job) {
  ScoreWork& w = *job.score;
  if (w.next_pass >= w.passes.size()) return false;
  const ContinuationTrie::Pass& pass = w.passes[w.next_pass];
  if (batch_.n_tokens + static_cast<int32_t>(pass.nodes.size()) > options_.batch) return false;
  if (static_cast<int32_t>(free_branch_seqs_.size()) < pass.n_branches) return false;
  const int32_t n_prompt = static_cast<int32_t>(job.req.prompt.size());
  for (int32_t b = 0; b < pass.n_branches; ++b) {
    const int32_t seq = free_branch_seqs_.back();
    free_branch_seqs_.pop_back();
    llama_memory_seq_cp(mem_, job.seq, seq, -1, -1);  // shares the prompt's cells
    w.branch_seqs.push_back(seq);
  }
  w.rows.assign(pass.nodes.size(), -1);
  for (size_t k = 0; k < pass.nodes.size(); ++k) {
    const int32_t i = batch_.n_tokens++;
    batch_.token[i] = w.trie.token(pass.nodes[k]);
    batch_.pos[i] = n_prompt + w.trie.depth(pass.nodes[k]) - 1;
    batch_.n_seq_id[i] = static_cast<int32_t>(pass.branches[k].size());
    for (size_t b = 0; b < pass.branches[k].size(); ++b) {
      batch_.seq_id[i][b] = w.branch_seqs[static_cast<size_t>(pass.branches[k][b])];
    }
    batch_.logits[i] = pass.logits[k] ? 1 : 0;
    if (pass.logits[k]) w.rows[k] = i;
    job.batch_index = i;
  }
  w.branch_tokens += static_cast<int32_t>(pass.nodes.size());
  return true;
}

void SchedulerImpl::ReleaseBranches(Job& job) {
  for (int32_t seq : job.score->branch_seqs) {
    llama_memory_seq_rm(mem_, seq, -1, -1);
    free_branch_seqs_.push_back(seq);
  }
  job.score->branch_seqs.clear();
}

void SchedulerImpl::AfterScoreDecode(std::unique_ptr<Job>& job) {
  ScoreWork& w = *job->score;
  const int32_t n_vocab = model_->vocab_size();
  if (!job->got_first_token) {
    job->got_first_token = true;
    job->first_token = Clock::now();
    w.trie.SetLogits(0, llama_get_logits_ith(ctx_, job->batch_index), n_vocab);
  } else {
    const ContinuationTrie::Pass& pass = w.passes[w.next_pass];
    for (size_t k = 0; k < pass.nodes.size(); ++k) {
      if (w.rows[k] >= 0) w.trie.SetLogits(pass.nodes[k], llama_get_logits_ith(ctx_, w.rows[k]), n_vocab);
    }
    ReleaseBranches(*job);
    w.next_pass += 1;
  }
  if (w.next_pass >= w.passes.size()) Finish(job, FinishReason::kStop);
}

void SchedulerImpl::FinishScore(std::unique_ptr<Job>& job, FinishReason reason, Status status,
                                Clock::time_point now) {
  ScoreResult r;
  ScoreWork& w = *job->score;
  if (reason == FinishReason::kCancelled) status = Status::Cancelled("the scoring request was cancelled");
  if (reason == FinishReason::kDeadline) status = Status::DeadlineExceeded("the scoring request passed its deadline");
  r.status = std::move(status);
  if (r.status.ok()) {
    r.token_logprobs = w.trie.TokenLogprobs();
    for (const auto& t : r.token_logprobs) {
      float sum = 0;
      for (float x : t) sum += x;
      r.logprob.push_back(sum);
    }
    r.restricted_logprob = w.trie.RestrictedLogprobs();
  }
  r.prompt_tokens = static_cast<int32_t>(job->req.prompt.size());
  r.cached_prompt_tokens = job->cached;
  r.branch_tokens = w.branch_tokens;
  r.passes = static_cast<int32_t>(w.next_pass);
  r.queue_ms = job->seq >= 0 ? MsBetween(job->submitted, job->started) : MsBetween(job->submitted, now);
  r.total_ms = MsBetween(job->submitted, now);
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    if (job->seq >= 0) stats_.running = std::max(0, stats_.running - 1);
    stats_.prompt_tokens += static_cast<uint64_t>(r.prompt_tokens);
    stats_.prompt_tokens_cached += static_cast<uint64_t>(r.cached_prompt_tokens);
    stats_.requests_done += 1;
  }
  if (w.on_done) w.on_done(r);
  job.reset();
}

void SchedulerImpl::PublishStats() {
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.running = static_cast<int32_t>(active_.size());
  stats_.queued = static_cast<int32_t>(waiting_.size());
  int32_t used = cache_->cells();
  for (const auto& j : active_) used += j->n_past - j->shared - j->moved;
  stats_.kv_used = used;
  stats_.kv_total = kv_total_;
}

void SchedulerImpl::Loop() {
  for (;;) {
    TakeIncoming(/*block=*/active_.empty() && waiting_.empty());
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    Admit();
    if (!BuildAndDecode()) {
      PublishStats();
      if (active_.empty()) {
        TakeIncoming(/*block=*/true);
      }
      continue;
    }
    PublishStats();
  }
  // Shutdown: everyone still here learns it was cancelled.
  TakeIncoming(/*block=*/false);
  for (auto& j : active_) Finish(j, FinishReason::kCancelled);
  active_.clear();
  for (auto& j : waiting_) Finish(j, FinishReason::kCancelled);
  waiting_.clear();
}

}  // namespace
}  // namespace engine

Result<std::shared_ptr<RequestHandle>> Scheduler::SubmitScore(ScoreRequest,
                                                             std::function<void(const ScoreResult&)>) {
  return Status::Unsupported("this scheduler cannot score continuations");
}

Result<ScoreResult> Scheduler::Score(ScoreRequest request) {
  std::promise<ScoreResult> done;
  auto handle = SubmitScore(std::move(request), [&](const ScoreResult& r) { done.set_value(r); });
  if (!handle.ok()) return handle.status();
  ScoreResult r = done.get_future().get();
  if (!r.status.ok()) return r.status;
  return r;
}

Result<std::unique_ptr<Scheduler>> Scheduler::Create(std::shared_ptr<Model> model,
                                                      const SchedulerOptions& options) {
  engine::EnsureLlamaBackend();
  if (model == nullptr) return Status::InvalidArgument("no model");
  if (options.context < 16) return Status::InvalidArgument("context must be at least 16 tokens");
  if (options.parallel < 1 || options.parallel > 128) return Status::InvalidArgument("parallel must be 1..128");
  if (options.batch < 1) return Status::InvalidArgument("batch must be positive");
  if (options.threads < 0) return Status::InvalidArgument("threads must be >= 0");
  if (options.max_queue < 0) return Status::InvalidArgument("max_queue must be >= 0");
  if (options.score_branches < 0 || options.score_branches > 128) {
    return Status::InvalidArgument("score_branches must be 0..128");
  }
  auto s = std::make_unique<engine::SchedulerImpl>(std::move(model), options);
  KOLIBRI_RETURN_IF_ERROR(s->Start());
  return std::unique_ptr<Scheduler>(std::move(s));
}

}  // namespace kolibri
