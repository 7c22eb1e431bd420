// EstimateMemory: what a GGUF model will allocate under llama.cpp for given context
// settings — weights per device (including the copies llama.cpp's CPU backend re-lays for
// faster kernels), KV cache, recurrent state, output and compute buffers — computed from
// the GGUF header alone, in well under a millisecond for any file size.
//
// The model follows the sizing code of the pinned llama.cpp (commit de3ff815ea7d, tag
// v0.5.0): llama-context.cpp (n_ctx padding to 256, per-sequence streams, output buffer,
// worst-case graph reserve with n_ubatch tokens and outputs), llama-kv-cache.cpp and
// llama-kv-cache-iswa.cpp (per-layer K/V widths, sliding-window cache size),
// llama-memory-recurrent.cpp, llama-model.cpp (buffer-type choice per weight, mmap ranges)
// and ggml-cpu's AMX and repack extra buffer types. It is tied to that commit on purpose:
// when the pin moves, `kolibri plan --verify` and the accuracy test say whether it still
// holds. Thread safety: pure functions of their inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kolibri/ggml_type.h"
#include "kolibri/gguf_file.h"
#include "kolibri/status.h"

namespace kolibri {

enum class FlashAttention { kAuto, kOn, kOff };
// Sliding-window layers: a cache of the full context (llama.cpp's default, swa_full) or
// only window × sequences + n_ubatch cells.
enum class SwaCache { kFull, kWindow };
// One KV stream per sequence (llama.cpp default) or one stream shared by all.
enum class KvLayout { kPerSequence, kUnified };

// The CPU's SIMD family decides which weights ggml-cpu re-lays into its CPU_REPACK buffer.
enum class CpuIsa { kGeneric, kX86Avx2, kX86Avx512, kArmDotProd, kArmI8mm };

struct CpuWeightKernels {
  CpuIsa isa = CpuIsa::kX86Avx2;
  bool amx = false;     // ggml built with AMX (native build on a Sapphire-Rapids-class CPU)
  bool repack = true;   // GGML_CPU_REPACK (on by default in ggml builds)
};

struct PlanOptions {
  uint32_t context = 4096;   // total KV cells over all sequences (as `kolibri serve --ctx`)
  uint32_t parallel = 1;     // concurrent sequences (n_seq_max)
  uint32_t batch = 2048;     // logical batch (n_batch)
  uint32_t ubatch = 512;     // physical batch (n_ubatch): sizes the compute buffers
  GgmlType kv_type = GgmlType::kF16;
  int32_t gpu_layers = 0;    // offloaded layers as llama.cpp counts them: output layer first, then the last blocks
  FlashAttention flash_attn = FlashAttention::kAuto;  // auto: on for CPU, as llama.cpp resolves it
  KvLayout kv_layout = KvLayout::kPerSequence;
  SwaCache swa_cache = SwaCache::kFull;
  bool use_mmap = true;      // weights mapped from the file (a mapped range counts in full)
  CpuWeightKernels cpu;
};

// Memory on one device, in bytes.
struct DeviceMemory {
  std::string device;          // "CPU" or "GPU"
  uint64_t weights = 0;        // weights in the device's default buffer (or mapped range)
  uint64_t weights_repacked = 0;  // re-laid copies in AMX / CPU_REPACK buffers
  uint64_t lora = 0;           // adapter weights
  uint64_t kv_cache = 0;       // K and V of attention layers
  uint64_t recurrent_state = 0;
  uint64_t output = 0;         // logits/embeddings buffer (host)
  uint64_t compute = 0;        // graph buffers reserved for the worst-case batch
  uint64_t Total() const {
    return weights + weights_repacked + lora + kv_cache + recurrent_state + output + compute;
  }
};

struct KvCacheSummary {
  uint32_t n_ctx = 0;              // cells after llama.cpp's padding
  uint32_t n_ctx_per_sequence = 0;
  uint32_t swa_cells = 0;          // cells per stream of sliding-window layers (0: none)
  uint32_t streams = 1;
  uint64_t bytes_per_token = 0;    // K+V of all layers for one cell
  uint64_t bytes_per_sequence = 0; // cache of one sequence (its share of the total)
  uint64_t total_bytes = 0;
  uint64_t recurrent_bytes_per_sequence = 0;
};

struct ModelFacts {
  std::string path;
  std::string name;
  std::string architecture;
  bool architecture_known = true;  // false: generic attention model assumed
  std::string file_type;           // "Q4_K - Medium"
  uint64_t parameters = 0;
  uint64_t tensor_bytes = 0;
  int64_t layers = 0;
  int64_t embedding = 0;
  int64_t vocab = 0;
  int64_t train_context = 0;
  int64_t sliding_window = 0;
  // Bytes of weights read from memory per decoded token (every matrix once; the token
  // embedding only one row): the numerator of the bandwidth bound.
  uint64_t bytes_per_decoded_token = 0;
  // Multiply-adds per token (about parameters without the embedding lookup): for the
  // compute bound on prefill.
  uint64_t flops_per_token = 0;
};

struct MemoryEstimate {
  ModelFacts model;
  std::vector<DeviceMemory> devices;  // CPU first, then GPU when layers are offloaded
  KvCacheSummary kv;
  bool flash_attn = true;             // as resolved
  std::vector<std::string> warnings;  // e.g. context beyond the training context
  uint64_t Total() const;
  uint64_t HostTotal() const;
};

// Estimates `model` (+ LoRA adapter headers) under `options`. Errors: InvalidArgument for
// impossible settings (zero context/parallel/batch, context smaller than parallel, quantized
// V cache without Flash Attention, unsupported KV type), Unsupported for a file whose
// architecture cannot be sized (the message names what is known).
Result<MemoryEstimate> EstimateMemory(const GgufFile& model, const std::vector<GgufFile>& loras,
                                      const PlanOptions& options);

// "f16", "q8_0", "q4_0" (and the other ggml cache types llama.cpp accepts) → type.
Result<GgmlType> ParseKvType(const std::string& name);

}  // namespace kolibri
