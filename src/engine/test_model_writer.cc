#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "engine/llama_backend.h"
#include "engine/test_model_shapes.h"
#include "ggml.h"
#include "gguf.h"
#include "kolibri/gguf_file.h"
#include "kolibri/test_model.h"
#include "llama.h"

namespace kolibri {
namespace {

struct GgufCtxDeleter {
  void operator()(gguf_context* c) const { gguf_free(c); }
};
struct GgmlCtxDeleter {
  void operator()(ggml_context* c) const { ggml_free(c); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// xorshift64*: fast, reproducible, good enough for noise weights.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  uint64_t Next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545F4914F6CDD1DULL;
  }

 private:
  uint64_t s_;
};

// A table of f16 values drawn from N(0, 0.02²) (sum of four uniforms); tensors index it
// randomly, which keeps filling gigabytes at memory speed.
std::vector<ggml_fp16_t> NoiseTable(Rng& rng) {
  std::vector<ggml_fp16_t> table(1 << 16);
  for (auto& v : table) {
    double sum = 0;
    for (int k = 0; k < 4; ++k) sum += static_cast<double>(rng.Next() >> 11) / 9007199254740992.0 - 0.5;
    v = ggml_fp32_to_fp16(static_cast<float>(sum * 0.02 * std::sqrt(3.0)));
  }
  return table;
}

Status WriteF16Model(const engine::ShapeSpec& shape, const TestModelOptions& options,
                     const std::string& out_path, const std::string& name) {
  const std::string& vocab_path = options.vocab_path;
  KOLIBRI_ASSIGN_OR_RETURN(GgufFile vocab_header, GgufFile::Open(vocab_path));
  auto n_vocab_u = vocab_header.GetArraySize("tokenizer.ggml.tokens");
  if (!n_vocab_u || *n_vocab_u == 0) {
    return Status::Corrupt("'" + vocab_path + "' has no tokenizer.ggml.tokens: not a vocabulary GGUF");
  }
  const int64_t n_vocab = static_cast<int64_t>(*n_vocab_u);

  gguf_init_params vp = {/*no_alloc=*/true, /*ctx=*/nullptr};
  std::unique_ptr<gguf_context, GgufCtxDeleter> vocab(gguf_init_from_file(vocab_path.c_str(), vp));
  if (!vocab) return Status::Corrupt("ggml could not read vocabulary file '" + vocab_path + "'");

  std::unique_ptr<gguf_context, GgufCtxDeleter> out(gguf_init_empty());
  gguf_context* g = out.get();
  // Only the tokenizer travels from the vocabulary file; hyperparameters come from the shape.
  gguf_set_kv(g, vocab.get());
  for (int64_t i = gguf_get_n_kv(g) - 1; i >= 0; --i) {
    std::string key = gguf_get_key(g, i);
    if (key.rfind("tokenizer.", 0) != 0) gguf_remove_key(g, key.c_str());
  }
  const std::string a = shape.arch + ".";
  gguf_set_val_str(g, "general.architecture", shape.arch.c_str());
  gguf_set_val_str(g, "general.name", name.c_str());
  gguf_set_val_u32(g, "general.file_type", 1);  // MOSTLY_F16
  gguf_set_val_u32(g, "general.quantization_version", 2);
  gguf_set_val_u32(g, (a + "context_length").c_str(), static_cast<uint32_t>(shape.n_ctx_train));
  gguf_set_val_u32(g, (a + "embedding_length").c_str(), static_cast<uint32_t>(shape.n_embd));
  gguf_set_val_u32(g, (a + "block_count").c_str(), static_cast<uint32_t>(shape.n_layer));
  gguf_set_val_u32(g, (a + "feed_forward_length").c_str(), static_cast<uint32_t>(shape.n_ff));
  gguf_set_val_u32(g, (a + "attention.head_count").c_str(), static_cast<uint32_t>(shape.n_head));
  gguf_set_val_u32(g, (a + "attention.head_count_kv").c_str(), static_cast<uint32_t>(shape.n_head_kv));
  gguf_set_val_f32(g, (a + "rope.freq_base").c_str(), shape.rope_base);
  gguf_set_val_f32(g, (a + "attention.layer_norm_rms_epsilon").c_str(), shape.rms_eps);
  const int64_t head_dim = shape.head_dim > 0 ? shape.head_dim : shape.n_embd / shape.n_head;
  if (shape.head_dim > 0) {
    gguf_set_val_u32(g, (a + "attention.key_length").c_str(), static_cast<uint32_t>(head_dim));
    gguf_set_val_u32(g, (a + "attention.value_length").c_str(), static_cast<uint32_t>(head_dim));
  }
  if (shape.arch == "llama") {
    gguf_set_val_u32(g, (a + "rope.dimension_count").c_str(), static_cast<uint32_t>(head_dim));
    gguf_set_val_u32(g, (a + "vocab_size").c_str(), static_cast<uint32_t>(n_vocab));
  }
  if (shape.arch == "bert") {
    gguf_set_val_f32(g, (a + "attention.layer_norm_epsilon").c_str(), shape.norm_eps);
    gguf_set_val_bool(g, (a + "attention.causal").c_str(), false);
    gguf_set_val_u32(g, (a + "pooling_type").c_str(), shape.pooling_type);
    if (gguf_find_key(g, "tokenizer.ggml.token_type_count") < 0) {
      gguf_set_val_u32(g, "tokenizer.ggml.token_type_count", 2);
    }
  }
  if (shape.sliding_window > 0) {
    gguf_set_val_u32(g, (a + "attention.sliding_window").c_str(), static_cast<uint32_t>(shape.sliding_window));
    gguf_set_val_f32(g, (a + "rope.freq_base_swa").c_str(), 10000.0f);
  }
  if (!options.chat_template) {
    gguf_remove_key(g, "tokenizer.chat_template");
  } else if (gguf_find_key(g, "tokenizer.chat_template") < 0 && !shape.chat_template.empty()) {
    gguf_set_val_str(g, "tokenizer.chat_template", shape.chat_template.c_str());
  }

  std::vector<engine::TensorSpec> specs = engine::TensorsFor(shape, n_vocab);
  ggml_init_params ip = {specs.size() * ggml_tensor_overhead() + 1024, nullptr, /*no_alloc=*/true};
  std::unique_ptr<ggml_context, GgmlCtxDeleter> meta(ggml_init(ip));
  for (const auto& s : specs) {
    ggml_type type = (s.is_norm || s.is_bias || s.noise_f32) ? GGML_TYPE_F32 : GGML_TYPE_F16;
    ggml_tensor* t = s.dims.size() == 1 ? ggml_new_tensor_1d(meta.get(), type, s.dims[0])
                                        : ggml_new_tensor_2d(meta.get(), type, s.dims[0], s.dims[1]);
    ggml_set_name(t, s.name.c_str());
    gguf_add_tensor(g, t);
  }

  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(out_path.c_str(), "wb"));
  if (!f) return Status::IoError("cannot write '" + out_path + "': " + std::strerror(errno));
  std::vector<uint8_t> header(gguf_get_meta_size(g));
  gguf_get_meta_data(g, header.data());
  bool ok = std::fwrite(header.data(), 1, header.size(), f.get()) == header.size();

  Rng rng(options.seed);
  std::vector<ggml_fp16_t> noise = NoiseTable(rng);
  const size_t alignment = gguf_get_alignment(g);
  std::vector<uint8_t> buf;
  for (int64_t i = 0; ok && i < gguf_get_n_tensors(g); ++i) {
    const auto& s = specs[static_cast<size_t>(i)];
    size_t n = gguf_get_tensor_size(g, i);
    buf.resize(GGML_PAD(n, alignment));
    std::fill(buf.begin() + static_cast<std::ptrdiff_t>(n), buf.end(), 0);
    if (s.is_norm || s.is_bias) {
      float v = s.is_norm ? 1.0f : 0.0f;
      for (size_t k = 0; k < n / sizeof(float); ++k) std::memcpy(buf.data() + k * 4, &v, 4);
    } else if (s.noise_f32) {
      for (size_t k = 0; k < n / sizeof(float); ++k) {
        float v = ggml_fp16_to_fp32(noise[rng.Next() >> 48]);
        std::memcpy(buf.data() + k * 4, &v, 4);
      }
    } else {
      auto* h = reinterpret_cast<ggml_fp16_t*>(buf.data());
      for (size_t k = 0; k < n / 2; ++k) h[k] = noise[rng.Next() >> 48];
    }
    ok = std::fwrite(buf.data(), 1, buf.size(), f.get()) == buf.size();
  }
  if (!ok || std::fflush(f.get()) != 0) {
    return Status::IoError("writing '" + out_path + "' failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<llama_ftype> QuantType(const std::string& type) {
  if (type == "f16") return LLAMA_FTYPE_MOSTLY_F16;
  if (type == "q8_0") return LLAMA_FTYPE_MOSTLY_Q8_0;
  if (type == "q4_0") return LLAMA_FTYPE_MOSTLY_Q4_0;
  if (type == "q4_k_m") return LLAMA_FTYPE_MOSTLY_Q4_K_M;
  return Status::InvalidArgument("unknown type '" + type + "' (choose f16, q8_0, q4_0 or q4_k_m)");
}

}  // namespace

std::vector<TestModelShapeInfo> TestModelShapes() {
  std::vector<TestModelShapeInfo> out;
  for (const auto& s : engine::AllShapes()) out.push_back({s.name, s.arch, s.description, s.vocab_file});
  return out;
}

std::vector<std::string> TestModelTypes() { return {"f16", "q8_0", "q4_0", "q4_k_m"}; }

Status MakeTestModel(const TestModelOptions& options) {
  const engine::ShapeSpec* shape = engine::FindShape(options.shape);
  if (shape == nullptr) {
    std::string names;
    for (const auto& s : engine::AllShapes()) names += (names.empty() ? "" : ", ") + s.name;
    return Status::InvalidArgument("unknown shape '" + options.shape + "' (choose " + names + ")");
  }
  KOLIBRI_ASSIGN_OR_RETURN(llama_ftype ftype, QuantType(options.type));
  if (options.out_path.empty()) return Status::InvalidArgument("no output path given");
  if (options.vocab_path.empty()) return Status::InvalidArgument("no vocabulary file given");
  if (options.threads < 0) return Status::InvalidArgument("threads must be >= 0");
  engine::EnsureLlamaBackend();
  const std::string name = "kolibri-test " + shape->name + " " + options.type + " (random weights)";
  // Write to a temporary name and rename, so an interrupted run never leaves a file that
  // looks complete.
  const std::string tmp_f16 = options.out_path + ".tmp-f16";
  KOLIBRI_RETURN_IF_ERROR(WriteF16Model(*shape, options, tmp_f16, name));
  std::error_code ec;
  if (ftype == LLAMA_FTYPE_MOSTLY_F16) {
    std::filesystem::rename(tmp_f16, options.out_path, ec);
    if (ec) return Status::IoError("cannot rename to '" + options.out_path + "': " + ec.message());
    return Status::Ok();
  }
  const std::string tmp_q = options.out_path + ".tmp-q";
  llama_model_quantize_params qp = llama_model_quantize_default_params();
  qp.ftype = ftype;
  qp.nthread = options.threads > 0 ? options.threads : static_cast<int32_t>(std::thread::hardware_concurrency());
  uint32_t rc = llama_model_quantize(tmp_f16.c_str(), tmp_q.c_str(), &qp);
  std::filesystem::remove(tmp_f16, ec);
  if (rc != 0) {
    std::filesystem::remove(tmp_q, ec);
    return Status::Internal("llama.cpp quantization to " + options.type + " failed");
  }
  std::filesystem::rename(tmp_q, options.out_path, ec);
  if (ec) return Status::IoError("cannot rename to '" + options.out_path + "': " + ec.message());
  return Status::Ok();
}

Status MakeTestLora(const TestLoraOptions& options) {
  const engine::ShapeSpec* shape = engine::FindShape(options.shape);
  if (shape == nullptr) return Status::InvalidArgument("unknown shape '" + options.shape + "'");
  if (options.rank < 1) return Status::InvalidArgument("the LoRA rank must be >= 1");
  if (options.out_path.empty()) return Status::InvalidArgument("no output path given");
  std::vector<engine::TensorSpec> targets;
  for (auto& t : engine::TensorsFor(*shape, /*n_vocab=*/256)) {
    const bool attn = t.name.find(".attn_q.weight") != std::string::npos ||
                      t.name.find(".attn_v.weight") != std::string::npos;
    if (attn && t.dims.size() == 2) targets.push_back(std::move(t));
  }
  if (targets.empty()) return Status::InvalidArgument("shape '" + options.shape + "' has no attn_q/attn_v weights");
  const int64_t r = options.rank;
  size_t bytes = 0;
  for (const auto& t : targets) bytes += static_cast<size_t>((t.dims[0] + t.dims[1]) * r) * sizeof(float);
  ggml_init_params ip = {bytes + 2 * targets.size() * ggml_tensor_overhead() + 4096, nullptr, /*no_alloc=*/false};
  std::unique_ptr<ggml_context, GgmlCtxDeleter> data(ggml_init(ip));
  if (data == nullptr) return Status::Internal("cannot allocate the adapter's tensors");
  std::unique_ptr<gguf_context, GgufCtxDeleter> out(gguf_init_empty());
  gguf_context* g = out.get();
  gguf_set_val_str(g, "general.type", "adapter");
  gguf_set_val_str(g, "general.architecture", shape->arch.c_str());
  gguf_set_val_str(g, "general.name", ("kolibri-test LoRA " + shape->name + " (random weights)").c_str());
  gguf_set_val_str(g, "adapter.type", "lora");
  gguf_set_val_f32(g, "adapter.lora.alpha", options.alpha > 0 ? options.alpha : static_cast<float>(r));
  Rng rng(options.seed);
  auto fill = [&rng](ggml_tensor* t, float amplitude) {
    float* v = static_cast<float*>(t->data);
    for (int64_t i = 0; i < ggml_nelements(t); ++i) {
      v[i] = amplitude * (static_cast<float>(rng.Next() >> 40) / 16777216.0f - 0.5f);
    }
  };
  for (const auto& t : targets) {
    const std::string base = t.name.substr(0, t.name.size() - std::string(".weight").size());
    // W is ne = [n_in, n_out]: lora_a is [n_in, r], lora_b is [r, n_out] (W + B·A).
    ggml_tensor* a = ggml_new_tensor_2d(data.get(), GGML_TYPE_F32, t.dims[0], r);
    ggml_tensor* b = ggml_new_tensor_2d(data.get(), GGML_TYPE_F32, r, t.dims[1]);
    ggml_set_name(a, (base + ".weight.lora_a").c_str());
    ggml_set_name(b, (base + ".weight.lora_b").c_str());
    fill(a, 0.2f);
    fill(b, 0.2f);
    gguf_add_tensor(g, a);
    gguf_add_tensor(g, b);
  }
  const std::string tmp = options.out_path + ".tmp";
  if (!gguf_write_to_file(g, tmp.c_str(), /*only_meta=*/false)) {
    return Status::IoError("cannot write '" + tmp + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, options.out_path, ec);
  if (ec) return Status::IoError("cannot rename to '" + options.out_path + "': " + ec.message());
  return Status::Ok();
}

}  // namespace kolibri
