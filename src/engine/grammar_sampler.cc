#include "engine/grammar_sampler.h"

#include <chrono>
#include <cmath>
#include <vector>

#include "llama.h"

namespace kolibri::engine {
namespace {

struct Ctx {
  GrammarSamplerState* state;
  std::vector<uint32_t> words;
};

const char* Name(const llama_sampler*) { return "kolibri-grammar"; }

void Accept(llama_sampler* smpl, llama_token token) {
  auto* c = static_cast<Ctx*>(smpl->ctx);
  if (!c->state->matcher->AcceptToken(token)) c->state->rejected = true;
}

void Apply(llama_sampler* smpl, llama_token_data_array* cur_p) {
  auto* c = static_cast<Ctx*>(smpl->ctx);
  auto t0 = std::chrono::steady_clock::now();
  grammar::MaskOptions opts;
  opts.remaining_tokens = c->state->remaining_tokens;
  opts.budget_window = c->state->budget_window;
  c->state->matcher->FillNextTokenBitmask(c->words.data(), opts);
  const uint32_t* w = c->words.data();
  const size_t n_bits = c->words.size() * 32;
  auto allowed = [&](llama_token id) {
    const auto u = static_cast<size_t>(id);
    return u < n_bits && ((w[u >> 5] >> (u & 31)) & 1u) != 0;
  };
  // Disallowed candidates are dropped rather than set to -inf: the rest of the chain (top-k,
  // top-p, softmax, the final draw) then works on the allowed tokens only, which is most of
  // what makes a constrained step cost no more than a free one. Order is kept, so the draw
  // is the same as with -inf logits. An empty mask (a matcher bug) keeps the old -inf
  // marking so the chain still has candidates and the caller sees the rejection.
  size_t kept = 0;
  for (size_t i = 0; i < cur_p->size; ++i) {
    if (allowed(cur_p->data[i].id)) cur_p->data[kept++] = cur_p->data[i];
  }
  if (kept == 0) {  // nothing was moved: mark everything instead
    for (size_t i = 0; i < cur_p->size; ++i) cur_p->data[i].logit = -INFINITY;
  } else {
    cur_p->size = kept;
    cur_p->selected = -1;
  }
  c->state->mask_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now() - t0).count();
  c->state->masks += 1;
}

void Free(llama_sampler* smpl) { delete static_cast<Ctx*>(smpl->ctx); }

llama_sampler_i kInterface = {
    /*.name =*/Name,
    /*.accept =*/Accept,
    /*.apply =*/Apply,
    /*.reset =*/nullptr,
    /*.clone =*/nullptr,
    /*.free =*/Free,
    /*.backend_init =*/nullptr,
    /*.backend_accept =*/nullptr,
    /*.backend_apply =*/nullptr,
    /*.backend_set_input =*/nullptr,
    /*.backend_reset =*/nullptr,
    /*.copy_state =*/nullptr,
};

}  // namespace

llama_sampler* NewGrammarSampler(GrammarSamplerState* state) {
  auto* ctx = new Ctx{state, std::vector<uint32_t>(state->matcher->mask_words())};
  return llama_sampler_init(&kInterface, ctx);
}

}  // namespace kolibri::engine
