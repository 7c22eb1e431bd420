// ApiServer: the OpenAI-compatible HTTP API on top of the net transport and a Scheduler.
//
// Routes: POST /v1/chat/completions, POST /v1/completions (both optionally streamed as
// server-sent events), GET /v1/models, GET /health, GET /stats (scheduler and API counters
// as JSON — a probe for tests and operators; no prompt contents).
//
// A request is parsed (json_guard, openai_request), rendered with the model's chat template
// (chat) and tokenized on the HTTP worker thread, then submitted to the scheduler; the
// worker waits for tokens (or streams them) and checks every `client_check_interval`
// whether its client went away, cancelling the scheduler request when it did. Every
// failure before the response starts is a 4xx/5xx with an OpenAI error body (api_error.h).
//
// Thread safety: handlers run concurrently on HTTP workers. The Scheduler must outlive the
// ApiServer and the HttpServer it is registered with must be stopped before either dies.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kolibri/scheduler.h"
#include "net/http_server.h"
#include "server/api_error.h"
#include "server/openai_request.h"

namespace kolibri::server {

struct ApiServerOptions {
  std::string model_id;  // the model's name in /v1/models and responses; "" → file stem
  int max_json_depth = 64;  // deeper request bodies are refused (400) before parsing
  std::chrono::milliseconds client_check_interval{50};  // how often a waiting request
                                                        // checks that its client is there
};

struct ApiCounters {
  uint64_t completions = 0;          // completion requests received
  uint64_t failed = 0;               // answered with an error status
  uint64_t cancelled_client_gone = 0;  // scheduler requests cancelled because the client left
};

class ApiServer {
 public:
  ApiServer(Scheduler& scheduler, ApiServerOptions options);

  // Adds the routes above to `http` (before http.Start()).
  void RegisterRoutes(net::HttpServer& http);

  // From now on completion requests get 503 and /health says "draining".
  void StartDraining();
  // Cancels every scheduler request in flight (their clients get what was generated so
  // far, streams end). For a second shutdown signal.
  void CancelAll();

  ApiCounters counters() const;
  const std::string& model_id() const { return model_id_; }

  // For net::HttpServerOptions::error_body: transport errors (404, 405, 413, …) in the
  // OpenAI error shape.
  static std::pair<std::string, std::string> TransportErrorBody(int status, std::string_view message);

 private:
  struct RequestState;
  net::HttpResponse Complete(const net::HttpRequest& http, ApiEndpoint endpoint);
  net::HttpResponse Respond(std::shared_ptr<RequestState> state, const net::HttpRequest& http);
  net::HttpResponse Stream(std::shared_ptr<RequestState> state, const net::HttpRequest& http);
  net::HttpResponse Error(const ApiError& error);
  std::string NewId(ApiEndpoint endpoint);
  void Forget(const std::shared_ptr<RequestHandle>& handle);

  Scheduler& scheduler_;
  ApiServerOptions options_;
  std::string model_id_;
  int64_t created_ = 0;
  uint64_t id_seed_ = 0;
  std::atomic<uint64_t> id_counter_{0};
  std::atomic<bool> draining_{false};
  std::atomic<uint64_t> completions_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> cancelled_client_gone_{0};
  mutable std::mutex in_flight_mutex_;
  std::vector<std::shared_ptr<RequestHandle>> in_flight_;
};

}  // namespace kolibri::server
