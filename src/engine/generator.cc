#include "kolibri/generator.h"

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "engine/llama_backend.h"
#include "llama.h"

namespace kolibri {
namespace {

struct ContextDeleter {
  void operator()(llama_context* c) const { llama_free(c); }
};
struct SamplerDeleter {
  void operator()(llama_sampler* s) const { llama_sampler_free(s); }
};

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

Status CheckOptions(const GenerateOptions& o) {
  if (o.max_tokens <= 0) return Status::InvalidArgument("max tokens must be positive, got " + std::to_string(o.max_tokens));
  if (o.threads < 0) return Status::InvalidArgument("threads must be >= 0, got " + std::to_string(o.threads));
  if (o.context < 0) return Status::InvalidArgument("context must be >= 0, got " + std::to_string(o.context));
  const SamplingOptions& s = o.sampling;
  if (s.temperature < 0) return Status::InvalidArgument("temperature must be >= 0");
  if (s.top_p <= 0 || s.top_p > 1) return Status::InvalidArgument("top-p must be in (0, 1]");
  if (s.min_p < 0 || s.min_p >= 1) return Status::InvalidArgument("min-p must be in [0, 1)");
  if (s.top_k < 0) return Status::InvalidArgument("top-k must be >= 0");
  if (s.repeat_penalty <= 0) return Status::InvalidArgument("repeat penalty must be > 0");
  return Status::Ok();
}

std::unique_ptr<llama_sampler, SamplerDeleter> MakeSampler(const SamplingOptions& s, int32_t n_vocab) {
  std::unique_ptr<llama_sampler, SamplerDeleter> chain(
      llama_sampler_chain_init(llama_sampler_chain_default_params()));
  if (s.repeat_penalty != 1.0f) {
    llama_sampler_chain_add(chain.get(), llama_sampler_init_penalties(n_vocab, 64, s.repeat_penalty, 0.0f, 0.0f));
  }
  if (s.temperature <= 0) {
    llama_sampler_chain_add(chain.get(), llama_sampler_init_greedy());
    return chain;
  }
  if (s.top_k > 0) llama_sampler_chain_add(chain.get(), llama_sampler_init_top_k(s.top_k));
  if (s.top_p < 1) llama_sampler_chain_add(chain.get(), llama_sampler_init_top_p(s.top_p, 1));
  if (s.min_p > 0) llama_sampler_chain_add(chain.get(), llama_sampler_init_min_p(s.min_p, 1));
  llama_sampler_chain_add(chain.get(), llama_sampler_init_temp(s.temperature));
  llama_sampler_chain_add(chain.get(), llama_sampler_init_dist(s.seed));
  return chain;
}

}  // namespace

Result<GenerateStats> Generate(const Model& model, std::string_view prompt,
                               const GenerateOptions& options, const PieceCallback& on_piece) {
  engine::EnsureLlamaBackend();
  KOLIBRI_RETURN_IF_ERROR(CheckOptions(options));
  if (prompt.empty()) return Status::InvalidArgument("the prompt is empty");
  KOLIBRI_ASSIGN_OR_RETURN(std::vector<int32_t> tokens, model.Tokenize(prompt, TokenizeOptions{}));
  if (tokens.empty()) return Status::InvalidArgument("the prompt tokenizes to nothing");

  const int32_t n_prompt = static_cast<int32_t>(tokens.size());
  const int32_t train_ctx = model.train_context();
  int32_t n_ctx = options.context;
  if (n_ctx == 0) {
    n_ctx = n_prompt + options.max_tokens;
    if (train_ctx > 0 && n_ctx > train_ctx) n_ctx = train_ctx;
  }
  if (n_prompt >= n_ctx) {
    return Status::OutOfRange("the prompt has " + std::to_string(n_prompt) +
                              " tokens but the context holds " + std::to_string(n_ctx) +
                              (options.context == 0 ? " (the model's training context)" : "") +
                              "; shorten the prompt" + (options.context == 0 ? "" : " or raise --ctx"));
  }

  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(n_ctx);
  cp.n_batch = static_cast<uint32_t>(std::min(n_ctx, 2048));
  cp.n_ubatch = std::min<uint32_t>(cp.n_batch, 512);
  cp.n_seq_max = 1;
  int32_t threads = options.threads > 0 ? options.threads
                                        : static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
  cp.n_threads = threads;
  cp.n_threads_batch = threads;
  cp.no_perf = true;
  std::unique_ptr<llama_context, ContextDeleter> ctx(llama_init_from_model(model.raw(), cp));
  if (!ctx) return Status::Internal("llama.cpp could not create a context of " + std::to_string(n_ctx) + " tokens");
  auto sampler = MakeSampler(options.sampling, model.vocab_size());

  GenerateStats stats;
  stats.prompt_tokens = n_prompt;
  auto t0 = std::chrono::steady_clock::now();
  for (int32_t start = 0; start < n_prompt; start += static_cast<int32_t>(cp.n_batch)) {
    int32_t n = std::min<int32_t>(static_cast<int32_t>(cp.n_batch), n_prompt - start);
    llama_batch batch = llama_batch_get_one(tokens.data() + start, n);
    if (llama_decode(ctx.get(), batch) != 0) return Status::Internal("llama_decode failed on the prompt");
  }
  stats.prompt_ms = MsSince(t0);

  auto t1 = std::chrono::steady_clock::now();
  int32_t budget = std::min(options.max_tokens, n_ctx - n_prompt);
  stats.stop_reason = "length";
  for (int32_t i = 0; i < budget; ++i) {
    llama_token tok = llama_sampler_sample(sampler.get(), ctx.get(), -1);
    if (i == 0) t1 = std::chrono::steady_clock::now();
    if (!options.ignore_eos && model.IsEndOfGeneration(tok)) {
      stats.stop_reason = "eos";
      break;
    }
    ++stats.generated_tokens;
    if (on_piece && !on_piece(model.TokenToPiece(tok))) {
      stats.stop_reason = "cancelled";
      break;
    }
    if (i + 1 == budget) break;
    llama_batch batch = llama_batch_get_one(&tok, 1);
    if (llama_decode(ctx.get(), batch) != 0) return Status::Internal("llama_decode failed while generating");
  }
  stats.generate_ms = MsSince(t1);
  if (stats.stop_reason == "length" && budget < options.max_tokens && stats.generated_tokens == budget) {
    stats.stop_reason = "context";
  }
  return stats;
}

}  // namespace kolibri
