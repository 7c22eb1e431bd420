// RequestGate: what every request passes before an API handler sees it, installed as the
// transport's middleware (net::HttpServerOptions::middleware), plus GET /health, /ready and
// /metrics.
//
// In order, for every routed request:
//   1. /health, /ready (and /metrics when `metrics_public`) pass without a key.
//   2. API keys: when any are configured, `Authorization: Bearer KEY` must name one; else 401
//      with an OpenAI error body (code "invalid_api_key"). Keys are compared through their
//      SHA-256 digests in constant time; neither keys nor Authorization headers are logged.
//   3. Draining (after StartDraining()): 503 "the server is shutting down" with Retry-After.
//   4. POST bodies must be JSON: a Content-Type other than application/json is 415.
//   5. Per-key rate limit (token bucket, `rate_per_second` refilled, `burst` deep; the key is
//      the API key, or the client address when no keys are configured): beyond it 429 with
//      Retry-After. At most `max_rate_buckets` clients are tracked (idle ones are dropped
//      first), so the gate's memory is bounded whatever the clients do.
// Every 503 and 429 leaving the gate carries Retry-After. Requests are counted by endpoint
// and status, with a latency histogram (streams: until the stream ends), in the registry.
//
// /health: 200 {"status":"ok"} while the process serves (also while draining).
// /ready: 200 when `ready_check` says so and the gate is not draining, else 503 with the
// reason — what a load balancer's health check should ask.
// /metrics: the registry in Prometheus text format.
//
// Thread safety: all methods may be called from any thread; Reconfigure() swaps keys and
// limits atomically for requests that start afterwards (SIGHUP).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "kolibri/metrics.h"
#include "net/http_server.h"

namespace kolibri::server {

struct RequestGateOptions {
  std::vector<std::string> api_keys;  // empty: no authentication
  bool metrics_public = false;        // true: GET /metrics without a key
  double rate_per_second = 0;         // per key; 0: no rate limit
  double burst = 0;                   // bucket depth; 0: max(1, rate_per_second)
  size_t max_rate_buckets = 4096;
  int retry_after_seconds = 1;        // Retry-After on 429/503
};

// What /ready reports besides draining: empty when ready, else the reason.
using ReadyCheck = std::function<std::string()>;

class RequestGate {
 public:
  RequestGate(RequestGateOptions options, MetricsRegistry& metrics, ReadyCheck ready_check);

  // For net::HttpServerOptions::middleware.
  net::HttpResponse Filter(const net::HttpRequest& request, const net::HttpHandler& next);
  net::HttpMiddleware Middleware() {
    return [this](const net::HttpRequest& r, const net::HttpHandler& n) { return Filter(r, n); };
  }
  // Adds GET /health, /ready and /metrics to `http`.
  void RegisterRoutes(net::HttpServer& http);

  void Reconfigure(RequestGateOptions options);
  // /ready turns 503 and API requests get 503 from now on.
  void StartDraining();
  bool draining() const { return draining_; }
  // API requests (not /health, /ready, /metrics) being served, streams included.
  int in_flight() const { return in_flight_; }
  // Waits until in_flight() is 0 or `deadline` passes; true when idle.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline);
  // Clients whose rate-limit state is kept (≤ max_rate_buckets).
  size_t rate_buckets() const {
    std::lock_guard<std::mutex> lock(mu_);
    return buckets_.size();
  }

 private:
  using Digest = std::array<uint8_t, 32>;
  struct Config {
    RequestGateOptions options;
    std::vector<Digest> key_digests;
  };
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  class InFlight;

  // True when the request may pass; `*client` names whom its rate limit counts against.
  bool Authenticated(const Config& config, const net::HttpRequest& request, std::string* client) const;
  // 0 when admitted, else the seconds to wait.
  int TakeToken(const Config& config, const std::string& client);
  net::HttpResponse Count(const net::HttpRequest& request, net::HttpResponse response,
                          std::chrono::steady_clock::time_point start, std::shared_ptr<InFlight> token);

  MetricsRegistry& metrics_;
  ReadyCheck ready_check_;
  std::atomic<bool> draining_{false};
  std::atomic<int> in_flight_{0};
  mutable std::mutex mu_;  // config_, buckets_
  std::shared_ptr<const Config> config_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::mutex idle_mu_;
  std::condition_variable idle_;
};

}  // namespace kolibri::server
