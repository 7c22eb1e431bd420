#include "plan/model_shape.h"

#include <algorithm>
#include <set>

namespace kolibri::plan {
namespace {

// Decoder architectures with a plain per-layer KV cache in the pinned llama.cpp (the
// default branch of llama_model::create_memory without SWA or recurrent layers).
const std::set<std::string> kPlainAttention = {
    "llama", "qwen2", "qwen3", "qwen2moe", "qwen3moe", "phi2", "phi3", "gemma", "granite",
    "granitemoe", "starcoder2", "stablelm", "olmo", "olmo2", "internlm2", "minicpm", "minicpm3",
    "exaone", "smollm3", "mistral3", "deci", "gpt2", "gptneox", "falcon", "bloom", "mpt",
    "refact", "starcoder", "orion", "chatglm", "glm4", "arcee", "ernie4_5", "seed_oss", "apertus",
    "hunyuan-dense"};

// Sliding-window architectures and llama.cpp's default layer pattern for each
// (load_swa_pattern(ml, n_pattern, dense_first) in the model's load_arch_hparams).
struct SwaDefault {
  const char* arch;
  uint32_t pattern;
  bool dense_first;
};
constexpr SwaDefault kSwaDefaults[] = {
    {"gemma2", 2, false}, {"gemma3", 6, false}, {"cohere2", 4, false},
};

// Recurrent-state architectures (llm_arch_is_recurrent).
const std::set<std::string> kRecurrent = {"mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7"};

bool IsSet(const GgufValue* v) { return v != nullptr; }

}  // namespace

bool ModelShape::HasSlidingWindow() const {
  return std::any_of(layers.begin(), layers.end(), [](const LayerShape& l) { return l.kind == LayerKind::kSlidingWindow; });
}
bool ModelShape::HasRecurrent() const {
  return std::any_of(layers.begin(), layers.end(), [](const LayerShape& l) { return l.kind == LayerKind::kRecurrent; });
}
bool ModelShape::HasAttention() const {
  return std::any_of(layers.begin(), layers.end(), [](const LayerShape& l) { return l.kind != LayerKind::kRecurrent; });
}
int64_t ModelShape::MaxHeads() const {
  int64_t m = 0;
  for (const auto& l : layers) m = std::max(m, l.n_head);
  return m;
}

Result<ModelShape> ReadModelShape(const GgufFile& file) {
  ModelShape s;
  s.architecture = file.architecture();
  if (s.architecture.empty()) {
    return Status::Unsupported("'" + file.path() + "' has no general.architecture; not a llama.cpp model file");
  }
  const auto n_layer = file.ArchInt("block_count");
  const auto n_embd = file.ArchInt("embedding_length");
  if (!n_layer || *n_layer <= 0 || !n_embd || *n_embd <= 0) {
    return Status::Unsupported("'" + file.path() + "' (architecture '" + s.architecture +
                               "') lacks " + s.architecture + ".block_count or .embedding_length");
  }
  s.n_layer = *n_layer;
  s.n_embd = *n_embd;
  s.n_ctx_train = file.ArchInt("context_length").value_or(0);
  s.parameters = file.TotalParameters();
  if (const auto* emb = file.FindTensor("token_embd.weight"); emb != nullptr && emb->dims.size() >= 2) {
    s.n_vocab = emb->dims[1];
  } else {
    s.n_vocab = static_cast<int64_t>(file.GetArraySize("tokenizer.ggml.tokens").value_or(0));
  }
  s.tied_output = file.FindTensor("output.weight") == nullptr;

  const bool recurrent = kRecurrent.count(s.architecture) > 0;
  bool known = recurrent || kPlainAttention.count(s.architecture) > 0;
  const SwaDefault* swa = nullptr;
  for (const auto& d : kSwaDefaults) {
    if (s.architecture == d.arch) swa = &d;
  }
  known = known || swa != nullptr;
  s.support = known ? ArchSupport::kKnown : ArchSupport::kGeneric;

  const auto heads = file.ArchPerLayer("attention.head_count", s.n_layer);
  const auto heads_kv = file.ArchPerLayer("attention.head_count_kv", s.n_layer);
  const auto n_ff = file.ArchPerLayer("feed_forward_length", s.n_layer);
  s.layers.resize(static_cast<size_t>(s.n_layer));
  for (int64_t il = 0; il < s.n_layer; ++il) {
    LayerShape& l = s.layers[static_cast<size_t>(il)];
    l.n_head = heads ? (*heads)[static_cast<size_t>(il)] : 0;
    // llama.cpp: head_count_kv defaults to head_count when absent.
    l.n_head_kv = heads_kv ? (*heads_kv)[static_cast<size_t>(il)] : l.n_head;
    l.n_ff = n_ff ? (*n_ff)[static_cast<size_t>(il)] : 0;
    const int64_t default_head = l.n_head > 0 ? s.n_embd / l.n_head : 0;
    l.head_dim_k = file.ArchInt("attention.key_length").value_or(default_head);
    l.head_dim_v = file.ArchInt("attention.value_length").value_or(default_head);
    if (recurrent) l.kind = LayerKind::kRecurrent;
  }
  if (!recurrent && !std::any_of(s.layers.begin(), s.layers.end(), [](const LayerShape& l) { return l.n_head > 0; })) {
    return Status::Unsupported("architecture '" + s.architecture + "' has no " + s.architecture +
                               ".attention.head_count; the planner cannot size its cache (known: weights " +
                               std::to_string(file.TotalTensorBytes()) + " bytes)");
  }

  s.n_swa = file.ArchInt("attention.sliding_window").value_or(0);
  if (s.n_swa > 0 && !recurrent) {
    // An explicit per-layer array wins; else a period from the key, else the arch default.
    const GgufValue* pattern = file.Find(s.architecture + ".attention.sliding_window_pattern");
    if (IsSet(pattern) && pattern->type == GgufValueType::kArray &&
        pattern->numbers.size() == static_cast<size_t>(s.n_layer)) {
      for (int64_t il = 0; il < s.n_layer; ++il) {
        if (pattern->numbers[static_cast<size_t>(il)] != 0) s.layers[static_cast<size_t>(il)].kind = LayerKind::kSlidingWindow;
      }
    } else if (swa != nullptr || IsSet(pattern)) {
      uint32_t n_pattern = swa != nullptr ? swa->pattern : 0;
      const bool dense_first = swa != nullptr && swa->dense_first;
      if (IsSet(pattern) && pattern->type != GgufValueType::kArray) n_pattern = static_cast<uint32_t>(pattern->integer);
      for (int64_t il = 0; il < s.n_layer; ++il) {
        const auto i = static_cast<uint32_t>(il);
        const bool is_swa = dense_first ? (n_pattern == 0 || i % n_pattern != 0)
                                        : (n_pattern == 0 || i % n_pattern < n_pattern - 1);
        if (is_swa) s.layers[static_cast<size_t>(il)].kind = LayerKind::kSlidingWindow;
      }
    }
  }

  if (recurrent) {
    const int64_t wkv = file.ArchInt("wkv.head_size").value_or(0);
    if (wkv > 0) {
      s.recurrent_r = file.ArchInt("token_shift_count").value_or(2) * s.n_embd;
      s.recurrent_s = s.n_embd * wkv;
    } else {
      const int64_t d_conv = file.ArchInt("ssm.conv_kernel").value_or(0);
      const int64_t d_inner = file.ArchInt("ssm.inner_size").value_or(0);
      const int64_t d_state = file.ArchInt("ssm.state_size").value_or(0);
      const int64_t n_group = file.ArchInt("ssm.group_count").value_or(0);
      s.recurrent_r = (d_conv > 0 ? d_conv - 1 : 0) * (d_inner + 2 * n_group * d_state);
      s.recurrent_s = d_state * d_inner;
    }
  }
  return s;
}

}  // namespace kolibri::plan
