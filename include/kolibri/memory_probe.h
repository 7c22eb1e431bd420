// ProbeMemory: what llama.cpp really allocates for a model and context — the truth the
// planner's estimates are checked against (`kolibri plan --verify`).
//
// It loads the model and creates one context with the given settings through llama.cpp
// (the pinned commit), then reads llama.cpp's own per-buffer-type accounting
// (llama_get_memory_breakdown: model weights including repacked copies, context/KV,
// compute buffers), the size of the logits/embeddings output buffer, and the process's
// peak resident set size. Everything is freed before it returns.
//
// Cost: a full model load (seconds for a 1.5B model). Thread safety: do not run two probes
// at once or alongside other llama.cpp work in the process — the probe briefly takes over
// llama.cpp's process-wide log callback (to read the output buffer size) and resets the
// process's peak-RSS counter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kolibri/ggml_type.h"
#include "kolibri/status.h"

namespace kolibri {

enum class ProbeFlashAttention { kAuto, kOn, kOff };

struct MemoryProbeOptions {
  uint32_t context = 4096;     // total KV cells over all sequences (llama.cpp n_ctx)
  uint32_t parallel = 1;       // sequences (n_seq_max)
  uint32_t batch = 2048;       // logical batch (n_batch)
  uint32_t ubatch = 512;       // physical batch (n_ubatch)
  GgmlType kv_type = GgmlType::kF16;  // K and V cache type
  int32_t gpu_layers = 0;      // layers offloaded to the first GPU (0: CPU only)
  ProbeFlashAttention flash_attn = ProbeFlashAttention::kAuto;
  bool kv_unified = false;     // one KV stream shared by all sequences (llama.cpp default: no)
  bool swa_full = true;        // full-size cache for sliding-window layers (llama.cpp default)
  bool use_mmap = true;        // map weights instead of reading them into memory
  std::vector<std::string> lora_paths;  // LoRA adapters to load (scale 1)
};

// One llama.cpp buffer type ("CPU", "CPU_Mapped", "CPU_REPACK", "CUDA0", ...).
struct ProbedBuffer {
  std::string buffer_type;
  bool is_host = true;     // lives in system memory
  uint64_t model = 0;      // weights (a mapped buffer counts its whole mapped range)
  uint64_t context = 0;    // KV cache / recurrent state
  uint64_t compute = 0;    // compute (graph) buffers
};

struct MemoryProbeResult {
  std::vector<ProbedBuffer> buffers;
  uint64_t output_bytes = 0;      // logits/embeddings output buffer (host memory)
  uint64_t lora_bytes = 0;        // adapter weights
  uint64_t peak_rss_bytes = 0;    // VmHWM after load + one decoded token
  uint64_t rss_before_bytes = 0;  // VmRSS before loading
  uint32_t n_ctx = 0;             // context size llama.cpp settled on (after padding)
  bool flash_attn = false;        // resolved Flash Attention setting
  uint64_t Total() const;         // all buffers + output + LoRA
};

// Errors: NotFound (no file), Unsupported/Internal (llama.cpp refused the model or the
// context; the message carries llama.cpp's last error line).
Result<MemoryProbeResult> ProbeMemory(const std::string& model_path, const MemoryProbeOptions& options);

// Names of the extra weight buffer types this build's CPU backend offers, in the order
// llama.cpp tries them ("AMX", "CPU_REPACK"); they decide which weights are re-laid.
std::vector<std::string> CpuExtraBufferTypes();

}  // namespace kolibri
