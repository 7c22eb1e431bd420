#include "server/request_gate.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "kolibri/sha256.h"
#include "server/api_error.h"

namespace kolibri::server {
namespace {

using Clock = std::chrono::steady_clock;

std::array<uint8_t, 32> DigestOf(std::string_view text) {
  Sha256 h;
  h.Update(text);
  return h.Digest();
}

// Equal digests, in time independent of where they differ.
bool ConstantTimeEqual(const std::array<uint8_t, 32>& a, const std::array<uint8_t, 32>& b) {
  uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

bool IsJsonContentType(std::string_view type) {
  const size_t semicolon = type.find(';');
  std::string_view media = type.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return media.size() == 16 && StartsWithIgnoreCase(media, "application/json");
}

net::HttpResponse Refusal(int status, std::string_view message, std::string_view code, int retry_after) {
  nlohmann::json body = ErrorBodyForHttpStatus(status, message);
  body["error"]["code"] = code;
  net::HttpResponse r;
  r.status = status;
  r.body = body.dump();
  if (retry_after > 0) r.headers.push_back({"Retry-After", std::to_string(retry_after)});
  return r;
}

bool IsOpsPath(const std::string& path) { return path == "/health" || path == "/ready" || path == "/metrics"; }

}  // namespace

// Counts one API request as in flight for as long as it lives (for streams: as long as the
// transport holds the stream's closure, i.e. until the stream ended or was dropped).
class RequestGate::InFlight {
 public:
  explicit InFlight(RequestGate& gate) : gate_(gate) { ++gate_.in_flight_; }
  ~InFlight() {
    if (--gate_.in_flight_ == 0) {
      std::lock_guard<std::mutex> lock(gate_.idle_mu_);
      gate_.idle_.notify_all();
    }
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  RequestGate& gate_;
};

RequestGate::RequestGate(RequestGateOptions options, MetricsRegistry& metrics, ReadyCheck ready_check)
    : metrics_(metrics), ready_check_(std::move(ready_check)) {
  Reconfigure(std::move(options));
}

void RequestGate::Reconfigure(RequestGateOptions options) {
  auto config = std::make_shared<Config>();
  for (const auto& key : options.api_keys) config->key_digests.push_back(DigestOf(key));
  config->options = std::move(options);
  std::lock_guard<std::mutex> lock(mu_);
  config_ = std::move(config);
  buckets_.clear();
}

void RequestGate::StartDraining() { draining_ = true; }

bool RequestGate::WaitIdle(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(idle_mu_);
  return idle_.wait_until(lock, deadline, [this] { return in_flight_.load() == 0; });
}

bool RequestGate::Authenticated(const Config& config, const net::HttpRequest& request, std::string* client) const {
  if (config.key_digests.empty()) {
    *client = request.remote_addr;
    return true;
  }
  const std::string header = request.Header("Authorization");
  if (!StartsWithIgnoreCase(header, "Bearer ")) return false;
  std::string_view key = std::string_view(header).substr(7);
  while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
  const auto digest = DigestOf(key);
  bool match = false;
  size_t matched = 0;
  for (size_t i = 0; i < config.key_digests.size(); ++i) {  // no early exit: same time for all
    const bool equal = ConstantTimeEqual(digest, config.key_digests[i]);
    matched = equal && !match ? i : matched;
    match = match || equal;
  }
  // Rate buckets are keyed by the key's index, so no key text is kept beyond the config.
  *client = "key#" + std::to_string(matched);
  return match;
}

int RequestGate::TakeToken(const Config& config, const std::string& client) {
  const double rate = config.options.rate_per_second;
  if (rate <= 0) return 0;
  const double burst = config.options.burst > 0 ? config.options.burst : std::max(1.0, rate);
  const auto now = Clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= config.options.max_rate_buckets) {
      // Drop the buckets that have refilled (their clients lose nothing); if none has, the
      // oldest, so the map never grows past the limit.
      for (auto b = buckets_.begin(); b != buckets_.end();) {
        const double refilled = b->second.tokens + rate * std::chrono::duration<double>(now - b->second.last).count();
        b = refilled >= burst ? buckets_.erase(b) : std::next(b);
      }
      if (buckets_.size() >= config.options.max_rate_buckets) {
        auto oldest = std::min_element(buckets_.begin(), buckets_.end(),
                                       [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
        buckets_.erase(oldest);
      }
    }
    it = buckets_.emplace(client, Bucket{burst, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = std::min(burst, b.tokens + rate * std::chrono::duration<double>(now - b.last).count());
  b.last = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / rate)));
}

net::HttpResponse RequestGate::Filter(const net::HttpRequest& request, const net::HttpHandler& next) {
  const auto start = Clock::now();
  std::shared_ptr<const Config> config;
  {
    std::lock_guard<std::mutex> lock(mu_);
    config = config_;
  }
  const int retry = config->options.retry_after_seconds;
  const bool open = request.path == "/health" || request.path == "/ready" ||
                    (request.path == "/metrics" && config->options.metrics_public);
  std::string client;
  if (!open && !Authenticated(*config, request, &client)) {
    const bool missing = request.Header("Authorization").empty();
    return Count(request,
                 Refusal(401, missing ? "an API key is required: send 'Authorization: Bearer KEY'"
                                      : "the API key is not valid",
                         "invalid_api_key", 0),
                 start, nullptr);
  }
  if (IsOpsPath(request.path)) return Count(request, next(request), start, nullptr);
  if (draining_) {
    return Count(request, Refusal(503, "the server is shutting down", "shutting_down", retry), start, nullptr);
  }
  if (request.method == "POST") {
    const std::string type = request.Header("Content-Type");
    if (!type.empty() && !IsJsonContentType(type)) {
      return Count(request,
                   Refusal(415, "the body must be JSON (Content-Type: application/json), not '" + type + "'",
                           "unsupported_media_type", 0),
                   start, nullptr);
    }
  }
  if (int wait = TakeToken(*config, client); wait > 0) {
    return Count(request, Refusal(429, "rate limit exceeded: retry after " + std::to_string(wait) + " s",
                                  "rate_limit_exceeded", wait),
                 start, nullptr);
  }
  auto token = std::make_shared<InFlight>(*this);
  net::HttpResponse response = next(request);
  if ((response.status == 503 || response.status == 429) &&
      std::none_of(response.headers.begin(), response.headers.end(),
                   [](const auto& h) { return h.first == "Retry-After"; })) {
    response.headers.push_back({"Retry-After", std::to_string(retry)});
  }
  return Count(request, std::move(response), start, std::move(token));
}

net::HttpResponse RequestGate::Count(const net::HttpRequest& request, net::HttpResponse response,
                                     Clock::time_point start, std::shared_ptr<InFlight> token) {
  const MetricLabels labels = {{"endpoint", request.path}, {"status", std::to_string(response.status)}};
  metrics_.Add("kolibri_http_requests_total", "HTTP requests by endpoint and status", labels);
  auto observe = [this, path = request.path, start] {
    metrics_.Observe("kolibri_http_request_duration_seconds",
                     "HTTP request latency (streams: until the stream ended)", {{"endpoint", path}},
                     std::chrono::duration<double>(Clock::now() - start).count());
  };
  if (!response.stream) {
    observe();
    return response;
  }
  // The stream runs after this returns: observe its end, and keep it counted in flight.
  response.stream = [stream = std::move(response.stream), observe, token](net::StreamWriter& out) {
    stream(out);
    observe();
  };
  return response;
}

void RequestGate::RegisterRoutes(net::HttpServer& http) {
  auto json = [](int status, const nlohmann::json& body) {
    net::HttpResponse r;
    r.status = status;
    r.body = body.dump();
    return r;
  };
  http.Handle("GET", "/health", [json](const net::HttpRequest&) { return json(200, {{"status", "ok"}}); });
  http.Handle("GET", "/ready", [this, json](const net::HttpRequest&) {
    if (draining_) return json(503, {{"status", "draining"}});
    std::string reason = ready_check_ ? ready_check_() : "";
    if (!reason.empty()) return json(503, {{"status", "not_ready"}, {"reason", reason}});
    return json(200, {{"status", "ready"}});
  });
  http.Handle("GET", "/metrics", [this](const net::HttpRequest&) {
    metrics_.Set("kolibri_http_in_flight", "API requests being served (streams included)", {}, in_flight_.load());
    metrics_.Set("kolibri_draining", "1 while the server drains for shutdown", {}, draining_ ? 1 : 0);
    net::HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.Render();
    return r;
  });
}

}  // namespace kolibri::server
