// What inference library Kolibri runs on: llama.cpp version and commit, and the ggml
// backends compiled in. Cheap; initialises the llama.cpp backend once.
#pragma once

#include <string>
#include <vector>

namespace kolibri {

struct EngineInfo {
  std::string llama_version;      // the pinned release tag, e.g. "v0.5.0"
  std::string llama_commit;       // short commit hash of the llama.cpp build
  std::string llama_build;        // llama.cpp's own build string ("b1-de3ff81")
  std::string compiler;
  std::vector<std::string> backends;  // registered ggml backends ("CPU", "CUDA", ...)
  std::string cpu_features;       // llama_print_system_info()
};

EngineInfo GetEngineInfo();

// Sets how chatty llama.cpp's own logging is: 0 = errors only (default), 1 = warnings,
// 2 = everything. Thread-safe.
void SetLlamaLogVerbosity(int level);

}  // namespace kolibri
