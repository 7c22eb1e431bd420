#include "kolibri/model_summary.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace kolibri {
namespace {

// LLM_ARCH_NAMES of src/llama-arch.cpp at the pinned llama.cpp commit (de3ff815ea7d),
// without "clip" (a projector, not a language model).
constexpr std::string_view kKnownArchitectures[] = {
      "llama", "llama4", "deci", "falcon", "grok", "gpt2", "gptj", "gptneox", "mpt", "baichuan",
      "starcoder", "refact", "bert", "modern-bert", "nomic-bert", "nomic-bert-moe", "neo-bert",
      "jina-bert-v2", "jina-bert-v3", "eurobert", "bloom", "stablelm", "qwen", "qwen2",
      "qwen2moe", "qwen2vl", "qwen3", "qwen3moe", "qwen3next", "qwen3vl", "qwen3vlmoe", "qwen35",
      "qwen35moe", "qwen4exp", "phi2", "phi3", "phimoe", "plamo", "plamo2", "plamo3",
      "codeshell", "orion", "internlm2", "minicpm", "minicpm3", "gemma", "gemma2", "gemma3",
      "gemma3n", "gemma4", "gemma4-assistant", "gemma-embedding", "starcoder2", "mamba",
      "mamba2", "maple", "jamba", "falcon-h1", "xverse", "command-r", "cohere2", "cohere2moe",
      "dbrx", "olmo", "olmo2", "olmoe", "muse-glimmer", "openelm", "arctic", "deepseek",
      "deepseek2", "deepseek2-ocr", "deepseek32", "deepseek4", "chatglm", "glm4", "glm4moe",
      "glm-dsa", "bitnet", "t5", "t5encoder", "jais", "jais2", "nemotron", "nemotron_h",
      "nemotron_h_moe", "exaone", "exaone4", "exaone-moe", "rwkv6", "rwkv6qwen2", "rwkv7",
      "arwkv7", "granite", "granitemoe", "granitehybrid", "graniteswitch", "granite_swa",
      "chameleon", "wavtokenizer-dec", "plm", "bailingmoe", "bailingmoe2", "bailingmoe3",
      "dots1", "dots3note", "arcee", "afmoe", "laguna", "ernie4_5", "ernie4_5-moe",
      "hunyuan-moe", "hunyuan-dense", "hunyuan_vl", "hy_v3", "hy_v4", "smollm3", "gpt-oss",
      "lfm2", "lfm2moe", "dream", "smallthinker", "llada", "llada-moe", "seed_oss", "grovemoe",
      "apertus", "minimax-01", "hrm_text", "minimax-m2", "minimax-m3", "cogvlm", "rnd1",
      "pangu-embedded", "mistral3", "eagle3", "dflash", "mistral4", "paddleocr", "mimo2",
      "step35", "spark2_5", "llama-embed", "maincoder", "kimi-linear", "kimi-k3", "talkie",
      "mellum", "nanbeige", "qwen3tts", "pockettts"
};

}  // namespace

bool IsKnownArchitecture(const std::string& architecture) {
  return std::find(std::begin(kKnownArchitectures), std::end(kKnownArchitectures),
                   architecture) != std::end(kKnownArchitectures);
}

Result<ModelSummary> SummarizeModel(const GgufFile& file) {
  ModelSummary s;
  s.path = file.path();
  s.architecture = file.architecture();
  if (s.architecture.empty()) {
    return Status::Unsupported("'" + file.path() +
                               "' has no general.architecture: not a model GGUF (a vocabulary or "
                               "adapter file?)");
  }
  s.architecture_known = IsKnownArchitecture(s.architecture);
  s.name = file.GetString("general.name").value_or("");
  s.parameters = file.TotalParameters();
  s.tensor_bytes = file.TotalTensorBytes();
  s.file_bytes = file.file_size();
  auto ftype = file.GetInt("general.file_type");
  s.file_type = ftype ? std::string(LlamaFileTypeName(*ftype)) : "unknown";
  for (const auto& t : file.tensors()) {
    auto& share = s.type_mix[std::string(GgmlTypeName(t.type))];
    share.tensors += 1;
    share.parameters += t.n_elements;
    share.bytes += t.n_bytes;
  }
  s.context_length = file.ArchInt("context_length").value_or(0);
  s.layers = file.ArchInt("block_count").value_or(0);
  s.embedding = file.ArchInt("embedding_length").value_or(0);
  s.feed_forward = file.ArchInt("feed_forward_length").value_or(0);
  s.heads = file.ArchInt("attention.head_count").value_or(0);
  if (auto kv = file.ArchPerLayer("attention.head_count_kv", s.layers); kv && !kv->empty()) {
    s.kv_heads = *std::max_element(kv->begin(), kv->end());
  } else {
    s.kv_heads = s.heads;
  }
  if (s.heads == 0) {
    if (auto h = file.ArchPerLayer("attention.head_count", s.layers); h && !h->empty()) {
      s.heads = *std::max_element(h->begin(), h->end());
    }
  }
  s.vocab_size = file.GetArraySize("tokenizer.ggml.tokens").value_or(0);
  s.tokenizer = file.GetString("tokenizer.ggml.model").value_or("");
  s.has_chat_template = file.GetString("tokenizer.chat_template").has_value();
  return s;
}

}  // namespace kolibri
