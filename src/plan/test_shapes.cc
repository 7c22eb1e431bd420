#include "plan/test_shapes.h"

#include <cstdint>

namespace kolibri::plan {
namespace {

struct Shape {
  const char* name;
  const char* arch;
  const char* vocab_file;
  int n_layer;
  int n_embd;
  int n_head;
  int n_head_kv;
  int head_dim;
  int n_ff;
  int ctx_train;
  bool qkv_bias;
  int swa_window;  // 0: no sliding-window attention
};

// Published configurations (config.json of each model on its hub page).
constexpr Shape kShapes[] = {
    {"tiny", "qwen2", "ggml-vocab-qwen2.gguf", 2, 64, 4, 2, 16, 128, 32768, true, 0},
    {"smollm2-135m", "llama", "ggml-vocab-starcoder.gguf", 30, 576, 9, 3, 64, 1536, 8192, false, 0},
    {"qwen2.5-0.5b", "qwen2", "ggml-vocab-qwen2.gguf", 24, 896, 14, 2, 64, 4864, 32768, true, 0},
    {"qwen2.5-1.5b", "qwen2", "ggml-vocab-qwen2.gguf", 28, 1536, 12, 2, 128, 8960, 32768, true, 0},
    {"llama3.2-1b", "llama", "ggml-vocab-llama-bpe.gguf", 16, 2048, 32, 8, 64, 8192, 131072, false, 0},
    {"gemma3-270m-swa", "gemma3", "ggml-vocab-gemma-4.gguf", 18, 640, 4, 1, 256, 2048, 32768, false, 512},
};

const Shape* FindShape(const std::string& name) {
  for (const Shape& s : kShapes) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

GgmlType FitType(GgmlType wanted, int64_t row) {
  for (GgmlType t : {wanted, GgmlType::kQ8_0, GgmlType::kF16}) {
    if (row % GgmlTypeInfo(static_cast<uint32_t>(t))->block_size == 0) return t;
  }
  return GgmlType::kF32;
}

}  // namespace

std::vector<std::string> TestShapeNames() {
  std::vector<std::string> names;
  for (const Shape& s : kShapes) names.emplace_back(s.name);
  return names;
}

Result<std::string> TestShapeVocabFile(const std::string& shape) {
  const Shape* s = FindShape(shape);
  if (s == nullptr) return Status::InvalidArgument("unknown test shape '" + shape + "'");
  return std::string(s->vocab_file);
}

Result<SparseGgufSpec> MakeTestShapeSpec(const std::string& shape, const GgufFile& vocab,
                                         GgmlType matrix_type) {
  const Shape* s = FindShape(shape);
  if (s == nullptr) return Status::InvalidArgument("unknown test shape '" + shape + "'");
  const std::string a = s->arch;
  SparseGgufSpec spec;
  auto& md = spec.metadata;
  md.emplace_back("general.architecture", GgufString(a));
  md.emplace_back("general.name", GgufString(std::string("kolibri-test-") + s->name));
  md.emplace_back(a + ".context_length", GgufU32(s->ctx_train));
  md.emplace_back(a + ".embedding_length", GgufU32(s->n_embd));
  md.emplace_back(a + ".block_count", GgufU32(s->n_layer));
  md.emplace_back(a + ".feed_forward_length", GgufU32(s->n_ff));
  md.emplace_back(a + ".attention.head_count", GgufU32(s->n_head));
  md.emplace_back(a + ".attention.head_count_kv", GgufU32(s->n_head_kv));
  md.emplace_back(a + ".attention.key_length", GgufU32(s->head_dim));
  md.emplace_back(a + ".attention.value_length", GgufU32(s->head_dim));
  md.emplace_back(a + ".attention.layer_norm_rms_epsilon", GgufF32(1e-6f));
  md.emplace_back(a + ".rope.freq_base", GgufF32(10000.0f));
  if (s->swa_window > 0) md.emplace_back(a + ".attention.sliding_window", GgufU32(s->swa_window));
  for (const auto& [key, value] : vocab.metadata()) {
    if (key.rfind("tokenizer.", 0) == 0 && key != "tokenizer.chat_template") md.emplace_back(key, value);
  }
  const auto n_vocab = vocab.GetArraySize("tokenizer.ggml.tokens");
  if (!n_vocab) return Status::InvalidArgument("vocabulary file has no tokenizer.ggml.tokens");

  const int64_t e = s->n_embd;
  const int64_t q = static_cast<int64_t>(s->n_head) * s->head_dim;
  const int64_t kv = static_cast<int64_t>(s->n_head_kv) * s->head_dim;
  auto matrix = [&](std::string name, int64_t rows_in, int64_t cols) {
    spec.tensors.push_back({std::move(name), {rows_in, cols}, FitType(matrix_type, rows_in)});
  };
  auto vec = [&](std::string name, int64_t n) {
    spec.tensors.push_back({std::move(name), {n}, GgmlType::kF32});
  };
  // Tied embeddings (no output.weight), as in all these models.
  matrix("token_embd.weight", e, static_cast<int64_t>(*n_vocab));
  vec("output_norm.weight", e);
  for (int i = 0; i < s->n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    vec(b + "attn_norm.weight", e);
    matrix(b + "attn_q.weight", e, q);
    matrix(b + "attn_k.weight", e, kv);
    matrix(b + "attn_v.weight", e, kv);
    matrix(b + "attn_output.weight", q, e);
    if (s->qkv_bias) {
      vec(b + "attn_q.bias", q);
      vec(b + "attn_k.bias", kv);
      vec(b + "attn_v.bias", kv);
    }
    if (a == "gemma3") {
      vec(b + "attn_q_norm.weight", s->head_dim);
      vec(b + "attn_k_norm.weight", s->head_dim);
      vec(b + "post_attention_norm.weight", e);
      vec(b + "post_ffw_norm.weight", e);
    }
    vec(b + "ffn_norm.weight", e);
    matrix(b + "ffn_gate.weight", e, s->n_ff);
    matrix(b + "ffn_up.weight", e, s->n_ff);
    matrix(b + "ffn_down.weight", s->n_ff, e);
  }
  return spec;
}

}  // namespace kolibri::plan
