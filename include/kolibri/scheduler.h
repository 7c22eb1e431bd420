// Scheduler: continuous batching over one llama.cpp context, shared by many requests.
//
// One thread owns the context; every other thread reaches it only through Submit() and
// RequestHandle::Cancel(), which enqueue work. Each scheduler step builds one batch that
// mixes prefill chunks of new requests with one decode token per running sequence, within
// `parallel` sequences and the KV-cache budget. A prefix cache (radix tree over token
// sequences) keeps the KV cells of recent prompts: a new request starts from the longest
// cached prefix, copied from whichever sequence computed it, so several tasks' system
// prompts stay computed once for the whole server. Eviction is least-recently-used.
//
// Callbacks run on the scheduler thread: keep them short and never call back into the
// scheduler from them except RequestHandle::Cancel().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kolibri/generator.h"  // SamplingOptions
#include "kolibri/model.h"
#include "kolibri/status.h"

namespace kolibri {

namespace grammar {
class CompiledGrammar;
}

// A LoRA adapter (GGUF, llama.cpp's convert_lora_to_gguf or `kolibri make-test-model --lora`)
// applied to every sequence of a scheduler's context, scaled by `scale`.
struct LoraAdapterOptions {
  std::string path;
  float scale = 1.0f;
};

struct SchedulerOptions {
  int32_t context = 4096;   // total KV-cache tokens shared by all sequences (llama-server -c)
  int32_t parallel = 4;     // sequences decoded concurrently (llama-server -np)
  int32_t threads = 0;      // 0: all hardware threads
  int32_t batch = 512;      // tokens per llama_decode call (prefill chunk + decode tokens)
  bool prefix_cache = true; // reuse KV of cached prompt prefixes across sequences
  // Cells the prefix cache keeps for prompt tails no second prompt has shared yet (the
  // latest ones; shared prefixes such as system prompts are kept until memory runs short).
  // Every decode step attends over all used KV cells, so speculative ones cost time on
  // every step; a tail no prompt shared within the next 4 x parallel prompts is also
  // freed. -1: context / 4.
  int32_t prefix_cache_unshared_cells = -1;
  bool kv_unified = true;   // one KV pool for all sequences (needed by the prefix cache);
                            // false: each sequence gets context/parallel cells of its own
                            // and the prefix cache is off
  int32_t max_queue = 256;  // waiting requests beyond `parallel`; Submit fails beyond it
  std::string kv_cache_type = "f16";  // K and V cache element type: f16, q8_0 or q4_0
                                      // (quantized halves/quarters KV memory; a quantized V
                                      // cache needs flash attention, enabled when it is)
  // Flash attention: "auto" (llama.cpp's choice: on where the backend supports it; always
  // on with a quantized V cache), "on" or "off". With it on, a prompt whose uncached tail
  // is 2..63 tokens after a deep cached prefix is computed together with its last cached
  // tokens, as one 64-token tile (llama.cpp's CPU kernel computes shorter batches row by
  // row, several times slower); "off" turns that padding off too.
  std::string flash_attn = "auto";
  // Adapters applied to this context (llama.cpp applies adapters per context, so serving a
  // model with and without an adapter takes one scheduler each, sharing the weights).
  std::vector<LoraAdapterOptions> lora;
  int32_t score_branches = 32;  // extra sequences for SubmitScore's branch passes, shared by
                                // all scoring requests; capped at batch - parallel; 0 (or
                                // kv_unified false): only the prompt's last logits score
};

struct TopLogprob {
  int32_t token = 0;
  std::string piece;
  float logprob = 0;
};

// One step of output for a request.
struct TokenEvent {
  int32_t token = 0;
  std::string text;       // text released by this token (held back while it could start a
                          // stop string; may be empty; never splits a UTF-8 character)
  float logprob = 0;      // log-probability of the chosen token (after sampling filters: raw model)
  std::vector<TopLogprob> top;  // top-N alternatives when requested
  bool forced = false;    // appended by jump-forward (the grammar allowed nothing else)
};

enum class FinishReason { kStop, kLength, kCancelled, kDeadline, kError };
std::string_view FinishReasonName(FinishReason r);  // "stop", "length", ...

struct CompletionResult {
  FinishReason finish = FinishReason::kStop;
  Status status;                  // non-OK with kError
  std::string text;               // the whole generated text (stop string excluded)
  int32_t prompt_tokens = 0;
  int32_t cached_prompt_tokens = 0;   // taken from the prefix cache, not computed
  int32_t completion_tokens = 0;     // includes forced tokens
  int32_t forced_tokens = 0;         // appended by jump-forward without a decode step
  bool grammar_complete = false;     // with a grammar: the output is a complete match
  double mask_ms = 0;                // time spent computing grammar masks
  int64_t masks = 0;
  double queue_ms = 0;            // submit → first scheduled
  double time_to_first_token_ms = 0;  // submit → first token
  double total_ms = 0;
};

struct CompletionRequest {
  std::vector<int32_t> prompt;    // already tokenized (chat template applied by the caller)
  int32_t max_tokens = 128;
  SamplingOptions sampling;
  std::vector<std::string> stop;  // stop strings (not included in the output)
  bool ignore_eos = false;
  int32_t top_logprobs = -1;      // -1: no logprobs; 0..20: chosen logprob plus N alternatives
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Constrains the output; must be compiled against model.GrammarVocabulary(). The output
  // is then always a prefix of a match, and a complete match unless max_tokens is smaller
  // than the shortest completion from the start (budget mode closes it in time otherwise).
  std::shared_ptr<const grammar::CompiledGrammar> grammar;
  bool jump_forward = true;  // append tokens the grammar forces without decoding them one by one
  // Budget mode engages this many tokens before the shortest completion no longer fits
  // (grammar::MaskOptions::budget_window). Raise it for grammars where one token can
  // lengthen the shortest completion by more (e.g. "," opening another required object).
  int32_t budget_window = 16;
};

// Scoring: the log-probabilities of given token continuations after one prompt, without
// sampling. The prompt is prefilled once (through the prefix cache like any request); the
// continuations form a token trie whose first tokens are scored from the prompt's last
// logits; deeper tokens are decoded in batched passes on branch sequences that share the
// prompt's KV cells (llama_memory_seq_cp), one batch token per trie node.
struct ScoreRequest {
  std::vector<int32_t> prompt;                      // non-empty, tokenized
  std::vector<std::vector<int32_t>> continuations;  // each non-empty
  // true: a token that is the only continuation of its prefix among `continuations` is not
  // evaluated (its log-prob reads 0), as under a grammar that forces it. Enough for
  // ScoreResult::restricted_logprob and much cheaper when most continuations differ early.
  bool skip_unbranched = false;
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct ScoreResult {
  Status status;  // not OK (error, cancelled, deadline): the figures below are not meaningful
  // Per continuation: log p(token | prompt, earlier tokens) over the full vocabulary, for each
  // token (0 where skip_unbranched left it out), and their sum.
  std::vector<std::vector<float>> token_logprobs;
  std::vector<float> logprob;
  // Per continuation: the log-probability of decoding it when only the continuations are
  // allowed — at every trie node the model's probabilities renormalised over that node's
  // children (what a grammar allowing exactly these continuations samples from). Over
  // distinct continuations none of which is a proper prefix of another, exp() sums to 1.
  std::vector<float> restricted_logprob;
  int32_t prompt_tokens = 0;
  int32_t cached_prompt_tokens = 0;  // taken from the prefix cache, not computed
  int32_t branch_tokens = 0;         // tokens decoded after the prompt (all passes)
  int32_t passes = 0;                // decode passes after the prompt
  double queue_ms = 0;
  double total_ms = 0;
};

class RequestHandle {
 public:
  virtual ~RequestHandle() = default;
  // Asks the scheduler to stop this request (client went away). Safe from any thread,
  // idempotent; the done callback still runs once, with FinishReason::kCancelled.
  virtual void Cancel() = 0;
};

using TokenCallback = std::function<void(const TokenEvent&)>;
using DoneCallback = std::function<void(const CompletionResult&)>;

struct SchedulerStats {
  int32_t running = 0;           // sequences being decoded
  int32_t queued = 0;            // waiting for a sequence slot
  int32_t kv_used = 0;           // KV cells in use (incl. cached prefixes)
  int32_t kv_total = 0;
  uint64_t prompt_tokens = 0;          // total prompt tokens submitted
  uint64_t prompt_tokens_cached = 0;   // of which served from the prefix cache
  uint64_t generated_tokens = 0;
  uint64_t requests_done = 0;
};

class Scheduler {
 public:
  // Creates the context and starts the scheduler thread.
  static Result<std::unique_ptr<Scheduler>> Create(std::shared_ptr<Model> model,
                                                   const SchedulerOptions& options);
  virtual ~Scheduler() = default;  // stops the thread; running requests finish as kCancelled

  // Queues a request. Fails at once with InvalidArgument (empty prompt, bad limits),
  // OutOfRange (prompt + 1 does not fit the context) or ResourceExhausted (queue full).
  // Exactly one `on_done` follows every successful Submit.
  virtual Result<std::shared_ptr<RequestHandle>> Submit(CompletionRequest request,
                                                        TokenCallback on_token,
                                                        DoneCallback on_done) = 0;
  // Queues a scoring request. Fails at once with InvalidArgument (empty prompt or
  // continuation, token out of the vocabulary), OutOfRange (prompt plus the longest
  // continuation does not fit a sequence, or a continuation is longer than the batch),
  // FailedPrecondition (continuations need branch passes but score_branches is 0 or the KV
  // cache is not unified) or ResourceExhausted (queue full). Exactly one `on_done` follows
  // a successful SubmitScore, on the scheduler thread. Schedulers that cannot score (test
  // doubles) inherit this default, which returns Unsupported.
  virtual Result<std::shared_ptr<RequestHandle>> SubmitScore(ScoreRequest request,
                                                             std::function<void(const ScoreResult&)> on_done);
  // SubmitScore and wait. Never call it from a scheduler callback.
  Result<ScoreResult> Score(ScoreRequest request);
  virtual SchedulerStats Stats() const = 0;
  virtual const Model& model() const = 0;
  virtual const SchedulerOptions& options() const = 0;
};

}  // namespace kolibri
