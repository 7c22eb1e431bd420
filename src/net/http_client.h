// HttpClient: a small blocking HTTP/1.1 client (plain http) for tests, benchmarks and,
// later, upstream model endpoints. Same library as HttpServer (see http_server.h), hidden
// behind this interface.
//
// Thread safety: one HttpClient per thread (it keeps one connection alive between calls).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kolibri/status.h"

namespace kolibri::net {

struct HttpClientOptions {
  std::string host = "127.0.0.1";
  int port = 80;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{600000};  // per read; generous for long generations
  std::chrono::milliseconds write_timeout{10000};
  // Sent with every request, e.g. {"Authorization", "Bearer KEY"}.
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResult {
  int status = 0;
  std::string content_type;
  std::string body;  // empty for Stream()
  std::vector<std::pair<std::string, std::string>> headers;
  // The first header named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

// Receives the body of a streamed response piece by piece, as it arrives; `status` is the
// response status. Return false to abort: the connection is closed at once.
using BodyChunkFn = std::function<bool(int status, std::string_view data)>;

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Unavailable when the server cannot be reached or the connection broke.
  Result<HttpResult> Get(const std::string& path);
  Result<HttpResult> Post(const std::string& path, const std::string& body,
                          const std::string& content_type = "application/json");
  // POST whose response body goes to `on_chunk`. Cancelled when on_chunk returned false.
  Result<HttpResult> PostStream(const std::string& path, const std::string& body,
                                const BodyChunkFn& on_chunk,
                                const std::string& content_type = "application/json");
  // Sends `raw` bytes as they are on a new connection and returns everything the server
  // answers until it closes or `timeout` passes (for malformed-request tests).
  static Result<std::string> SendRaw(const HttpClientOptions& options, std::string_view raw,
                                     std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kolibri::net
