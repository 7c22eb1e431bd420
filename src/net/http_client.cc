#include "net/http_client.h"

#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace kolibri::net {

struct HttpClient::Impl {
  explicit Impl(const HttpClientOptions& o) : client(o.host, o.port) {
    client.set_connection_timeout(o.connect_timeout);
    client.set_read_timeout(o.read_timeout);
    client.set_write_timeout(o.write_timeout);
    client.set_keep_alive(true);
    httplib::Headers headers;
    for (const auto& [k, v] : o.headers) headers.emplace(k, v);
    client.set_default_headers(std::move(headers));
  }
  httplib::Client client;
};

namespace {

Status TransportError(httplib::Error error, const std::string& path) {
  if (error == httplib::Error::Canceled) return Status::Cancelled("request to " + path + " cancelled");
  return Status::Unavailable("HTTP request to " + path + " failed: " + httplib::to_string(error));
}

Result<HttpResult> ToResult(httplib::Result result, const std::string& path) {
  if (!result) return TransportError(result.error(), path);
  HttpResult r{result->status, result->get_header_value("Content-Type"), std::move(result->body), {}};
  r.headers.assign(result->headers.begin(), result->headers.end());
  return r;
}

}  // namespace

std::string HttpResult::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return "";
}

namespace {

}  // namespace

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>(options)) {}
HttpClient::~HttpClient() = default;

Result<HttpResult> HttpClient::Get(const std::string& path) {
  return ToResult(impl_->client.Get(path), path);
}

Result<HttpResult> HttpClient::Post(const std::string& path, const std::string& body,
                                    const std::string& content_type) {
  return ToResult(impl_->client.Post(path, body, content_type), path);
}

Result<HttpResult> HttpClient::PostStream(const std::string& path, const std::string& body,
                                          const BodyChunkFn& on_chunk,
                                          const std::string& content_type) {
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.body = body;
  req.set_header("Content-Type", content_type);
  int status = 0;
  std::string type;
  std::vector<std::pair<std::string, std::string>> headers;
  req.response_handler = [&](const httplib::Response& res) {
    status = res.status;
    type = res.get_header_value("Content-Type");
    headers.assign(res.headers.begin(), res.headers.end());
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, size_t, size_t) {
    return on_chunk(status, std::string_view(data, n));
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  if (!impl_->client.send(req, res, error)) {
    impl_->client.stop();  // never reuse a connection we abandoned mid-body
    return TransportError(error, path);
  }
  return HttpResult{res.status, type, "", std::move(headers)};
}

Result<std::string> HttpClient::SendRaw(const HttpClientOptions& options, std::string_view raw,
                                        std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::IoError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options.port));
  if (::inet_pton(AF_INET, options.host.c_str(), &addr.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return Status::Unavailable("cannot connect to " + options.host + ":" + std::to_string(options.port));
  }
  size_t sent = 0;
  while (sent < raw.size()) {
    ssize_t n = ::send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may refuse early (413) and close: read what it said
    sent += static_cast<size_t>(n);
  }
  std::string answer;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count()))) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return answer;
}

}  // namespace kolibri::net
