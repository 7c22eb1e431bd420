// Runs the real `kolibri` binary on bad input: each case must exit non-zero with exactly
// one clear line on stderr, never crash. Good input must work end to end.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "testing/cli_runner.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

using RunResult = testing::CliResult;
using testing::RunKolibri;

void ExpectOneLineError(const RunResult& r, int code, const std::string& needle) {
  EXPECT_FALSE(r.signalled) << "crashed: " << r.err;
  EXPECT_EQ(r.exit_code, code) << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "more than one line:\n" << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

std::string WriteFile(const std::string& name, const std::string& bytes) {
  std::string path = testing::TestDataDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(CliTest, VersionNamesPinnedLlama) {
  RunResult r = RunKolibri("version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("v0.5.0"), std::string::npos);
  EXPECT_NE(r.out.find("de3ff81"), std::string::npos);
  EXPECT_NE(r.out.find("CPU"), std::string::npos);
}

TEST(CliTest, MissingFile) {
  ExpectOneLineError(RunKolibri("info /nonexistent/model.gguf"), 3, "does not exist");
  ExpectOneLineError(RunKolibri("generate -m /nonexistent/model.gguf -p hi"), 3, "does not exist");
}

TEST(CliTest, NotGguf) {
  std::string path = WriteFile("not-a-model.gguf", "this is plain text, not a model\n");
  ExpectOneLineError(RunKolibri("info " + path), 4, "not a GGUF file");
  ExpectOneLineError(RunKolibri("generate -m " + path + " -p hi"), 4, "not a GGUF file");
}

TEST(CliTest, TruncatedGguf) {
  std::string model = testing::TestModelPath("tiny");
  ASSERT_FALSE(model.empty());
  std::ifstream in(model, std::ios::binary);
  std::string bytes(std::istreambuf_iterator<char>(in), {});
  for (size_t cut : {size_t{10}, size_t{5000}, bytes.size() / 2, bytes.size() - 100}) {
    std::string path = WriteFile("truncated.gguf", bytes.substr(0, cut));
    ExpectOneLineError(RunKolibri("info " + path), 4, "truncated");
    ExpectOneLineError(RunKolibri("generate -m " + path + " -p hi"), 4, "truncated");
  }
}

TEST(CliTest, UnknownArchitecture) {
  std::string model = testing::TestModelPath("tiny");
  ASSERT_FALSE(model.empty());
  std::ifstream in(model, std::ios::binary);
  std::string bytes(std::istreambuf_iterator<char>(in), {});
  // Rename the architecture and its "llama.*" keys alike, keeping every length (and so
  // every offset in the file) the same.
  size_t replaced = 0;
  for (size_t at = bytes.find("llama"); at != std::string::npos; at = bytes.find("llama", at + 5)) {
    bytes.replace(at, 5, "zorgx");
    ++replaced;
  }
  ASSERT_GT(replaced, 0u);
  std::string path = WriteFile("unknown-arch.gguf", bytes);
  RunResult info = RunKolibri("info " + path);
  EXPECT_EQ(info.exit_code, 4);
  EXPECT_NE(info.out.find("zorgx"), std::string::npos) << "info still prints what it read";
  ExpectOneLineError(RunKolibri("generate -m " + path + " -p hi"), 4, "architecture 'zorgx'");
}

TEST(CliTest, PromptLongerThanContext) {
  std::string model = testing::TestModelPath("tiny");
  std::string words;
  for (int i = 0; i < 300; ++i) words += "word ";
  ExpectOneLineError(RunKolibri("generate -m " + model + " --ctx 64 -p '" + words + "'"), 2,
                     "context holds 64");
}

TEST(CliTest, InvalidOptionValues) {
  std::string model = testing::TestModelPath("tiny");
  ExpectOneLineError(RunKolibri("generate -m " + model + " -p hi --max-tokens -5"), 2, "--max-tokens");
  ExpectOneLineError(RunKolibri("generate -m " + model + " -p hi --temperature abc"), 2, "--temperature");
  ExpectOneLineError(RunKolibri("generate -m " + model + " -p hi --top-p 1.5"), 2, "--top-p");
  ExpectOneLineError(RunKolibri("generate -m " + model + " -p hi --threads -1"), 2, "--threads");
  ExpectOneLineError(RunKolibri("generate -m " + model + " -p ''"), 2, "empty");
  ExpectOneLineError(RunKolibri("make-test-model --shape nope --vocab x --out y"), 2, "unknown shape");
  ExpectOneLineError(RunKolibri("frobnicate"), 2, "frobnicate");
}

TEST(CliTest, InfoAndGenerateWork) {
  std::string model = testing::TestModelPath("tiny");
  RunResult info = RunKolibri("info --json " + model);
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("\"architecture\": \"llama\""), std::string::npos);
  EXPECT_NE(info.out.find("\"chat_template\": true"), std::string::npos);
  RunResult gen = RunKolibri("generate -m " + model + " -p 'Hello' -n 5 --chat --ignore-eos --seed 3");
  EXPECT_EQ(gen.exit_code, 0) << gen.err;
  EXPECT_NE(gen.err.find("generation: 5 tokens"), std::string::npos) << gen.err;
}

}  // namespace
}  // namespace kolibri
