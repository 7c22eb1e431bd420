#include "kolibri/engine_info.h"

#include "build-info.h"
#include "engine/llama_backend.h"
#include "ggml-backend.h"
#include "llama.h"

namespace kolibri {

EngineInfo GetEngineInfo() {
  engine::EnsureLlamaBackend();
  EngineInfo info;
  info.llama_version = KOLIBRI_LLAMA_TAG;
  info.llama_commit = llama_commit();
  info.llama_build = llama_build_info();
  info.compiler = llama_compiler();
  for (size_t i = 0; i < ggml_backend_reg_count(); ++i) {
    info.backends.emplace_back(ggml_backend_reg_name(ggml_backend_reg_get(i)));
  }
  info.cpu_features = llama_print_system_info();
  return info;
}

}  // namespace kolibri
