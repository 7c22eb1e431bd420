#include "kolibri/memory_plan.h"

#include <algorithm>

#include "plan/model_shape.h"
#include "plan/weight_placement.h"

namespace kolibri {
namespace {

constexpr uint32_t kCtxPad = 256;      // llama_context: n_ctx = GGML_PAD(n_ctx, 256)
constexpr uint32_t kSwaPad = 256;      // llama_kv_cache_iswa: SWA cache padded to 256

uint32_t Pad(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }

// The compute buffer llama.cpp reserves on the CPU: the peak of the worst-case graph
// (n_tokens = min(n_ctx, n_ubatch) tokens, as many outputs) under ggml-alloc's reuse.
// Three phases compete: the logits head (logits + the final norm's input and output +
// the output-id index), an attention block (mask, Q/K/V, and without Flash Attention the
// n_kv × n_tokens × n_head score matrix) and a feed-forward block.
uint64_t ComputeBytes(const plan::ModelShape& s, uint64_t n_tokens, uint64_t n_outputs, uint64_t n_kv,
                      bool flash_attn) {
  const uint64_t f32 = 4;
  const uint64_t e = static_cast<uint64_t>(s.n_embd);
  const uint64_t logits = f32 * n_outputs * (static_cast<uint64_t>(s.n_vocab) + 2 * e) + 4 * n_outputs;
  uint64_t attention = 0;
  uint64_t ffn = 0;
  for (const auto& l : s.layers) {
    if (l.kind == plan::LayerKind::kRecurrent) continue;
    const uint64_t q = static_cast<uint64_t>(l.n_head * l.head_dim_k);
    const uint64_t kv = static_cast<uint64_t>(l.EmbdK() + l.EmbdV());
    const uint64_t mask = n_kv * n_tokens * (flash_attn ? 2 : 4);
    const uint64_t scores = flash_attn ? 0 : f32 * n_kv * n_tokens * static_cast<uint64_t>(l.n_head);
    attention = std::max(attention, mask + scores + f32 * n_tokens * (2 * e + 2 * q + kv));
    ffn = std::max(ffn, f32 * n_tokens * (2 * e + 2 * static_cast<uint64_t>(l.n_ff)));
  }
  return std::max({logits, attention, ffn});
}

}  // namespace

uint64_t MemoryEstimate::Total() const {
  uint64_t t = 0;
  for (const auto& d : devices) t += d.Total();
  return t;
}

uint64_t MemoryEstimate::HostTotal() const { return devices.empty() ? 0 : devices.front().Total(); }

Result<GgmlType> ParseKvType(const std::string& name) {
  const auto t = GgmlTypeFromName(name);
  // llama.cpp's kv_cache_types (common/arg.cpp): f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1.
  for (GgmlType ok : {GgmlType::kF32, GgmlType::kF16, GgmlType::kBF16, GgmlType::kQ8_0, GgmlType::kQ4_0,
                      GgmlType::kQ4_1, GgmlType::kIQ4_NL, GgmlType::kQ5_0, GgmlType::kQ5_1}) {
    if (t && *t == ok) return ok;
  }
  return Status::InvalidArgument("unknown KV cache type '" + name + "' (use f16, q8_0 or q4_0; also f32, bf16, q4_1, q5_0, q5_1, iq4_nl)");
}

Result<MemoryEstimate> EstimateMemory(const GgufFile& model, const std::vector<GgufFile>& loras,
                                      const PlanOptions& options) {
  if (options.context == 0) return Status::InvalidArgument("--ctx must be at least 1");
  if (options.parallel == 0) return Status::InvalidArgument("--parallel must be at least 1");
  if (options.batch == 0 || options.ubatch == 0) return Status::InvalidArgument("--batch must be at least 1");
  if (options.parallel > 256) return Status::InvalidArgument("--parallel is limited to 256 sequences (LLAMA_MAX_SEQ)");
  if (options.parallel > options.context) {
    return Status::InvalidArgument("--ctx " + std::to_string(options.context) + " cannot hold " +
                                   std::to_string(options.parallel) + " sequences");
  }
  KOLIBRI_ASSIGN_OR_RETURN(const plan::ModelShape shape, plan::ReadModelShape(model));

  MemoryEstimate est;
  ModelFacts& f = est.model;
  f.path = model.path();
  f.name = model.GetString("general.name").value_or("");
  f.architecture = shape.architecture;
  f.architecture_known = shape.support == plan::ArchSupport::kKnown;
  f.file_type = std::string(LlamaFileTypeName(model.GetInt("general.file_type").value_or(-1)));
  f.parameters = shape.parameters;
  f.tensor_bytes = model.TotalTensorBytes();
  f.layers = shape.n_layer;
  f.embedding = shape.n_embd;
  f.vocab = shape.n_vocab;
  f.train_context = shape.n_ctx_train;
  f.sliding_window = shape.n_swa;
  if (!f.architecture_known) {
    est.warnings.push_back("architecture '" + shape.architecture +
                           "' is not in the planner's list; KV cache and compute assume standard attention");
  }

  // Flash Attention: llama.cpp's auto mode enables it when the device of every layer runs
  // the fused op, which the CPU (and CUDA/Vulkan/Metal) backends do.
  est.flash_attn = options.flash_attn != FlashAttention::kOff;
  const auto kv_traits = GgmlTypeInfo(static_cast<uint32_t>(options.kv_type));
  if (!kv_traits) return Status::InvalidArgument("unsupported KV cache type");
  const bool kv_quantized = options.kv_type != GgmlType::kF16 && options.kv_type != GgmlType::kF32 &&
                            options.kv_type != GgmlType::kBF16;
  if (kv_quantized && !est.flash_attn) {
    return Status::InvalidArgument("a quantized V cache (" + std::string(GgmlTypeName(options.kv_type)) +
                                   ") requires Flash Attention; drop --flash-attn off or use --kv-type f16");
  }

  // llama_context: n_ctx padded to 256; per-sequence streams each padded to 256 again.
  const bool unified = options.kv_layout == KvLayout::kUnified;
  uint32_t n_ctx = Pad(options.context, kCtxPad);
  uint32_t n_ctx_seq = n_ctx;
  if (!unified) {
    n_ctx_seq = Pad(n_ctx / options.parallel, kCtxPad);
    n_ctx = n_ctx_seq * options.parallel;
  }
  const uint32_t streams = unified ? 1 : options.parallel;
  if (shape.n_ctx_train > 0 && n_ctx_seq > shape.n_ctx_train) {
    est.warnings.push_back("context per sequence " + std::to_string(n_ctx_seq) + " exceeds the training context " +
                           std::to_string(shape.n_ctx_train) + "; quality beyond it is not assured");
  }
  const uint32_t n_batch = std::min(n_ctx, options.batch);
  const uint32_t n_ubatch = std::min(n_batch, options.ubatch);

  // KV cache per layer (llama_kv_cache): K rows of n_embd_k_gqa, V rows of n_embd_v_gqa
  // (padded to the widest layer when V is stored transposed, i.e. without Flash Attention).
  int64_t max_embd_v = 0;
  for (const auto& l : shape.layers) max_embd_v = std::max(max_embd_v, l.EmbdV());
  uint32_t swa_cells = 0;
  if (shape.HasSlidingWindow()) {
    swa_cells = options.swa_cache == SwaCache::kFull
                    ? n_ctx_seq
                    : Pad(std::min<uint32_t>(n_ctx_seq, static_cast<uint32_t>(shape.n_swa) * (unified ? options.parallel : 1) + n_ubatch), kSwaPad);
  }
  KvCacheSummary& kv = est.kv;
  kv.n_ctx = n_ctx;
  kv.n_ctx_per_sequence = n_ctx_seq;
  kv.swa_cells = swa_cells;
  kv.streams = streams;
  const plan::WeightPlacement weights = plan::PlaceWeights(model, shape, options);
  const int64_t gpu_start = std::max<int64_t>(shape.n_layer + 1 - std::max(options.gpu_layers, 0), 0);
  uint64_t kv_cpu = 0, kv_gpu = 0, rs_cpu = 0, rs_gpu = 0;
  const uint32_t rs_rows = std::max<uint32_t>(1, options.parallel);
  for (int64_t il = 0; il < shape.n_layer; ++il) {
    const auto& l = shape.layers[static_cast<size_t>(il)];
    const bool gpu = il >= gpu_start;
    if (l.kind == plan::LayerKind::kRecurrent) {
      const uint64_t rs = 4ull * static_cast<uint64_t>(shape.recurrent_r + shape.recurrent_s) * rs_rows;
      (gpu ? rs_gpu : rs_cpu) += rs;
      kv.recurrent_bytes_per_sequence += 4ull * static_cast<uint64_t>(shape.recurrent_r + shape.recurrent_s);
      continue;
    }
    if (l.EmbdK() % kv_traits->block_size != 0) {
      return Status::InvalidArgument("KV type " + std::string(GgmlTypeName(options.kv_type)) + " needs rows divisible by " +
                                     std::to_string(kv_traits->block_size) + "; layer " + std::to_string(il) +
                                     " has " + std::to_string(l.EmbdK()));
    }
    const int64_t embd_v = est.flash_attn ? l.EmbdV() : max_embd_v;
    const uint64_t per_cell = GgmlRowBytes(options.kv_type, l.EmbdK()) + GgmlRowBytes(options.kv_type, embd_v);
    const uint32_t cells = l.kind == plan::LayerKind::kSlidingWindow ? swa_cells : n_ctx_seq;
    (gpu ? kv_gpu : kv_cpu) += per_cell * cells * streams;
    kv.bytes_per_token += per_cell;
  }
  kv.total_bytes = kv_cpu + kv_gpu;
  kv.bytes_per_sequence = kv.total_bytes / options.parallel;

  // Output buffer (llama_context::output_reserve at creation): logits for one token per
  // sequence, floats.
  const uint64_t output = 4ull * static_cast<uint64_t>(shape.n_vocab) * options.parallel;
  // Worst-case graph: n_ubatch tokens, outputs for each (n_outputs_max defaults to n_batch).
  const uint64_t n_tokens = std::min(n_ctx, n_ubatch);
  const uint64_t compute = ComputeBytes(shape, n_tokens, n_tokens, unified ? n_ctx : n_ctx_seq, est.flash_attn);

  uint64_t lora_bytes = 0;
  for (const auto& lora : loras) lora_bytes += lora.TotalTensorBytes();

  DeviceMemory cpu;
  cpu.device = "CPU";
  cpu.weights = weights.cpu_default;
  cpu.weights_repacked = weights.cpu_repacked;
  cpu.kv_cache = kv_cpu;
  cpu.recurrent_state = rs_cpu;
  cpu.output = output;
  const bool any_gpu = options.gpu_layers > 0;
  cpu.lora = any_gpu ? 0 : lora_bytes;
  cpu.compute = any_gpu ? 0 : compute;
  est.devices.push_back(cpu);
  if (any_gpu) {
    DeviceMemory gpu;
    gpu.device = "GPU";
    gpu.weights = weights.gpu;
    gpu.kv_cache = kv_gpu;
    gpu.recurrent_state = rs_gpu;
    gpu.lora = lora_bytes;
    gpu.compute = compute;
    est.devices.push_back(gpu);
    // The CPU still runs the token-embedding lookup and any layers kept on it.
    est.devices.front().compute = gpu_start > 0 ? compute : 4ull * n_tokens * static_cast<uint64_t>(shape.n_embd);
    est.warnings.push_back("GPU figures follow the same model as the CPU backend and are not verified against a GPU build");
  }
  f.bytes_per_decoded_token = weights.bytes_per_decoded_token;
  f.flops_per_token = 2 * weights.matmul_parameters;
  return est;
}

}  // namespace kolibri
