// plan_header_bench: how long `kolibri plan` takes on a multi-GB GGUF. Writes a sparse
// GGUF in the llama3.2-1b shape with f32 matrices (4.9 GB on paper, a few MB on disk),
// then times (a) header read + estimate + fit in-process and (b) the `kolibri plan` binary
// end to end, and writes the timings as JSON.
//
//   plan_header_bench [--out result.json] [--dir /tmp] [--runs 20]
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "kolibri/fit_plan.h"
#include "kolibri/hardware_profile.h"
#include "kolibri/memory_plan.h"
#include "plan/sparse_gguf.h"
#include "plan/test_shapes.h"

using namespace kolibri;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string out = "plan_header_bench.json", dir = "/tmp";
  int runs = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--out") out = argv[i + 1];
    else if (a == "--dir") dir = argv[i + 1];
    else if (a == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
  }
  GgufReadOptions ro;
  ro.keep_long_string_arrays = true;
  auto vocab = GgufFile::Open(std::string(KOLIBRI_VOCAB_DIR) + "/ggml-vocab-llama-bpe.gguf", ro);
  if (!vocab.ok()) {
    std::fprintf(stderr, "%s\n", vocab.status().ToString().c_str());
    return 1;
  }
  const std::string path = dir + "/kolibri-plan-bench-llama3.2-1b-f32.gguf";
  const Status written = plan::WriteSparseGguf(path, *plan::MakeTestShapeSpec("llama3.2-1b", *vocab, GgmlType::kF32));
  if (!written.ok()) {
    std::fprintf(stderr, "%s\n", written.ToString().c_str());
    return 1;
  }
  const auto hw = *FindHardwareProfile("ryzen-7950x");
  PlanOptions o;
  o.context = 8192;
  o.parallel = 4;
  std::vector<double> in_process, cli;
  uint64_t file_size = 0;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    auto f = GgufFile::Open(path);
    auto e = EstimateMemory(*f, {}, o);
    auto fit = PlanFit(*f, {}, o, hw);
    const auto t1 = Clock::now();
    if (!f.ok() || !e.ok() || !fit.ok()) return 1;
    file_size = f->file_size();
    in_process.push_back(Ms(t1 - t0));
    const std::string cmd = std::string(KOLIBRI_BIN) + " plan " + path + " --ctx 8192 --parallel 4 --hardware ryzen-7950x >/dev/null";
    const auto t2 = Clock::now();
    if (std::system(cmd.c_str()) != 0) return 1;
    cli.push_back(Ms(Clock::now() - t2));
  }
  std::remove(path.c_str());
  nlohmann::json j = {{"benchmark", "plan_header"},
                      {"model_shape", "llama3.2-1b f32 (sparse)"},
                      {"file_bytes", file_size},
                      {"runs", runs},
                      {"in_process_ms_median", Median(in_process)},
                      {"in_process_ms_max", *std::max_element(in_process.begin(), in_process.end())},
                      {"cli_ms_median", Median(cli)},
                      {"cli_ms_max", *std::max_element(cli.begin(), cli.end())},
                      {"target_ms", 100}};
  std::ofstream(out) << j.dump(2) << "\n";
  std::printf("%s\n", j.dump(2).c_str());
  return 0;
}
