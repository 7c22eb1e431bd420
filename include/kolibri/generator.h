// Generate: one prompt, one sequence, tokens streamed to a callback. This is the simple
// path behind `kolibri generate`; the server uses the batching scheduler instead.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "kolibri/model.h"
#include "kolibri/status.h"

namespace kolibri {

struct SamplingOptions {
  float temperature = 0.8f;   // 0: greedy
  int32_t top_k = 40;         // 0: off
  float top_p = 0.95f;        // 1: off
  float min_p = 0.05f;        // 0: off
  float repeat_penalty = 1.0f;  // 1: off
  uint32_t seed = 0xFFFFFFFF;   // 0xFFFFFFFF: random
};

struct GenerateOptions {
  int32_t max_tokens = 128;
  int32_t threads = 0;     // 0: all hardware threads
  int32_t context = 0;     // KV-cache tokens; 0: prompt + max_tokens, capped at training context
  bool ignore_eos = false; // keep generating past end-of-generation tokens
  SamplingOptions sampling;
};

struct GenerateStats {
  int32_t prompt_tokens = 0;
  int32_t generated_tokens = 0;
  double prompt_ms = 0;    // prefill time
  double generate_ms = 0;  // decode time after the first token
  std::string stop_reason; // "eos", "length", "context" (the context filled up), "cancelled"
  double PromptTokensPerSecond() const { return prompt_ms > 0 ? prompt_tokens * 1000.0 / prompt_ms : 0; }
  double GenerateTokensPerSecond() const {
    return generate_ms > 0 && generated_tokens > 1 ? (generated_tokens - 1) * 1000.0 / generate_ms : 0;
  }
};

// Called with each generated piece (raw bytes; may split a UTF-8 character). Return false
// to stop early.
using PieceCallback = std::function<bool(std::string_view piece)>;

// Errors: InvalidArgument (bad options, empty prompt), OutOfRange (prompt does not fit the
// context), Internal (llama.cpp failure).
Result<GenerateStats> Generate(const Model& model, std::string_view prompt,
                               const GenerateOptions& options, const PieceCallback& on_piece);

}  // namespace kolibri
