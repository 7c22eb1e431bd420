#include "engine/llama_backend.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "ggml-backend.h"
#include "kolibri/engine_info.h"
#include "llama.h"

namespace kolibri {
namespace {

std::atomic<int> g_verbosity{0};

// llama.cpp logs a lot at info level while loading; users of a CLI want silence unless
// something is wrong, so only errors (and warnings at verbosity 1) pass by default.
void LogCallback(ggml_log_level level, const char* text, void* /*user*/) {
  static ggml_log_level last = GGML_LOG_LEVEL_INFO;
  if (level == GGML_LOG_LEVEL_CONT) level = last;
  last = level;
  int v = g_verbosity.load(std::memory_order_relaxed);
  bool show = level == GGML_LOG_LEVEL_ERROR || (v >= 1 && level == GGML_LOG_LEVEL_WARN) || v >= 2;
  if (show) std::fputs(text, stderr);
}

}  // namespace

void SetLlamaLogVerbosity(int level) { g_verbosity.store(level, std::memory_order_relaxed); }

namespace engine {

void EnsureLlamaBackend() {
  static std::once_flag once;
  std::call_once(once, [] {
    llama_log_set(LogCallback, nullptr);
    llama_backend_init();
  });
}

}  // namespace engine
}  // namespace kolibri
