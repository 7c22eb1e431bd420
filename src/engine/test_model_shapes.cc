#include "engine/test_model_shapes.h"

namespace kolibri::engine {
namespace {

const char* const kChatMl =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
    "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' "
    "}}{% endif %}";
const char* const kLlama3 =
    "{{- bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + "
    "'<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}{% if "
    "add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
const char* const kGemma =
    "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'assistant' %}{% set role "
    "= 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + "
    "'\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt "
    "%}{{'<start_of_turn>model\\n'}}{% endif %}";

std::vector<ShapeSpec> MakeShapes() {
  std::vector<ShapeSpec> s;
  {
    ShapeSpec t;
    t.name = "tiny"; t.arch = "llama"; t.description = "2 layers, 64 dims: fast unit tests";
    t.vocab_file = "ggml-vocab-qwen2.gguf";
    t.n_embd = 64; t.n_layer = 2; t.n_head = 4; t.n_head_kv = 2; t.n_ff = 128; t.n_ctx_train = 4096;
    t.rms_eps = 1e-5f; t.chat_template = kChatMl;
    s.push_back(t);
  }
  {
    ShapeSpec q;
    q.name = "qwen2.5-0.5b"; q.arch = "qwen2"; q.description = "Qwen2.5-0.5B: 24 layers, 896 dims, GQA 14/2";
    q.vocab_file = "ggml-vocab-qwen2.gguf";
    q.n_embd = 896; q.n_layer = 24; q.n_head = 14; q.n_head_kv = 2; q.n_ff = 4864; q.n_ctx_train = 32768;
    q.rope_base = 1000000.0f; q.rms_eps = 1e-6f; q.qkv_bias = true; q.chat_template = kChatMl;
    s.push_back(q);
    q.name = "qwen2.5-1.5b"; q.description = "Qwen2.5-1.5B: 28 layers, 1536 dims, GQA 12/2";
    q.n_embd = 1536; q.n_layer = 28; q.n_head = 12; q.n_head_kv = 2; q.n_ff = 8960;
    s.push_back(q);
  }
  {
    ShapeSpec m;
    m.name = "smollm2-135m"; m.arch = "llama"; m.description = "SmolLM2-135M: 30 layers, 576 dims, GQA 9/3";
    m.vocab_file = "ggml-vocab-starcoder.gguf";
    m.n_embd = 576; m.n_layer = 30; m.n_head = 9; m.n_head_kv = 3; m.n_ff = 1536; m.n_ctx_train = 8192;
    m.rope_base = 100000.0f; m.rms_eps = 1e-5f; m.chat_template = kChatMl;
    s.push_back(m);
  }
  {
    ShapeSpec l;
    l.name = "llama3.2-1b"; l.arch = "llama"; l.description = "Llama-3.2-1B: 16 layers, 2048 dims, GQA 32/8";
    l.vocab_file = "ggml-vocab-llama-bpe.gguf";
    l.n_embd = 2048; l.n_layer = 16; l.n_head = 32; l.n_head_kv = 8; l.n_ff = 8192; l.n_ctx_train = 131072;
    l.rope_base = 500000.0f; l.rms_eps = 1e-5f; l.rope_freqs = 32; l.chat_template = kLlama3;
    s.push_back(l);
  }
  {
    ShapeSpec g;
    g.name = "gemma3-270m"; g.arch = "gemma3";
    g.description = "Gemma-3-270M: 18 layers, 640 dims, sliding window 512 on 5 of 6 layers";
    g.vocab_file = "ggml-vocab-gemma-4.gguf";
    g.n_embd = 640; g.n_layer = 18; g.n_head = 4; g.n_head_kv = 1; g.head_dim = 256; g.n_ff = 2048;
    g.n_ctx_train = 32768; g.rope_base = 1000000.0f; g.rms_eps = 1e-6f; g.sliding_window = 512;
    g.chat_template = kGemma;
    s.push_back(g);
  }
  {
    // BERT encoders for embeddings (bge family: CLS pooling, bidirectional attention,
    // LayerNorm with biases, learned absolute positions).
    ShapeSpec b;
    b.name = "bge-small"; b.arch = "bert"; b.description = "bge-small-en-v1.5: 12 layers, 384 dims, embeddings";
    b.vocab_file = "ggml-vocab-bert-bge.gguf";
    b.n_embd = 384; b.n_layer = 12; b.n_head = 12; b.n_head_kv = 12; b.n_ff = 1536; b.n_ctx_train = 512;
    b.pooling_type = 2;
    s.push_back(b);
    b.name = "bert-tiny"; b.description = "2 layers, 64 dims, embeddings: fast unit tests";
    b.n_embd = 64; b.n_layer = 2; b.n_head = 4; b.n_head_kv = 4; b.n_ff = 128;
    s.push_back(b);
  }
  return s;
}

std::vector<TensorSpec> BertTensors(const ShapeSpec& s, int64_t n_vocab) {
  std::vector<TensorSpec> t;
  t.push_back({"token_embd.weight", {s.n_embd, n_vocab}});
  t.push_back({"token_types.weight", {s.n_embd, 2}, false, false, true});  // added as is: f32
  t.push_back({"position_embd.weight", {s.n_embd, s.n_ctx_train}});
  t.push_back({"token_embd_norm.weight", {s.n_embd}, true});
  t.push_back({"token_embd_norm.bias", {s.n_embd}, false, true});
  for (int64_t i = 0; i < s.n_layer; ++i) {
    std::string p = "blk." + std::to_string(i) + ".";
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      t.push_back({p + m + ".weight", {s.n_embd, s.n_embd}});
      t.push_back({p + m + ".bias", {s.n_embd}, false, true});
    }
    t.push_back({p + "attn_output_norm.weight", {s.n_embd}, true});
    t.push_back({p + "attn_output_norm.bias", {s.n_embd}, false, true});
    t.push_back({p + "ffn_up.weight", {s.n_embd, s.n_ff}});
    t.push_back({p + "ffn_up.bias", {s.n_ff}, false, true});
    t.push_back({p + "ffn_down.weight", {s.n_ff, s.n_embd}});
    t.push_back({p + "ffn_down.bias", {s.n_embd}, false, true});
    t.push_back({p + "layer_output_norm.weight", {s.n_embd}, true});
    t.push_back({p + "layer_output_norm.bias", {s.n_embd}, false, true});
  }
  return t;
}

}  // namespace

const std::vector<ShapeSpec>& AllShapes() {
  static const std::vector<ShapeSpec> shapes = MakeShapes();
  return shapes;
}

const ShapeSpec* FindShape(const std::string& name) {
  for (const auto& s : AllShapes()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<TensorSpec> TensorsFor(const ShapeSpec& s, int64_t n_vocab) {
  if (s.arch == "bert") return BertTensors(s, n_vocab);
  const int64_t head_dim = s.head_dim > 0 ? s.head_dim : s.n_embd / s.n_head;
  const int64_t q_dim = head_dim * s.n_head;
  const int64_t kv_dim = head_dim * s.n_head_kv;
  std::vector<TensorSpec> t;
  t.push_back({"token_embd.weight", {s.n_embd, n_vocab}});
  t.push_back({"output_norm.weight", {s.n_embd}, true});
  if (!s.tied_output) t.push_back({"output.weight", {s.n_embd, n_vocab}});
  if (s.rope_freqs > 0) t.push_back({"rope_freqs.weight", {s.rope_freqs}, true});
  const bool gemma = s.arch == "gemma3";
  for (int64_t i = 0; i < s.n_layer; ++i) {
    std::string p = "blk." + std::to_string(i) + ".";
    t.push_back({p + "attn_norm.weight", {s.n_embd}, true});
    t.push_back({p + "attn_q.weight", {s.n_embd, q_dim}});
    t.push_back({p + "attn_k.weight", {s.n_embd, kv_dim}});
    t.push_back({p + "attn_v.weight", {s.n_embd, kv_dim}});
    if (s.qkv_bias) {
      t.push_back({p + "attn_q.bias", {q_dim}, false, true});
      t.push_back({p + "attn_k.bias", {kv_dim}, false, true});
      t.push_back({p + "attn_v.bias", {kv_dim}, false, true});
    }
    t.push_back({p + "attn_output.weight", {q_dim, s.n_embd}});
    if (gemma) {
      t.push_back({p + "attn_q_norm.weight", {head_dim}, true});
      t.push_back({p + "attn_k_norm.weight", {head_dim}, true});
      t.push_back({p + "post_attention_norm.weight", {s.n_embd}, true});
      t.push_back({p + "post_ffw_norm.weight", {s.n_embd}, true});
    }
    t.push_back({p + "ffn_norm.weight", {s.n_embd}, true});
    t.push_back({p + "ffn_gate.weight", {s.n_embd, s.n_ff}});
    t.push_back({p + "ffn_up.weight", {s.n_embd, s.n_ff}});
    t.push_back({p + "ffn_down.weight", {s.n_ff, s.n_embd}});
  }
  return t;
}

}  // namespace kolibri::engine
