// Architecture descriptions for the test-model writer: hyperparameters, GGUF keys and the
// tensor list of each supported shape, taken from the public configs of the real models
// and the tensor layout llama.cpp expects for their architecture at the pinned commit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kolibri::engine {

struct ShapeSpec {
  std::string name;
  std::string arch;          // general.architecture
  std::string description;
  std::string vocab_file;    // suggested vocabulary GGUF
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;      // 0: n_embd / n_head
  int64_t n_ff = 0;
  int64_t n_ctx_train = 0;
  float rope_base = 10000.0f;
  float rms_eps = 1e-6f;
  bool qkv_bias = false;     // qwen2
  bool tied_output = true;   // no output.weight: logits reuse token_embd
  int64_t rope_freqs = 0;    // llama 3 rope_freqs tensor length (0: none)
  int64_t sliding_window = 0;  // gemma3-style interleaved SWA
  float norm_eps = 1e-12f;   // LayerNorm epsilon (bert)
  uint32_t pooling_type = 0; // bert: 1 mean, 2 CLS (llama_pooling_type)
  std::string chat_template;
};

// Every shape; names are unique.
const std::vector<ShapeSpec>& AllShapes();
const ShapeSpec* FindShape(const std::string& name);

struct TensorSpec {
  std::string name;
  std::vector<int64_t> dims;  // ne[0] first
  bool is_norm = false;       // 1-D scale: filled with ones, stored as f32
  bool is_bias = false;       // 1-D bias: zeros, f32
  bool noise_f32 = false;     // random like a weight but stored as f32 (bert token_types)
};

std::vector<TensorSpec> TensorsFor(const ShapeSpec& shape, int64_t n_vocab);

}  // namespace kolibri::engine
