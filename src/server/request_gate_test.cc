// The RequestGate in front of plain routes over a real socket: keys, request ids, content
// types, rate limits, draining, /ready, /metrics (checked with promtool when installed).
#include "server/request_gate.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <future>
#include <string>
#include <vector>
#include <thread>

#include "net/http_client.h"
#include "server/api_error.h"

namespace kolibri::server {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class RequestGateTest : public ::testing::Test {
 protected:
  void Start(RequestGateOptions options) {
    gate_ = std::make_unique<RequestGate>(std::move(options), metrics_, [this] { return not_ready_; });
    net::HttpServerOptions ho;
    ho.port = 0;
    ho.max_body_bytes = 64 * 1024;
    ho.error_body = [](int status, std::string_view message) {
      return std::make_pair(std::string("application/json"), ErrorBodyForHttpStatus(status, message).dump());
    };
    ho.middleware = gate_->Middleware();
    http_ = std::make_unique<net::HttpServer>(ho);
    gate_->RegisterRoutes(*http_);
    http_->Handle("POST", "/v1/echo", [](const net::HttpRequest& r) {
      net::HttpResponse out;
      out.body = json{{"id", r.request_id}}.dump();
      return out;
    });
    http_->Handle("GET", "/v1/slow-stream", [this](const net::HttpRequest&) {
      net::HttpResponse out;
      out.content_type = "text/event-stream";
      out.stream = [this](net::StreamWriter& w) {
        for (int i = 0; i < 10 && !release_; ++i) {
          w.Write("data: x\n\n");
          std::this_thread::sleep_for(30ms);
        }
        w.Write("data: [DONE]\n\n");
      };
      return out;
    });
    ASSERT_TRUE(http_->Start().ok());
  }
  void TearDown() override {
    if (http_) http_->Stop();
  }
  net::HttpClientOptions Client(const std::string& key = "") const {
    net::HttpClientOptions o;
    o.port = http_->port();
    o.read_timeout = 10s;
    if (!key.empty()) o.headers.push_back({"Authorization", "Bearer " + key});
    return o;
  }
  static void ExpectOpenAiError(const Result<net::HttpResult>& r, int status, const char* code) {
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, status) << r->body;
    json body = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(body.contains("error")) << r->body;
    EXPECT_EQ(body["error"]["code"], code) << r->body;
    EXPECT_FALSE(r->Header("X-Request-Id").empty());
  }

  MetricsRegistry metrics_;
  std::string not_ready_;
  std::atomic<bool> release_{false};
  std::unique_ptr<RequestGate> gate_;
  std::unique_ptr<net::HttpServer> http_;
};

TEST_F(RequestGateTest, ApiKeysGuardEverythingButHealthAndReady) {
  Start({.api_keys = {"k-one", "k-two"}});
  net::HttpClient anonymous(Client());
  ExpectOpenAiError(anonymous.Post("/v1/echo", "{}"), 401, "invalid_api_key");
  auto missing = anonymous.Post("/v1/echo", "{}");
  EXPECT_EQ(json::parse(missing->body)["error"]["type"], "authentication_error");
  EXPECT_EQ(anonymous.Get("/health")->status, 200);
  EXPECT_EQ(anonymous.Get("/ready")->status, 200);
  ExpectOpenAiError(anonymous.Get("/metrics"), 401, "invalid_api_key");
  net::HttpClient wrong(Client("k-on"));
  ExpectOpenAiError(wrong.Post("/v1/echo", "{}"), 401, "invalid_api_key");
  net::HttpClient right(Client("k-two"));
  EXPECT_EQ(right.Post("/v1/echo", "{}")->status, 200);
  EXPECT_EQ(right.Get("/metrics")->status, 200);

  gate_->Reconfigure({.api_keys = {"k-three"}, .metrics_public = true});  // SIGHUP
  EXPECT_EQ(right.Post("/v1/echo", "{}")->status, 401);
  EXPECT_EQ(net::HttpClient(Client("k-three")).Post("/v1/echo", "{}")->status, 200);
  EXPECT_EQ(anonymous.Get("/metrics")->status, 200);
}

TEST_F(RequestGateTest, EveryResponseCarriesTheRequestId) {
  Start({});
  auto o = Client();
  o.headers.push_back({"X-Request-Id", "client-id-42"});
  net::HttpClient with_id(o);
  auto echoed = with_id.Post("/v1/echo", "{}");
  EXPECT_EQ(echoed->Header("X-Request-Id"), "client-id-42");
  EXPECT_EQ(json::parse(echoed->body)["id"], "client-id-42");
  EXPECT_EQ(with_id.Get("/nowhere")->Header("X-Request-Id"), "client-id-42");

  auto bad = Client();
  bad.headers.push_back({"X-Request-Id", "has spaces and \"quotes\""});
  auto replaced = net::HttpClient(bad).Post("/v1/echo", "{}");
  EXPECT_NE(replaced->Header("X-Request-Id"), "");
  EXPECT_EQ(replaced->Header("X-Request-Id").find(' '), std::string::npos);

  net::HttpClient plain(Client());
  const std::string a = plain.Post("/v1/echo", "{}")->Header("X-Request-Id");
  const std::string b = plain.Post("/v1/echo", "{}")->Header("X-Request-Id");
  EXPECT_FALSE(a.empty());
  EXPECT_NE(a, b);
  // Transport errors too: an unparsable request line and a too-large body.
  auto raw = net::HttpClient::SendRaw(Client(), "GARBAGE\r\n\r\n", 500ms);
  ASSERT_TRUE(raw.ok());
  EXPECT_NE(raw->find("X-Request-Id"), std::string::npos) << *raw;
  auto huge = net::HttpClient::SendRaw(
      Client(), "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n", 2s);
  ASSERT_TRUE(huge.ok());
  EXPECT_NE(huge->find(" 413 "), std::string::npos) << *huge;
  EXPECT_NE(huge->find("X-Request-Id"), std::string::npos) << *huge;
}

TEST_F(RequestGateTest, WrongContentTypeIs415) {
  Start({});
  net::HttpClient c(Client());
  ExpectOpenAiError(c.Post("/v1/echo", "a=b", "application/x-www-form-urlencoded"), 415, "unsupported_media_type");
  ExpectOpenAiError(c.Post("/v1/echo", "{}", "text/plain"), 415, "unsupported_media_type");
  EXPECT_EQ(c.Post("/v1/echo", "{}", "application/json; charset=utf-8")->status, 200);
  EXPECT_EQ(c.Post("/v1/echo", "{}", "Application/JSON")->status, 200);
}

TEST_F(RequestGateTest, RateLimitIsPerKeyWith429AndRetryAfter) {
  Start({.api_keys = {"a", "b"}, .rate_per_second = 0.5, .burst = 2});
  net::HttpClient a(Client("a"));
  EXPECT_EQ(a.Post("/v1/echo", "{}")->status, 200);
  EXPECT_EQ(a.Post("/v1/echo", "{}")->status, 200);
  auto limited = a.Post("/v1/echo", "{}");
  ExpectOpenAiError(limited, 429, "rate_limit_exceeded");
  EXPECT_EQ(limited->Header("Retry-After"), "2");
  EXPECT_EQ(net::HttpClient(Client("b")).Post("/v1/echo", "{}")->status, 200);  // b has its own bucket
  EXPECT_EQ(a.Get("/health")->status, 200);  // probes are never limited
  EXPECT_EQ(metrics_.Value("kolibri_http_requests_total", {{"endpoint", "/v1/echo"}, {"status", "429"}}), 1);
}

TEST_F(RequestGateTest, DrainingTurnsReadyAndNewRequestsTo503WhileStreamsFinish) {
  Start({});
  net::HttpClient c(Client());
  EXPECT_EQ(c.Get("/ready")->status, 200);
  not_ready_ = "model not loaded";
  auto not_ready = c.Get("/ready");
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_EQ(json::parse(not_ready->body)["reason"], "model not loaded");
  not_ready_ = "";

  auto raw = std::async(std::launch::async, [this] {
    return net::HttpClient::SendRaw(Client(), "GET /v1/slow-stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                    5s);
  });
  for (int i = 0; i < 100 && gate_->in_flight() == 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(gate_->in_flight(), 1);
  gate_->StartDraining();
  EXPECT_EQ(c.Get("/ready")->status, 503);
  EXPECT_EQ(c.Get("/health")->status, 200);
  auto refused = c.Post("/v1/echo", "{}");
  ExpectOpenAiError(refused, 503, "shutting_down");
  EXPECT_EQ(refused->Header("Retry-After"), "1");
  EXPECT_TRUE(gate_->WaitIdle(std::chrono::steady_clock::now() + 5s));
  auto answer = raw.get();
  ASSERT_TRUE(answer.ok());
  EXPECT_NE(answer->find("[DONE]"), std::string::npos) << *answer;
}

TEST_F(RequestGateTest, RateBucketsStayBounded) {
  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i) keys.push_back("key-" + std::to_string(i));
  Start({.api_keys = keys, .rate_per_second = 0.001, .burst = 1, .max_rate_buckets = 4});
  for (const auto& k : keys) EXPECT_EQ(net::HttpClient(Client(k)).Post("/v1/echo", "{}")->status, 200);
  EXPECT_LE(gate_->rate_buckets(), 4u);
}

TEST_F(RequestGateTest, MetricsAreValidPrometheusText) {
  Start({});
  net::HttpClient c(Client());
  ASSERT_EQ(c.Post("/v1/echo", "{}")->status, 200);
  ASSERT_EQ(c.Post("/v1/echo", "{}", "text/plain")->status, 415);
  auto m = c.Get("/metrics");
  ASSERT_EQ(m->status, 200);
  EXPECT_NE(m->content_type.find("text/plain"), std::string::npos);
  EXPECT_NE(m->body.find("kolibri_http_requests_total{endpoint=\"/v1/echo\",status=\"200\"} 1"), std::string::npos)
      << m->body;
  EXPECT_NE(m->body.find("kolibri_http_requests_total{endpoint=\"/v1/echo\",status=\"415\"} 1"), std::string::npos);
  EXPECT_NE(m->body.find("kolibri_http_request_duration_seconds_bucket{endpoint=\"/v1/echo\",le=\"+Inf\"} 2"),
            std::string::npos);
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not installed (Debian package prometheus): format check skipped";
  }
  const std::string file = ::testing::TempDir() + "/kolibri_metrics.txt";
  std::ofstream(file) << m->body;
  EXPECT_EQ(std::system(("promtool check metrics < " + file + " > " + file + ".out 2>&1").c_str()), 0)
      << std::ifstream(file + ".out").rdbuf();
}

}  // namespace
}  // namespace kolibri::server
