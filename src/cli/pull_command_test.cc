// `kolibri pull` end to end against a local HTTP server standing in for Hugging Face
// (HF_ENDPOINT points hf:OWNER/REPO/FILE names at it).
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "kolibri/sha256.h"
#include "testing/cli_runner.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

namespace fs = std::filesystem;

using RunResult = testing::CliResult;

RunResult RunKolibri(const std::string& env, const std::string& args) {
  return testing::RunKolibri(args, {.env = env});
}

class PullCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string model = testing::TestModelPath("tiny", "q8_0");
    ASSERT_FALSE(model.empty());
    std::ifstream f(model, std::ios::binary);
    gguf_.assign(std::istreambuf_iterator<char>(f), {});
    sha_ = Sha256Hex(gguf_);
    dir_ = testing::TestDataDir() + "/pull-test-models";
    fs::remove_all(dir_);
    server_.Get(R"(/acme/tiny-GGUF/resolve/main/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string file = req.matches[1];
      if (file == "tiny.gguf") {
        res.set_header("X-Linked-ETag", "\"" + sha_ + "\"");
        res.set_content(gguf_, "application/octet-stream");
      } else if (file == "page.gguf") {
        res.set_content("<html>not a model</html>", "text/html");
      } else {
        res.status = 404;
      }
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    server_.wait_until_ready();
    env_ = "HF_ENDPOINT=http://127.0.0.1:" + std::to_string(port_);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
    fs::remove_all(dir_);
  }
  std::string gguf_, sha_, dir_, env_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(PullCommandTest, DownloadsVerifiesAndRefusesToOverwrite) {
  RunResult r = RunKolibri(env_, "pull hf:acme/tiny-GGUF/tiny.gguf --dir " + dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("sha256   " + sha_), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verified yes, against the checksum server"), std::string::npos) << r.out;
  EXPECT_EQ(fs::file_size(dir_ + "/tiny.gguf"), gguf_.size());
  RunResult again = RunKolibri(env_, "pull hf:acme/tiny-GGUF/tiny.gguf --dir " + dir_);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  RunResult forced = RunKolibri(env_, "pull hf:acme/tiny-GGUF/tiny.gguf --force --sha256 " + sha_ + " --dir " + dir_);
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("checksum given"), std::string::npos) << forced.out;
}

TEST_F(PullCommandTest, BadInputIsReported) {
  RunResult wrong = RunKolibri(env_, "pull hf:acme/tiny-GGUF/tiny.gguf --sha256 " + std::string(64, '0') + " --dir " + dir_);
  EXPECT_EQ(wrong.exit_code, 4) << wrong.err;
  EXPECT_NE(wrong.err.find("checksum mismatch"), std::string::npos) << wrong.err;
  EXPECT_FALSE(fs::exists(dir_ + "/tiny.gguf"));
  RunResult html = RunKolibri(env_, "pull hf:acme/tiny-GGUF/page.gguf --dir " + dir_);
  EXPECT_EQ(html.exit_code, 4) << html.err;
  EXPECT_NE(html.err.find("not a usable GGUF"), std::string::npos) << html.err;
  EXPECT_TRUE(fs::is_empty(dir_));
  RunResult missing = RunKolibri(env_, "pull hf:acme/tiny-GGUF/none.gguf --dir " + dir_);
  EXPECT_EQ(missing.exit_code, 3) << missing.err;
  RunResult unknown = RunKolibri(env_, "pull no-such-model --dir " + dir_);
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_NE(unknown.err.find("qwen2.5-0.5b"), std::string::npos) << unknown.err;
  RunResult list = RunKolibri(env_, "pull --list");
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF"), std::string::npos) << list.out;
}

}  // namespace
}  // namespace kolibri
