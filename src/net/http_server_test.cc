// The transport against a real socket on 127.0.0.1: routing, limits, streaming, vanished
// clients, a slow client not blocking others, graceful stop.
#include "net/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "net/sse.h"

namespace kolibri::net {
namespace {

using namespace std::chrono_literals;

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options = {}) {
    options.port = 0;
    options.access_log = [this](const AccessLogEntry& e) {
      std::lock_guard<std::mutex> lock(log_mutex_);
      log_.push_back(e);
    };
    options.error_body = [](int status, std::string_view message) {
      return std::make_pair(std::string("application/json"),
                            "{\"status\":" + std::to_string(status) + ",\"message\":\"" +
                                std::string(message) + "\"}");
    };
    server_ = std::make_unique<HttpServer>(options);
    server_->Handle("GET", "/hello", [](const HttpRequest&) {
      HttpResponse r;
      r.content_type = "text/plain";
      r.body = "hi";
      return r;
    });
    server_->Handle("POST", "/echo", [](const HttpRequest& req) {
      HttpResponse r;
      r.status = 201;
      r.content_type = "text/plain";
      r.body = req.body + "|" + req.Header("x-test");
      return r;
    });
    server_->Handle("POST", "/stream", [this](const HttpRequest&) {
      HttpResponse r;
      r.content_type = "text/event-stream";
      r.stream = [this](StreamWriter& w) {
        for (int i = 0; i < 300; ++i) {
          if (!w.Write(SseEvent(std::to_string(i)))) {
            stream_saw_gone_ = true;
            return;
          }
          std::this_thread::sleep_for(5ms);
        }
        w.Write(SseEvent("[DONE]"));
      };
      return r;
    });
    server_->Handle("POST", "/wait", [this](const HttpRequest& req) {
      // Waits for its client to go away, as a non-streamed generation would.
      for (int i = 0; i < 1000 && !req.client_gone(); ++i) std::this_thread::sleep_for(5ms);
      waiter_saw_gone_ = req.client_gone();
      return HttpResponse{};
    });
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_GT(server_->port(), 0);
  }
  HttpClientOptions ClientOptions() const {
    HttpClientOptions o;
    o.port = server_->port();
    o.read_timeout = 10s;
    return o;
  }
  std::vector<AccessLogEntry> Log() {
    std::lock_guard<std::mutex> lock(log_mutex_);
    return log_;
  }

  // The server (and the access-log callbacks of requests still finishing) must stop before
  // log_ below is destroyed.
  void TearDown() override { server_.reset(); }

  std::unique_ptr<HttpServer> server_;
  std::atomic<bool> stream_saw_gone_{false};
  std::atomic<bool> waiter_saw_gone_{false};
  std::mutex log_mutex_;
  std::vector<AccessLogEntry> log_;
};

TEST_F(HttpServerTest, RoutesMethodsAndUnknownPaths) {
  StartServer();
  HttpClient client(ClientOptions());
  auto hello = client.Get("/hello");
  ASSERT_TRUE(hello.ok()) << hello.status().ToString();
  EXPECT_EQ(hello->status, 200);
  EXPECT_EQ(hello->body, "hi");
  auto echo = client.Post("/echo", "body");
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(echo->status, 201);
  EXPECT_EQ(echo->body, "body|");
  auto missing = client.Get("/nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->content_type, "application/json");
  EXPECT_NE(missing->body.find("no route for GET /nope"), std::string::npos);
  auto wrong_method = client.Post("/hello", "{}");
  ASSERT_TRUE(wrong_method.ok());
  EXPECT_EQ(wrong_method->status, 405);
}

TEST_F(HttpServerTest, AccessLogHasOneLinePerRequestWithoutBodies) {
  StartServer();
  HttpClient client(ClientOptions());
  ASSERT_TRUE(client.Post("/echo", "secret-prompt").ok());
  ASSERT_TRUE(client.Get("/nope").ok());
  auto log = Log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].method, "POST");
  EXPECT_EQ(log[0].path, "/echo");
  EXPECT_EQ(log[0].status, 201);
  EXPECT_GE(log[0].ms, 0);
  EXPECT_EQ(log[1].status, 404);
}

TEST_F(HttpServerTest, OversizedBodyIsRefusedWith413BeforeItIsRead) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  // Announce 100 MB but send only the headers: the answer must come without the body.
  std::string raw = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Content-Length: 100000000\r\n\r\n";
  auto answer = HttpClient::SendRaw(ClientOptions(), raw, 5s);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->rfind("HTTP/1.1 413", 0), 0u) << *answer;
  HttpClient client(ClientOptions());
  auto big = client.Post("/echo", std::string(2048, 'x'));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->status, 413);
  auto small = client.Post("/echo", std::string(512, 'x'));
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->status, 201);
}

TEST_F(HttpServerTest, OversizedChunkedBodyIsCutOffAtTheLimit) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  // No Content-Length: the body streams in chunks; reading stops once the limit is passed.
  std::string raw = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 64; ++i) raw += "100\r\n" + std::string(256, 'x') + "\r\n";
  raw += "0\r\n\r\n";
  auto answer = HttpClient::SendRaw(ClientOptions(), raw, 5s);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->rfind("HTTP/1.1 413", 0), 0u) << answer->substr(0, 200);
}

TEST_F(HttpServerTest, HeaderFloodsAndHugeHeadersAreRefused) {
  StartServer();
  std::string flood = "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  for (int i = 0; i < 500; ++i) flood += "X-Flood-" + std::to_string(i) + ": y\r\n";
  auto many = HttpClient::SendRaw(ClientOptions(), flood + "\r\n", 5s);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->rfind("HTTP/1.1 4", 0), 0u) << many->substr(0, 200);
  std::string huge = "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
  auto big = HttpClient::SendRaw(ClientOptions(), huge, 5s);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->rfind("HTTP/1.1 4", 0), 0u) << big->substr(0, 200);
  auto uri = HttpClient::SendRaw(ClientOptions(), "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nConnection: close\r\n\r\n", 5s);
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->rfind("HTTP/1.1 4", 0), 0u) << uri->substr(0, 200);
  HttpClient client(ClientOptions());
  EXPECT_EQ(client.Get("/hello")->status, 200);  // and the server still serves
}

TEST_F(HttpServerTest, MiddlewareWrapsHandlersAndSeesTheRequestId) {
  HttpServerOptions options;
  options.middleware = [](const HttpRequest& r, const HttpHandler& next) {
    if (r.Header("X-Block") == "1") return HttpResponse{403, "text/plain", "blocked " + r.request_id, {}, {}};
    HttpResponse out = next(r);
    out.headers.push_back({"X-Wrapped", "yes"});
    out.headers.push_back({"X-Request-Id", "handler-cannot-override"});
    return out;
  };
  StartServer(options);
  HttpClientOptions o = ClientOptions();
  o.headers.push_back({"X-Request-Id", "abc-1"});
  HttpClient client(o);
  auto hello = client.Get("/hello");
  EXPECT_EQ(hello->Header("X-Wrapped"), "yes");
  EXPECT_EQ(hello->Header("X-Request-Id"), "abc-1");
  o.headers.push_back({"X-Block", "1"});
  auto blocked = HttpClient(o).Get("/hello");
  EXPECT_EQ(blocked->status, 403);
  EXPECT_EQ(blocked->body, "blocked abc-1");
  auto log = Log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().request_id, "abc-1");
}

TEST_F(HttpServerTest, MalformedHttpGets400AndServerKeepsServing) {
  StartServer();
  auto answer = HttpClient::SendRaw(ClientOptions(), "GARBAGE\r\n\r\n", 2s);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->rfind("HTTP/1.1 400", 0), 0u) << *answer;
  HttpClient client(ClientOptions());
  auto hello = client.Get("/hello");
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(hello->status, 200);
}

TEST_F(HttpServerTest, StreamsEventsInChunks) {
  StartServer();
  HttpClient client(ClientOptions());
  SseReader reader;
  std::vector<std::string> events;
  int calls = 0;
  auto result = client.PostStream("/stream", "{}", [&](int status, std::string_view data) {
    EXPECT_EQ(status, 200);
    ++calls;
    reader.Feed(data, [&](std::string_view e) { events.emplace_back(e); });
    return events.size() < 5;  // enough; then hang up
  });
  EXPECT_FALSE(result.ok());  // we aborted
  ASSERT_GE(events.size(), 5u);
  EXPECT_EQ(events[0], "0");
  EXPECT_EQ(events[4], "4");
  EXPECT_GE(calls, 2);  // arrived as separate writes, not one buffered body
}

TEST_F(HttpServerTest, StreamNoticesVanishedClient) {
  StartServer();
  {
    HttpClient client(ClientOptions());
    int events = 0;
    SseReader reader;
    (void)client.PostStream("/stream", "{}", [&](int, std::string_view data) {
      reader.Feed(data, [&](std::string_view) { ++events; });
      return events < 3;
    });
  }
  for (int i = 0; i < 400 && !stream_saw_gone_; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(stream_saw_gone_);
  for (int i = 0; i < 400 && Log().empty(); ++i) std::this_thread::sleep_for(5ms);
  auto log = Log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_TRUE(log[0].streamed);
  EXPECT_TRUE(log[0].client_gone);
}

TEST_F(HttpServerTest, WaitingHandlerNoticesVanishedClient) {
  StartServer();
  auto answer = HttpClient::SendRaw(
      ClientOptions(), "POST /wait HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 100ms);
  ASSERT_TRUE(answer.ok());  // SendRaw closed the socket after 100 ms without an answer
  for (int i = 0; i < 400 && !waiter_saw_gone_; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(waiter_saw_gone_);
}

TEST_F(HttpServerTest, SlowClientsDoNotBlockOthers) {
  HttpServerOptions options;
  options.workers = 8;  // sized above the slow connections, as documented
  options.max_workers = 8;
  options.read_timeout = 1s;
  StartServer(options);
  // Six clients that send half a request line and then nothing.
  std::vector<std::future<Result<std::string>>> slow;
  for (int i = 0; i < 6; ++i) {
    slow.push_back(std::async(std::launch::async, [o = ClientOptions()] {
      return HttpClient::SendRaw(o, "POST /echo HTT", 3s);
    }));
  }
  std::this_thread::sleep_for(100ms);
  HttpClient client(ClientOptions());
  auto start = std::chrono::steady_clock::now();
  auto hello = client.Get("/hello");
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(hello->status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  for (auto& f : slow) {
    auto r = f.get();
    ASSERT_TRUE(r.ok());
    // The read timeout closed them (with or without a 4xx) well before SendRaw gave up.
  }
}

TEST_F(HttpServerTest, StopWaitsForInFlightStreamsAndRefusesNewConnections) {
  StartServer();
  auto streamed = std::async(std::launch::async, [o = ClientOptions()] {
    HttpClient client(o);
    int events = 0;
    SseReader reader;
    (void)client.PostStream("/stream", "{}", [&](int, std::string_view data) {
      reader.Feed(data, [&](std::string_view) { ++events; });
      return true;
    });
    return events;
  });
  std::this_thread::sleep_for(100ms);
  server_->Stop();
  int events = streamed.get();
  EXPECT_GT(events, 0);
  HttpClientOptions o = ClientOptions();
  o.connect_timeout = 500ms;
  HttpClient late(o);
  EXPECT_FALSE(late.Get("/hello").ok());
}

TEST_F(HttpServerTest, SecondServerOnSamePortFailsClearly) {
  StartServer();
  HttpServerOptions options;
  options.port = server_->port();
  HttpServer second(options);
  Status s = second.Start();
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
  EXPECT_NE(s.message().find(std::to_string(server_->port())), std::string::npos);
}

}  // namespace
}  // namespace kolibri::net
