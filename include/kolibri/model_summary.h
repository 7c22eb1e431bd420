// ModelSummary: what `kolibri info` reports about a GGUF model, derived from its header
// alone (no weights are read). Shared by the CLI, the server's /v1/models and the planner.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "kolibri/gguf_file.h"
#include "kolibri/status.h"

namespace kolibri {

struct TensorTypeShare {
  uint64_t tensors = 0;
  uint64_t parameters = 0;
  uint64_t bytes = 0;
};

struct ModelSummary {
  std::string path;
  std::string name;           // general.name, may be empty
  std::string architecture;   // general.architecture
  bool architecture_known = false;  // supported by the pinned llama.cpp
  uint64_t parameters = 0;
  uint64_t tensor_bytes = 0;
  uint64_t file_bytes = 0;
  std::string file_type;      // "Q4_K - Medium", or "unknown"
  std::map<std::string, TensorTypeShare> type_mix;  // by ggml type name
  int64_t context_length = 0;
  int64_t layers = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;       // max over layers when per-layer
  int64_t embedding = 0;
  int64_t feed_forward = 0;
  uint64_t vocab_size = 0;
  std::string tokenizer;      // tokenizer.ggml.model ("gpt2", "llama", ...)
  bool has_chat_template = false;
};

// Summarises an opened GGUF file. Fails with Unsupported when general.architecture is
// missing; an architecture llama.cpp does not know is reported via architecture_known.
Result<ModelSummary> SummarizeModel(const GgufFile& file);

// Architectures the pinned llama.cpp (v0.5.0) can load, as general.architecture names.
bool IsKnownArchitecture(const std::string& architecture);

}  // namespace kolibri
