// plan_accuracy: the planner's accuracy matrix — for each generated test-model shape, at
// contexts 2k/8k/32k and parallel 1/4/8 on the CPU backend, the estimate next to what
// llama.cpp allocates (weights incl. re-laid copies + KV + output + compute). Models are
// made with `kolibri make-test-model` (MakeTestModel) into --dir once and reused.
// Writes JSON (--out) and prints a Markdown table for docs/benchmarks.md.
//
//   plan_accuracy [--out plan_accuracy.json] [--dir DIR] [--only SHAPE]
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "kolibri/plan_verify.h"
#include "kolibri/test_model.h"

using namespace kolibri;

int main(int argc, char** argv) {
  std::string out = "plan_accuracy.json", dir = "plan-models", only;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--out") out = argv[i + 1];
    else if (a == "--dir") dir = argv[i + 1];
    else if (a == "--only") only = argv[i + 1];
  }
  std::filesystem::create_directories(dir);
  struct Shape {
    const char* name;
    const char* type;
    const char* vocab;
  };
  const Shape shapes[] = {
      {"tiny", "f16", "ggml-vocab-qwen2.gguf"},
      {"smollm2-135m", "q8_0", "ggml-vocab-starcoder.gguf"},
      {"qwen2.5-0.5b", "q4_0", "ggml-vocab-qwen2.gguf"},
      {"qwen2.5-1.5b", "q4_k_m", "ggml-vocab-qwen2.gguf"},
      {"llama3.2-1b", "q8_0", "ggml-vocab-llama-bpe.gguf"},
      {"gemma3-270m", "f16", "ggml-vocab-gemma-4.gguf"},
  };
  nlohmann::json rows = nlohmann::json::array();
  double worst = 0;
  std::printf("| shape | type | ctx | parallel | estimate (MiB) | actual (MiB) | error %% | peak RSS (MiB) |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|\n");
  auto run = [&](const char* shape, const char* type, const std::string& path, SwaCache swa) {
    const char* label = swa == SwaCache::kWindow ? "window" : "full";
    for (uint32_t ctx : {2048u, 8192u, 32768u}) {
      for (uint32_t parallel : {1u, 4u, 8u}) {
        PlanOptions o;
        o.context = ctx;
        o.parallel = parallel;
        o.swa_cache = swa;
        auto r = VerifyEstimate(path, {}, o);
        if (!r.ok()) {
          std::fprintf(stderr, "%s ctx %u parallel %u: %s\n", shape, ctx, parallel, r.status().ToString().c_str());
          std::exit(1);
        }
        const VerifyRow& t = r->rows.back();
        worst = std::max(worst, std::fabs(t.ErrorPercent()));
        nlohmann::json parts = nlohmann::json::object();
        for (const auto& row : r->rows) parts[row.component] = {{"estimate", row.estimate}, {"actual", row.actual}};
        rows.push_back({{"shape", shape}, {"type", type}, {"swa_cache", label}, {"ctx", ctx},
                        {"parallel", parallel}, {"estimate", t.estimate}, {"actual", t.actual},
                        {"error_percent", t.ErrorPercent()}, {"peak_rss_bytes", r->actual.peak_rss_bytes},
                        {"components", parts}});
        std::printf("| %s%s | %s | %u | %u | %.1f | %.1f | %+.2f | %.0f |\n", shape,
                    swa == SwaCache::kWindow ? " (swa window)" : "", type, ctx, parallel, t.estimate / 1048576.0,
                    t.actual / 1048576.0, t.ErrorPercent(), r->actual.peak_rss_bytes / 1048576.0);
        std::fflush(stdout);
      }
    }
  };
  for (const Shape& s : shapes) {
    if (!only.empty() && only != s.name) continue;
    const std::string path = dir + "/" + s.name + "-" + s.type + ".gguf";
    if (!std::filesystem::exists(path)) {
      TestModelOptions m;
      m.shape = s.name;
      m.type = s.type;
      m.vocab_path = std::string(KOLIBRI_VOCAB_DIR) + "/" + s.vocab;
      m.out_path = path;
      m.threads = 2;
      const Status made = MakeTestModel(m);
      if (!made.ok()) {
        std::fprintf(stderr, "make-test-model %s: %s\n", s.name, made.ToString().c_str());
        return 1;
      }
    }
    run(s.name, s.type, path, SwaCache::kFull);
    // The sliding-window shape once more with window-sized SWA caches (llama.cpp's
    // swa_full = false), the other cache layout the planner models.
    if (std::string(s.name) == "gemma3-270m") run(s.name, s.type, path, SwaCache::kWindow);
  }
  nlohmann::json j = {{"benchmark", "plan_accuracy"}, {"llama_cpp", "de3ff815ea7d (v0.5.0)"},
                      {"backend", "CPU"}, {"worst_abs_error_percent", worst}, {"rows", rows}};
  std::ofstream(out) << j.dump(2) << "\n";
  std::printf("\nworst |error| %.2f %%\n", worst);
  return 0;
}
