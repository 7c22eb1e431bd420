// `kolibri plan` end to end on header-only (sparse) GGUFs: tables, JSON, hardware fit,
// quantization comparison, and bad input answered with one clear line and exit code.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "plan/sparse_gguf.h"
#include "plan/test_shapes.h"
#include "testing/cli_runner.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

using RunResult = testing::CliResult;

RunResult Kolibri(const std::string& args) { return testing::RunKolibri(args); }

std::string Shape(const std::string& shape) {
  const std::string path = testing::TestDataDir() + "/plan-cli-" + shape + ".gguf";
  GgufReadOptions ro;
  ro.keep_long_string_arrays = true;
  auto vocab = GgufFile::Open(testing::VocabPath(*plan::TestShapeVocabFile(shape) == "ggml-vocab-qwen2.gguf" ? "qwen2" : "starcoder"), ro);
  EXPECT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_TRUE(plan::WriteSparseGguf(path, *plan::MakeTestShapeSpec(shape, *vocab, GgmlType::kQ8_0)).ok());
  return path;
}

TEST(PlanCommandTest, TableJsonFitAndQuantComparison) {
  const std::string a = Shape("qwen2.5-0.5b");
  const std::string b = Shape("smollm2-135m");
  RunResult t = Kolibri("plan " + a + " " + b + " --ctx 8192 --parallel 4 --hardware rtx-4090 --gpu-layers 99");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("kolibri-test-qwen2.5-0.5b"), std::string::npos);
  EXPECT_NE(t.out.find("kolibri-test-smollm2-135m"), std::string::npos);
  EXPECT_NE(t.out.find("total GPU"), std::string::npos);
  EXPECT_NE(t.out.find("instances per host"), std::string::npos);

  RunResult j = Kolibri("plan " + a + " --json --compare-quants --hardware raspberry-pi-5 --requests-per-day 5000");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc.size(), 4u);  // f16, q8_0, q4_k_m, q4_0
  EXPECT_GT(doc[0]["total"].get<uint64_t>(), doc[3]["total"].get<uint64_t>());
  EXPECT_GT(doc[3]["fit"]["decode_tokens_per_s_bound"].get<double>(), doc[0]["fit"]["decode_tokens_per_s_bound"].get<double>());
  EXPECT_TRUE(doc[3].contains("fleet"));
}

TEST(PlanCommandTest, BadInputGetsOneClearLine) {
  const std::string a = Shape("qwen2.5-0.5b");
  struct Case {
    std::string args;
    int code;
    std::string needle;
  };
  const Case cases[] = {
      {"plan " + a + " --ctx 0", 2, "--ctx must be a positive number"},
      {"plan " + a + " --parallel -3", 2, "--parallel must be a positive number"},
      {"plan " + a + " --kv-type q3_k", 2, "unknown KV cache type"},
      {"plan " + a + " --kv-type q4_0 --flash-attn off", 2, "requires Flash Attention"},
      {"plan " + a + " --hardware cray-1", 3, "unknown hardware profile 'cray-1'"},
      {"plan /no/such.gguf", 3, "does not exist"},
      {"plan " + a + " --requests-per-day 100", 2, "needs --hardware"},
      {"plan", 2, "at least one MODEL.gguf"},
  };
  for (const Case& c : cases) {
    RunResult r = Kolibri(c.args);
    EXPECT_EQ(r.exit_code, c.code) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  }
  // Beyond the training context: a warning, not an error.
  RunResult w = Kolibri("plan " + a + " --ctx 65536");
  EXPECT_EQ(w.exit_code, 0);
  EXPECT_NE(w.out.find("exceeds the training context 32768"), std::string::npos);
}

}  // namespace
}  // namespace kolibri
