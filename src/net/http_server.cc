#include "net/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <map>
#include <cstdio>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <sys/socket.h>

namespace kolibri::net {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// Marks responses whose log line is written when their stream ends, not by httplib's
// logger (which runs before a streamed body is sent).
constexpr const char* kStreamMarker = "X-Kolibri-Stream";

class SinkWriter final : public StreamWriter {
 public:
  SinkWriter(httplib::DataSink& sink, std::function<bool()> connection_closed)
      : sink_(sink), connection_closed_(std::move(connection_closed)) {}
  bool Write(std::string_view data) override {
    if (failed_) return false;
    if (!sink_.is_writable() || !sink_.write(data.data(), data.size())) failed_ = true;
    return !failed_;
  }
  bool ClientGone() override {
    if (!failed_ && connection_closed_()) failed_ = true;
    return failed_;
  }
  bool failed() const { return failed_; }

 private:
  httplib::DataSink& sink_;
  std::function<bool()> connection_closed_;
  bool failed_ = false;
};

constexpr const char* kRequestIdHeader = "X-Request-Id";

bool ValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' || c == '-';
  });
}

}  // namespace

std::string HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

struct HttpServer::Impl {
  HttpServerOptions options;
  httplib::Server server;
  std::map<std::string, std::map<std::string, HttpHandler>> routes;  // path → method → handler
  std::thread listener;
  std::atomic<int> port{0};
  std::mutex stop_mutex;
  bool started = false;
  bool stopped = false;
  uint64_t id_seed = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  std::atomic<uint64_t> id_counter{0};

  std::string NewRequestId() {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%016llx-%llx", static_cast<unsigned long long>(id_seed),
                  static_cast<unsigned long long>(++id_counter));
    return buf;
  }
  // The id of `req` (the client's when valid), set on `res` unless it already has one.
  std::string EnsureRequestId(const httplib::Request& req, httplib::Response& res) {
    if (res.has_header(kRequestIdHeader)) return res.get_header_value(kRequestIdHeader);
    std::string id = req.get_header_value(kRequestIdHeader);
    if (!ValidRequestId(id)) id = NewRequestId();
    res.set_header(kRequestIdHeader, id);
    return id;
  }

  void Log(const AccessLogEntry& entry) const {
    if (options.access_log) options.access_log(entry);
  }

  void FillError(httplib::Response& res, std::string_view message) const {
    if (options.error_body) {
      auto [type, body] = options.error_body(res.status, message);
      res.set_content(std::move(body), type);
    } else {
      res.set_content(std::string(message) + "\n", "text/plain");
    }
  }

  void Dispatch(const HttpHandler& handler, const httplib::Request& req, httplib::Response& res) {
    HttpRequest request;
    request.method = req.method;
    request.path = req.path;
    request.body = req.body;
    request.remote_addr = req.remote_addr;
    request.headers.assign(req.headers.begin(), req.headers.end());
    request.client_gone = req.is_connection_closed;
    request.request_id = EnsureRequestId(req, res);
    HttpResponse response = options.middleware ? options.middleware(request, handler) : handler(request);
    res.status = response.status;
    for (auto& [key, value] : response.headers) {
      if (EqualsIgnoreCase(key, kRequestIdHeader)) continue;  // the transport's id stays
      res.set_header(key, value);
    }
    if (!response.stream) {
      res.set_content(std::move(response.body), response.content_type);
      return;
    }
    res.set_header(kStreamMarker, "1");
    auto start = req.start_time_;
    auto entry = std::make_shared<AccessLogEntry>(
        AccessLogEntry{req.method, req.path, request.request_id, req.remote_addr, response.status, 0, true, false});
    auto connection_closed = req.is_connection_closed;
    res.set_chunked_content_provider(
        response.content_type,
        [stream = std::move(response.stream), entry, connection_closed](
            size_t, httplib::DataSink& sink) {
          SinkWriter writer(sink, connection_closed);
          stream(writer);
          entry->client_gone = writer.failed();
          if (!writer.failed()) sink.done();
          return !writer.failed();
        },
        [this, entry, start](bool) {
          entry->ms = MillisecondsSince(start);
          Log(*entry);
        });
  }
};

HttpServer::HttpServer(HttpServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(std::string_view method, std::string path, HttpHandler handler) {
  impl_->routes[std::move(path)][std::string(method)] = std::move(handler);
}

Status HttpServer::Start() {
  std::lock_guard<std::mutex> lock(impl_->stop_mutex);
  if (impl_->started) return Status::FailedPrecondition("the HTTP server was already started");
  Impl& impl = *impl_;
  const HttpServerOptions& o = impl.options;
  auto& svr = impl.server;
  const size_t workers = static_cast<size_t>(std::max(1, o.workers));
  const size_t max_workers = std::max(workers, static_cast<size_t>(std::max(1, o.max_workers)));
  const size_t max_queued = static_cast<size_t>(std::max(1, o.max_queued_connections));
  svr.new_task_queue = [workers, max_workers, max_queued] {
    return new httplib::ThreadPool(workers, max_workers, max_queued);
  };
  svr.set_payload_max_length(o.max_body_bytes);
  svr.set_read_timeout(o.read_timeout);
  svr.set_write_timeout(o.write_timeout);
  svr.set_keep_alive_timeout(static_cast<time_t>(
      std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(o.keep_alive_timeout).count())));

  for (const auto& [path, methods] : impl.routes) {
    for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
      auto it = methods.find(method);
      httplib::Server::Handler handler;
      if (it != methods.end()) {
        handler = [&impl, h = it->second](const httplib::Request& req, httplib::Response& res) {
          impl.Dispatch(h, req, res);
        };
      } else {
        handler = [&impl, m = std::string(method)](const httplib::Request&, httplib::Response& res) {
          res.status = 405;
          impl.FillError(res, "method " + m + " is not allowed on this path");
        };
      }
      std::string p = path;
      if (std::string_view(method) == "GET") svr.Get(p, handler);
      else if (std::string_view(method) == "POST") svr.Post(p, handler);
      else if (std::string_view(method) == "PUT") svr.Put(p, handler);
      else if (std::string_view(method) == "DELETE") svr.Delete(p, handler);
      else svr.Patch(p, handler);
    }
  }
  // httplib reads a body up to the limit before refusing it; refuse a too-long
  // Content-Length from the headers alone instead, so nobody waits for a body we drop.
  svr.set_pre_routing_handler([&impl](const httplib::Request& req, httplib::Response& res) {
    impl.EnsureRequestId(req, res);
    const std::string length = req.get_header_value("Content-Length");
    if (length.empty() || length.size() > 19 ||
        length.find_first_not_of("0123456789") != std::string::npos ||
        std::stoull(length) <= impl.options.max_body_bytes) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.status = 413;
    res.set_header("Connection", "close");
    impl.FillError(res, "request body of " + length + " bytes is larger than the limit of " +
                            std::to_string(impl.options.max_body_bytes) + " bytes");
    return httplib::Server::HandlerResponse::Handled;
  });
  svr.set_error_handler([&impl](const httplib::Request& req, httplib::Response& res) {
    impl.EnsureRequestId(req, res);
    if (!res.body.empty() || res.content_provider_) return httplib::Server::HandlerResponse::Unhandled;
    std::string message;
    switch (res.status) {
      case 404: message = "no route for " + req.method + " " + req.path; break;
      case 413: message = "request body larger than " + std::to_string(impl.options.max_body_bytes) + " bytes"; break;
      case 414: message = "request URI too long"; break;
      case 431: message = "request headers too large"; break;
      default: message = httplib::status_message(res.status); break;
    }
    impl.FillError(res, message);
    return httplib::Server::HandlerResponse::Handled;
  });
  svr.set_exception_handler([&impl](const httplib::Request& req, httplib::Response& res,
                                    std::exception_ptr ep) {
    impl.EnsureRequestId(req, res);
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    res.status = 500;
    impl.FillError(res, "internal error: " + what);
  });
  svr.set_logger([&impl](const httplib::Request& req, const httplib::Response& res) {
    if (res.has_header(kStreamMarker)) return;  // logged when the stream ends
    impl.Log({req.method, req.path, res.get_header_value(kRequestIdHeader), req.remote_addr, res.status,
              MillisecondsSince(req.start_time_), false, false});
  });

  // httplib's default adds SO_REUSEPORT, which would let a second server share our port.
  svr.set_socket_options([](int sock) {
    int one = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  });
  int port = 0;
  if (o.port == 0) {
    port = svr.bind_to_any_port(o.host);
  } else {
    port = svr.bind_to_port(o.host, o.port) ? o.port : -1;
  }
  if (port <= 0) {
    return Status::Unavailable("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                               " (address in use or not available)");
  }
  impl.port = port;
  impl.started = true;
  impl.listener = std::thread([&svr] { svr.listen_after_bind(); });
  svr.wait_until_ready();
  return Status::Ok();
}

int HttpServer::port() const { return impl_->port.load(); }

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(impl_->stop_mutex);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->listener.joinable()) impl_->listener.join();
}

}  // namespace kolibri::net
