// A llama.cpp sampler (llama_sampler_i) that applies a grammar's token mask: tokens the
// grammar does not allow next get logit -inf, and the chosen token advances the matcher.
// It goes first in a sampler chain, so temperature, top-k/top-p and the final choice only
// ever see allowed tokens.
#pragma once

#include <cstdint>

#include "kolibri/grammar/grammar_matcher.h"

struct llama_sampler;

namespace kolibri::engine {

struct GrammarSamplerState {
  grammar::GrammarMatcher* matcher = nullptr;  // owned by the caller, outlives the sampler
  int32_t remaining_tokens = -1;  // updated by the caller before each step (budget mode)
  int32_t budget_window = 16;     // grammar::MaskOptions::budget_window
  bool rejected = false;          // set when a chosen token was not accepted (a bug)
  int64_t mask_ns = 0;            // time spent filling masks (for metrics and benches)
  int64_t masks = 0;
};

// The sampler reads and writes *state; the caller keeps it alive as long as the sampler.
llama_sampler* NewGrammarSampler(GrammarSamplerState* state);

}  // namespace kolibri::engine
