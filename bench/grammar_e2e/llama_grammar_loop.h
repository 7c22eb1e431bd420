// The llama.cpp baseline of bench_grammar_e2e: one sequence decoded token by token through
// llama.cpp's own sampler (common_sampler, as llama-server uses it), optionally with the GBNF
// that llama.cpp's json_schema_to_grammar makes from a JSON Schema. Kept apart from the
// Kolibri side so that only this file sees llama.cpp's common library.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct llama_model;

namespace kolibri::bench {

struct LoopSampling {
  float temperature = 1.0f;
  int32_t top_k = 40;
  float top_p = 0.95f;
  float min_p = 0.05f;
  uint32_t seed = 1;
};

struct LoopResult {
  bool ok = false;
  std::string error;
  std::string text;
  int32_t tokens = 0;            // generated tokens (end-of-generation excluded)
  int32_t samples = 0;           // sampling steps (tokens, plus the end-of-generation one)
  double first_token_ms = 0;     // start → first token sampled (prefill + first sample)
  double after_first_ms = 0;     // first token sampled → last token sampled (samples - 1 steps)
  bool stopped = false;          // ended on an end-of-generation token (not max_tokens)
  std::vector<double> sample_at_ms;  // time of each sampling step since the first one
};

class LlamaGrammarLoop {
 public:
  // A context of `context` cells on `model` (not owned; must outlive this) with `threads`.
  static std::unique_ptr<LlamaGrammarLoop> Create(llama_model* model, int32_t context, int32_t threads,
                                                  std::string* error);
  ~LlamaGrammarLoop();

  // GBNF from llama.cpp's json_schema_to_grammar; empty with *error set when it fails.
  static std::string SchemaToGbnf(const std::string& schema_json, std::string* error);

  // Clears the KV cache, prefills `prompt`, then samples up to max_tokens (stopping at an
  // end-of-generation token unless ignore_eos). Empty gbnf: unconstrained.
  LoopResult Run(const std::vector<int32_t>& prompt, const std::string& gbnf, int32_t max_tokens,
                 const LoopSampling& sampling, bool ignore_eos);

 private:
  LlamaGrammarLoop() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kolibri::bench
