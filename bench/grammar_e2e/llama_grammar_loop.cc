#include "llama_grammar_loop.h"

#include <chrono>
#include <exception>

#include "common.h"
#include "json-schema-to-grammar.h"
#include "json.h"
#include "llama.h"
#include "sampling.h"

namespace kolibri::bench {

using Clock = std::chrono::steady_clock;

struct LlamaGrammarLoop::Impl {
  llama_model* model = nullptr;
  llama_context* ctx = nullptr;
};

std::unique_ptr<LlamaGrammarLoop> LlamaGrammarLoop::Create(llama_model* model, int32_t context, int32_t threads,
                                                           std::string* error) {
  llama_context_params p = llama_context_default_params();
  p.n_ctx = static_cast<uint32_t>(context);
  p.n_batch = 512;
  p.n_threads = threads;
  p.n_threads_batch = threads;
  p.no_perf = true;
  llama_context* ctx = llama_init_from_model(model, p);
  if (ctx == nullptr) {
    *error = "llama_init_from_model failed";
    return nullptr;
  }
  std::unique_ptr<LlamaGrammarLoop> loop(new LlamaGrammarLoop());
  loop->impl_ = std::make_unique<Impl>();
  loop->impl_->model = model;
  loop->impl_->ctx = ctx;
  return loop;
}

LlamaGrammarLoop::~LlamaGrammarLoop() {
  if (impl_ != nullptr && impl_->ctx != nullptr) llama_free(impl_->ctx);
}

std::string LlamaGrammarLoop::SchemaToGbnf(const std::string& schema_json, std::string* error) {
  try {
    return json_schema_to_grammar(common_json::parse(schema_json));
  } catch (const std::exception& e) {
    *error = e.what();
    return "";
  }
}

LoopResult LlamaGrammarLoop::Run(const std::vector<int32_t>& prompt, const std::string& gbnf, int32_t max_tokens,
                                 const LoopSampling& sampling, bool ignore_eos) {
  LoopResult r;
  llama_context* ctx = impl_->ctx;
  const llama_vocab* vocab = llama_model_get_vocab(impl_->model);
  llama_memory_clear(llama_get_memory(ctx), true);
  common_params_sampling sp;
  sp.temp = sampling.temperature;
  sp.top_k = sampling.top_k;
  sp.top_p = sampling.top_p;
  sp.min_p = sampling.min_p;
  sp.seed = sampling.seed;
  sp.no_perf = true;
  if (!gbnf.empty()) sp.grammar = common_grammar(COMMON_GRAMMAR_TYPE_OUTPUT_FORMAT, gbnf);
  common_sampler* smpl = common_sampler_init(impl_->model, sp);
  if (smpl == nullptr) {
    r.error = "common_sampler_init failed (grammar did not parse?)";
    return r;
  }
  const auto start = Clock::now();
  std::vector<llama_token> tokens(prompt.begin(), prompt.end());
  if (llama_decode(ctx, llama_batch_get_one(tokens.data(), static_cast<int32_t>(tokens.size()))) != 0) {
    common_sampler_free(smpl);
    r.error = "prompt decode failed";
    return r;
  }
  Clock::time_point first{}, last{};
  for (int32_t i = 0; i < max_tokens; ++i) {
    llama_token t = common_sampler_sample(smpl, ctx, -1);
    last = Clock::now();
    if (i == 0) first = last;
    r.sample_at_ms.push_back(std::chrono::duration<double, std::milli>(last - first).count());
    ++r.samples;
    common_sampler_accept(smpl, t, true);
    if (!ignore_eos && llama_vocab_is_eog(vocab, t)) {
      r.stopped = true;
      break;
    }
    ++r.tokens;
    char buf[256];
    const int n = llama_token_to_piece(vocab, t, buf, sizeof buf, 0, false);
    if (n > 0) r.text.append(buf, static_cast<size_t>(n));
    if (i + 1 == max_tokens) break;
    if (llama_decode(ctx, llama_batch_get_one(&t, 1)) != 0) {
      r.error = "decode failed";
      common_sampler_free(smpl);
      return r;
    }
  }
  common_sampler_free(smpl);
  r.first_token_ms = std::chrono::duration<double, std::milli>(first - start).count();
  r.after_first_ms = std::chrono::duration<double, std::milli>(last - first).count();
  r.ok = true;
  return r;
}

}  // namespace kolibri::bench
