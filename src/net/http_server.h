// HttpServer: the HTTP/1.1 server transport — routing, limits, a bounded worker pool,
// chunked streaming (server-sent events) and detection of clients that went away.
//
// Library choice: cpp-httplib 0.57.1 as vendored by the pinned llama.cpp tree (compiled
// here from ${KOLIBRI_LLAMA_SOURCE_DIR}/vendor/cpp-httplib so sanitizer builds instrument
// it too). It is the transport llama-server itself runs on (same pinned source, so the
// side-by-side benchmark compares schedulers, not HTTP stacks), it adds no dependency, and
// unlike Debian's cpp-httplib 0.11 it can tell that a peer closed its socket
// (Request::is_connection_closed, DataSink::is_writable), has per-read/per-write timeouts,
// a payload limit checked against Content-Length before the body is read, and a dynamic
// thread pool with a bounded queue. Boost.Beast/Asio would give an event loop that no
// idle or slow connection can pin a thread with, but costs a new dependency and several
// times the code; blocking workers are fine at the concurrency a small-model server sees.
// The interface below hides the library so that only this module includes httplib.h.
//
// Threading: handlers run on worker threads, several at once; they must be thread-safe.
// One connection occupies one worker for as long as it is being served — a stream until it
// ends, a keep-alive connection until it idles out (keep_alive_timeout) — so `workers`
// must exceed the number of requests that can be in flight at once (for an inference
// server: its parallel sequences plus its queue) for other clients (health checks, new
// requests) to be served while all streams run. Connections beyond `max_workers` wait in
// a queue of `max_queued_connections`; beyond that they are closed at once.
//
// Slow clients: every read and write has a timeout (slowloris protection is per read, so a
// client trickling one byte per timeout can hold a worker for the length of its headers
// (≤ 8 KiB) — put a reverse proxy in front of a server exposed to the internet).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kolibri/status.h"

namespace kolibri::net {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string remote_addr;
  // The request's id: the client's X-Request-Id when it is 1–128 characters of
  // [A-Za-z0-9._:-], else one generated here. Every response carries it in X-Request-Id.
  std::string request_id;
  // True once the client has closed its connection. Cheap (a non-blocking poll of the
  // socket); safe to call repeatedly from the handler's thread.
  std::function<bool()> client_gone = [] { return false; };

  // The first header named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

// Writes the body of a streamed response; handed to HttpResponse::stream.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Sends `data` to the client now. False when the client is gone or the write timed out
  // (write_timeout); the stream should stop then.
  virtual bool Write(std::string_view data) = 0;
  // True once the client has closed its connection (without writing anything).
  virtual bool ClientGone() = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the response is sent with chunked transfer encoding and `stream` produces
  // the body on the worker thread after the status and headers went out; `body` is
  // ignored. It should return soon after a Write fails.
  std::function<void(StreamWriter&)> stream;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// Wraps every routed handler (authentication, admission, metrics …): gets the request and
// the route's handler, returns the response (calling `next` or not).
using HttpMiddleware = std::function<HttpResponse(const HttpRequest&, const HttpHandler& next)>;

// One line of the access log: no bodies, no query strings' contents beyond the path.
struct AccessLogEntry {
  std::string method;
  std::string path;
  std::string request_id;
  std::string remote_addr;
  int status = 0;
  double ms = 0;          // request line read → response (or stream) finished
  bool streamed = false;
  bool client_gone = false;  // a stream ended because its client went away
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                      // 0: any free port (see HttpServer::port())
  int workers = 16;                     // threads always ready to serve a connection
  int max_workers = 64;                 // threads at most (grown on demand, idle ones exit)
  int max_queued_connections = 256;     // accepted connections waiting for a worker
  size_t max_body_bytes = 8u << 20;     // larger bodies get 413 before they are read
                                        // (Content-Length), or once this much of a chunked
                                        // body arrived
  // Request lines over 8 KiB get 414, header lines over 8 KiB or more than 100 headers
  // get 400 (cpp-httplib's compile-time limits), before any handler runs.
  std::chrono::milliseconds read_timeout{10000};   // per read while receiving a request
  std::chrono::milliseconds write_timeout{10000};  // per write while sending a response
  std::chrono::milliseconds keep_alive_timeout{5000};  // idle keep-alive connections close
  // Called once per request after its response was sent (streams: when they end). May run
  // on any worker thread, concurrently. Empty: no log.
  std::function<void(const AccessLogEntry&)> access_log;
  // Runs around every routed handler (not around the transport's own errors). Empty: none.
  HttpMiddleware middleware;
  // The body of error responses the transport makes itself (404 no route, 405, 413, 400
  // unparsable HTTP, 500 handler threw) as (status, message) → (content type, body).
  // Empty: plain text.
  std::function<std::pair<std::string, std::string>(int status, std::string_view message)>
      error_body;
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Adds a route for an exact path. Call before Start(). Other methods on a known path
  // get 405; unknown paths 404.
  void Handle(std::string_view method, std::string path, HttpHandler handler);

  // Binds host:port and starts serving on a background thread. Unavailable when the
  // address cannot be bound (in use, bad host); FailedPrecondition when already started.
  Status Start();
  // The bound port (useful with port 0); 0 before Start().
  int port() const;
  // Stops accepting connections and waits until every in-flight request and stream has
  // ended (handlers are not interrupted: end them first, e.g. by cancelling their work).
  // Idempotent; safe from any thread except a handler.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kolibri::net
