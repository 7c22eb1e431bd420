// Command line and model loading shared by the attention benchmarks (bench_flash_attn,
// bench_kv_layout): --model M.gguf [--threads N] [--reps N] [--out FILE].
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "llama.h"

namespace kolibri::bench {

struct AttentionBenchArgs {
  std::string model_path;
  std::string out;
  int threads = 2;
  int reps = 5;
  llama_model* model = nullptr;
};

// Parses the options and loads the model (llama.cpp's log silenced). Returns 0, or the
// process exit code after printing why (2: usage, 1: the model does not load).
inline int ParseAndLoad(int argc, char** argv, const char* name, AttentionBenchArgs* a) {
  for (int i = 1; i < argc; i += 2) {
    const std::string opt = argv[i];
    if (i + 1 >= argc) return std::fprintf(stderr, "%s: %s needs a value\n", name, opt.c_str()), 2;
    if (opt == "--model") a->model_path = argv[i + 1];
    else if (opt == "--threads") a->threads = std::atoi(argv[i + 1]);
    else if (opt == "--reps") a->reps = std::atoi(argv[i + 1]);
    else if (opt == "--out") a->out = argv[i + 1];
    else return std::fprintf(stderr, "%s: unknown option %s\n", name, opt.c_str()), 2;
  }
  if (a->model_path.empty() || a->threads < 1 || a->reps < 1) {
    std::fprintf(stderr, "usage: %s --model M.gguf [--threads %d] [--reps %d] [--out %s]\n", name, a->threads,
                 a->reps, a->out.c_str());
    return 2;
  }
  llama_log_set([](ggml_log_level, const char*, void*) {}, nullptr);
  llama_backend_init();
  a->model = llama_model_load_from_file(a->model_path.c_str(), llama_model_default_params());
  if (a->model == nullptr) return std::fprintf(stderr, "%s: cannot load %s\n", name, a->model_path.c_str()), 1;
  return 0;
}

}  // namespace kolibri::bench
