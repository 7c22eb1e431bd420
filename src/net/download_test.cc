#include "kolibri/download.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "kolibri/sha256.h"

namespace kolibri {
namespace {

namespace fs = std::filesystem;

class DownloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937 rng(7);
    body_ = "GGUF";
    for (int i = 0; i < 300000; ++i) body_ += static_cast<char>(rng() & 0xff);
    sha_ = Sha256Hex(body_);
    dir_ = fs::temp_directory_path() / ("kolibri-download-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto ranged = [this](httplib::Response& res, bool flaky) {
      res.set_content_provider(body_.size(), "application/octet-stream",
                               [this, flaky](size_t offset, size_t length, httplib::DataSink& sink) {
                                 if (flaky && flaky_drops_ > 0 && offset == 0) {
                                   --flaky_drops_;
                                   sink.write(body_.data(), 100000);  // then the connection drops
                                   return false;
                                 }
                                 sink.write(body_.data() + offset, std::min<size_t>(length, 65536));
                                 return true;
                               });
    };
    server_.Get("/model.gguf", [this, ranged](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Linked-ETag", "\"" + sha_ + "\"");
      ranged(res, false);
    });
    server_.Get("/plain.gguf", [ranged](const httplib::Request&, httplib::Response& res) { ranged(res, false); });
    server_.Get("/flaky.gguf", [ranged](const httplib::Request&, httplib::Response& res) { ranged(res, true); });
    server_.Get("/wrong.gguf", [ranged](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Linked-ETag", "\"" + std::string(64, 'a') + "\"");
      ranged(res, false);
    });
    server_.Get("/hf/resolve/main/model.gguf", [this](const httplib::Request&, httplib::Response& res) {
      // Like huggingface.co: the checksum on the redirect, the bytes from a CDN.
      res.status = 302;
      res.set_header("X-Linked-ETag", "\"" + sha_ + "\"");
      res.set_header("Location", "/plain.gguf");
    });
    server_.Get("/norange.gguf", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/octet-stream", [this](size_t offset, httplib::DataSink& sink) {
        if (offset >= body_.size()) {
          sink.done();
          return true;
        }
        sink.write(body_.data() + offset, std::min<size_t>(body_.size() - offset, 65536));
        return true;
      });
    });
    server_.Get("/gated.gguf", [](const httplib::Request&, httplib::Response& res) { res.status = 401; });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    server_.wait_until_ready();
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
    fs::remove_all(dir_);
  }
  DownloadOptions Opts(const std::string& path) {
    DownloadOptions o;
    o.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    o.dest_path = (dir_ / "out.gguf").string();
    o.retry_backoff_s = 0.01;
    return o;
  }
  std::string Read(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
  }

  std::string body_, sha_;
  fs::path dir_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> flaky_drops_{0};
};

TEST_F(DownloadTest, VerifiesThePublishedChecksum) {
  int progress_calls = 0;
  DownloadOptions o = Opts("/model.gguf");
  o.on_progress = [&](const DownloadProgress& p) {
    ++progress_calls;
    EXPECT_LE(p.received, body_.size());
  };
  auto r = DownloadFile(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sha256, sha_);
  EXPECT_EQ(r->checksum_source, "server");
  EXPECT_EQ(r->bytes, body_.size());
  EXPECT_EQ(Read(o.dest_path), body_);
  EXPECT_FALSE(fs::exists(o.dest_path + ".part"));
}

TEST_F(DownloadTest, ChecksumOnTheRedirectCountsLikeHuggingFace) {
  auto r = DownloadFile(Opts("/hf/resolve/main/model.gguf"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->checksum_source, "server");
  EXPECT_EQ(r->sha256, sha_);
}

TEST_F(DownloadTest, ResumesAfterADroppedConnection) {
  flaky_drops_ = 2;
  DownloadOptions o = Opts("/flaky.gguf");
  o.expected_sha256 = sha_;
  auto r = DownloadFile(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->resumed);
  EXPECT_GE(r->attempts, 2);
  EXPECT_EQ(r->checksum_source, "given");
  EXPECT_EQ(Read(o.dest_path), body_);
}

TEST_F(DownloadTest, ResumesAPartFileFromAnEarlierRun) {
  DownloadOptions o = Opts("/plain.gguf");
  {
    std::ofstream part(o.dest_path + ".part", std::ios::binary);
    part.write(body_.data(), 123457);
  }
  auto r = DownloadFile(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->resumed);
  EXPECT_EQ(r->checksum_source, "");  // nothing published, nothing given: unverified
  EXPECT_EQ(Read(o.dest_path), body_);
}

TEST_F(DownloadTest, ServerIgnoringRangesRestartsFromZero) {
  DownloadOptions o = Opts("/norange.gguf");
  {
    std::ofstream part(o.dest_path + ".part", std::ios::binary);
    part.write("garbage-garbage", 15);
  }
  o.expected_sha256 = sha_;
  auto r = DownloadFile(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Read(o.dest_path), body_);
}

TEST_F(DownloadTest, MismatchIsCorruptAndRemovesThePartFile) {
  DownloadOptions o = Opts("/wrong.gguf");
  auto r = DownloadFile(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCorrupt) << r.status().ToString();
  EXPECT_FALSE(fs::exists(o.dest_path));
  EXPECT_FALSE(fs::exists(o.dest_path + ".part"));
  DownloadOptions given = Opts("/model.gguf");
  given.expected_sha256 = std::string(64, 'b');
  auto g = DownloadFile(given);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("checksum mismatch"), std::string::npos);
}

TEST_F(DownloadTest, HttpAndArgumentErrorsAreClear) {
  auto missing = DownloadFile(Opts("/missing.gguf"));
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound) << missing.status().ToString();
  auto gated = DownloadFile(Opts("/gated.gguf"));
  EXPECT_EQ(gated.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(gated.status().message().find("HF_TOKEN"), std::string::npos);
  DownloadOptions bad = Opts("/model.gguf");
  bad.url = "ftp://example.org/x";
  EXPECT_EQ(DownloadFile(bad).status().code(), ErrorCode::kInvalidArgument);
  bad = Opts("/model.gguf");
  bad.expected_sha256 = "xyz";
  EXPECT_EQ(DownloadFile(bad).status().code(), ErrorCode::kInvalidArgument);
  DownloadOptions down = Opts("/model.gguf");
  down.url = "http://127.0.0.1:1/model.gguf";  // nothing listens there
  down.max_attempts = 2;
  auto r = DownloadFile(down);
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable) << r.status().ToString();
}

}  // namespace
}  // namespace kolibri
