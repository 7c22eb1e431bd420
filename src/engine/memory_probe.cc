#include "kolibri/memory_probe.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>

#include "engine/llama_backend.h"
#include "ggml-backend.h"
#include "llama-ext.h"
#include "llama.h"

namespace kolibri {
namespace {

// llama.cpp reports the output and LoRA buffer sizes only in its log ("... output buffer
// size = 1.16 MiB"); the probe listens to the log while it loads, then restores the
// previous callback. MiB with two decimals is exact to 5 KiB, far below what matters.
struct LogCapture {
  ggml_log_callback previous = nullptr;
  void* previous_data = nullptr;
  std::string last_error;
  uint64_t output_bytes = 0;
  uint64_t lora_bytes = 0;
  int fa_state = -1;  // -1 unknown, 0 off, 1 on
};

uint64_t MibToBytes(double mib) { return static_cast<uint64_t>(mib * 1024.0 * 1024.0 + 0.5); }

void CaptureLog(ggml_log_level level, const char* text, void* user) {
  auto* cap = static_cast<LogCapture*>(user);
  const char* p = nullptr;
  double mib = 0;
  if ((p = std::strstr(text, "output buffer size =")) != nullptr &&
      std::sscanf(p, "output buffer size = %lf", &mib) == 1) {
    cap->output_bytes = MibToBytes(mib);
  } else if ((p = std::strstr(text, "LoRA buffer size =")) != nullptr &&
             std::sscanf(p, "LoRA buffer size = %lf", &mib) == 1) {
    cap->lora_bytes += MibToBytes(mib);
  } else if (std::strstr(text, "Flash Attention enabled") != nullptr) {
    cap->fa_state = 1;
  } else if (std::strstr(text, "Flash Attention not supported") != nullptr) {
    cap->fa_state = 0;
  }
  if (level == GGML_LOG_LEVEL_ERROR) cap->last_error = text;
  if (cap->previous != nullptr) cap->previous(level, text, cap->previous_data);
}

// Reads a "Vm...:  1234 kB" line of /proc/self/status.
uint64_t ProcStatusBytes(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(key);
  while (std::getline(in, line)) {
    if (line.compare(0, n, key) == 0 && line.size() > n && line[n] == ':') {
      return std::stoull(line.substr(n + 1)) * 1024;
    }
  }
  return 0;
}

// Lets VmHWM start again from the current RSS, so the peak reflects this probe only.
void ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

ggml_type ToGgml(GgmlType t) { return static_cast<ggml_type>(static_cast<uint32_t>(t)); }

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

uint64_t MemoryProbeResult::Total() const {
  uint64_t total = output_bytes + lora_bytes;
  for (const auto& b : buffers) total += b.model + b.context + b.compute;
  return total;
}

Result<MemoryProbeResult> ProbeMemory(const std::string& model_path, const MemoryProbeOptions& options) {
  struct stat st {};
  if (::stat(model_path.c_str(), &st) != 0) return Status::NotFound("model file '" + model_path + "' not found");
  if (options.context == 0 || options.parallel == 0 || options.batch == 0 || options.ubatch == 0) {
    return Status::InvalidArgument("context, parallel, batch and ubatch must be positive");
  }

  static std::mutex probe_mutex;
  std::lock_guard<std::mutex> lock(probe_mutex);
  engine::EnsureLlamaBackend();

  LogCapture cap;
  llama_log_get(&cap.previous, &cap.previous_data);
  llama_log_set(CaptureLog, &cap);
  struct RestoreLog {
    LogCapture* cap;
    ~RestoreLog() { llama_log_set(cap->previous, cap->previous_data); }
  } restore{&cap};

  MemoryProbeResult result;
  result.rss_before_bytes = ProcStatusBytes("VmRSS");
  ResetPeakRss();

  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = options.gpu_layers;
  mp.load_mode = options.use_mmap ? LLAMA_LOAD_MODE_AUTO : LLAMA_LOAD_MODE_NONE;
  llama_model* model = llama_model_load_from_file(model_path.c_str(), mp);
  if (model == nullptr) {
    return Status::Internal("llama.cpp could not load '" + model_path + "': " + Trimmed(cap.last_error));
  }
  struct FreeModel {
    llama_model* m;
    ~FreeModel() { llama_model_free(m); }
  } free_model{model};

  std::vector<llama_adapter_lora*> adapters;
  struct FreeAdapters {
    std::vector<llama_adapter_lora*>* a;
    ~FreeAdapters() {
      for (auto* x : *a) llama_adapter_lora_free(x);
    }
  } free_adapters{&adapters};
  for (const auto& path : options.lora_paths) {
    llama_adapter_lora* adapter = llama_adapter_lora_init(model, path.c_str());
    if (adapter == nullptr) {
      return Status::Internal("llama.cpp could not load LoRA adapter '" + path + "': " + Trimmed(cap.last_error));
    }
    adapters.push_back(adapter);
  }

  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = options.context;
  cp.n_seq_max = options.parallel;
  cp.n_batch = options.batch;
  cp.n_ubatch = options.ubatch;
  cp.type_k = ToGgml(options.kv_type);
  cp.type_v = ToGgml(options.kv_type);
  cp.kv_unified = options.kv_unified;
  cp.swa_full = options.swa_full;
  cp.n_threads = 2;
  cp.n_threads_batch = 2;
  switch (options.flash_attn) {
    case ProbeFlashAttention::kAuto: cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO; break;
    case ProbeFlashAttention::kOn: cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED; break;
    case ProbeFlashAttention::kOff: cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED; break;
  }
  llama_context* ctx = llama_init_from_model(model, cp);
  if (ctx == nullptr) {
    return Status::Internal("llama.cpp could not create the context: " + Trimmed(cap.last_error));
  }
  struct FreeContext {
    llama_context* c;
    ~FreeContext() { llama_free(c); }
  } free_context{ctx};
  if (!adapters.empty()) {
    std::vector<float> scales(adapters.size(), 1.0f);
    llama_set_adapters_lora(ctx, adapters.data(), adapters.size(), scales.data());
  }

  // One decoded token touches the weights and buffers the way serving does.
  llama_token token = 0;
  llama_batch batch = llama_batch_get_one(&token, 1);
  if (llama_decode(ctx, batch) != 0) {
    return Status::Internal("llama.cpp could not decode a token: " + Trimmed(cap.last_error));
  }

  for (const auto& [buft, data] : llama_get_memory_breakdown(ctx)) {
    ProbedBuffer b;
    b.buffer_type = ggml_backend_buft_name(buft);
    b.is_host = ggml_backend_buft_is_host(buft);
    b.model = data.model;
    b.context = data.context;
    b.compute = data.compute;
    result.buffers.push_back(b);
  }
  result.output_bytes = cap.output_bytes;
  result.lora_bytes = cap.lora_bytes;
  result.n_ctx = llama_n_ctx(ctx);
  result.flash_attn = options.flash_attn == ProbeFlashAttention::kOn ||
                      (options.flash_attn == ProbeFlashAttention::kAuto && cap.fa_state == 1);
  result.peak_rss_bytes = ProcStatusBytes("VmHWM");
  return result;
}

std::vector<std::string> CpuExtraBufferTypes() {
  engine::EnsureLlamaBackend();
  std::vector<std::string> names;
  ggml_backend_dev_t cpu = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
  if (cpu == nullptr) return names;
  auto get_extra = reinterpret_cast<ggml_backend_dev_get_extra_bufts_t>(
      ggml_backend_reg_get_proc_address(ggml_backend_dev_backend_reg(cpu), "ggml_backend_dev_get_extra_bufts"));
  if (get_extra == nullptr) return names;
  for (ggml_backend_buffer_type_t* b = get_extra(cpu); b != nullptr && *b != nullptr; ++b) {
    names.emplace_back(ggml_backend_buft_name(*b));
  }
  return names;
}

}  // namespace kolibri
