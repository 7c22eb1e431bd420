// ApiServer: the OpenAI-compatible HTTP API on top of the net transport and a Scheduler.
//
// Routes: POST /v1/chat/completions, POST /v1/completions (both optionally streamed as
// server-sent events), GET /v1/models, GET /stats (scheduler and API counters as JSON — a
// probe for tests and operators; no prompt contents). /health, /ready, /metrics, keys and
// rate limits are the RequestGate's (request_gate.h).
//
// Limits (ApiServerOptions): a prompt longer than max_prompt_tokens is 400
// (context_length_exceeded), max_tokens above max_completion_tokens is 400, a request still
// running after request_timeout ends with 504 (streams: an error event), a full scheduler
// queue (the bounded admission queue, SchedulerOptions::max_queue) is 503 with Retry-After.
//
// response_format json_object / json_schema constrains generation with a grammar
// (structured_output.h); the finished answer is validated against the schema, resampled up
// to max_resamples times when it violates a keyword the grammar only post-checks, and
// answered 422 with the violations when none validates — an invalid answer never leaves.
// Streams of such schemas are held back until validated, then sent whole. A `grammar` field
// (GBNF, llama.cpp syntax) constrains the output to that grammar instead (400 naming
// line:column when it does not parse).
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
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "kolibri/metrics.h"
#include "kolibri/scheduler.h"
#include "net/http_server.h"
#include "server/api_error.h"
#include "server/openai_request.h"
#include "server/structured_output.h"

namespace kolibri::server {

struct ApiServerOptions {
  std::string model_id;  // the model's name in /v1/models and responses; "" → file stem
  int max_json_depth = 64;  // deeper request bodies are refused (400) before parsing
  std::chrono::milliseconds client_check_interval{50};  // how often a waiting request
                                                        // checks that its client is there
  int max_resamples = 2;  // a structured answer failing validation is generated again up to
                          // this many times, then the client gets 422 with the violations
  float resample_temperature = 1.0f;  // resamples use at least this temperature (a greedy
                                      // retry would only repeat itself)
  int32_t max_prompt_tokens = 0;       // 0: the context minus one
  int32_t max_completion_tokens = 0;   // cap on max_tokens; 0: the context
  std::chrono::milliseconds request_timeout{0};  // 0: none
  int retry_after_seconds = 1;         // Retry-After on 503 (queue full, draining)
  // Receives the time-to-first-token histogram, labelled model="<model_id>" (gauges: see
  // CollectMetrics). Null: none.
  MetricsRegistry* metrics = nullptr;
};

struct ApiCounters {
  uint64_t completions = 0;          // completion requests received
  uint64_t failed = 0;               // answered with an error status
  uint64_t cancelled_client_gone = 0;  // scheduler requests cancelled because the client left
  uint64_t structured_resamples = 0;   // structured answers that failed validation
};

class ApiServer {
 public:
  ApiServer(Scheduler& scheduler, ApiServerOptions options);

  // Adds the routes above to `http` (before http.Start()).
  void RegisterRoutes(net::HttpServer& http);

  // Prepares structured output (vocabulary index, JSON masks) before the first request.
  void WarmupStructuredOutput();

  // From now on completion requests get 503.
  void StartDraining();
  // Cancels every scheduler request in flight (their clients get what was generated so
  // far, streams end). For a second shutdown signal.
  void CancelAll();

  // Serves one completion request (what the routes above call): the body is parsed here,
  // or given already parsed (by a router that read "model" from it).
  net::HttpResponse Complete(const net::HttpRequest& http, ApiEndpoint endpoint);
  net::HttpResponse Complete(const net::HttpRequest& http, ApiEndpoint endpoint, const nlohmann::json& body);

  ApiCounters counters() const;
  const std::string& model_id() const { return model_id_; }
  const Scheduler& scheduler() const { return scheduler_; }
  // What /stats answers: scheduler and API counters.
  nlohmann::json StatsJson() const;
  // This model's entry of /v1/models.
  nlohmann::json ModelEntry() const;
  // Sets this model's gauges and counters (queue depth, running sequences, KV use, tokens
  // in/out, prefix-cache and grammar-cache counters), labelled model="<model_id>". Call it
  // from a MetricsRegistry collector while the ApiServer lives.
  void CollectMetrics(MetricsRegistry& metrics) const;

  // For net::HttpServerOptions::error_body: transport errors (404, 405, 413, …) in the
  // OpenAI error shape.
  static std::pair<std::string, std::string> TransportErrorBody(int status, std::string_view message);

 private:
  struct RequestState;
  struct Finished {
    CompletionResult result;
    std::vector<TokenEvent> events;
    bool cancelled = false;
  };
  std::optional<ApiError> Submit(const std::shared_ptr<RequestState>& state, CompletionRequest request);
  Finished Wait(RequestState& state, const net::HttpRequest& http);
  // Waits for the answer; structured answers are validated and resampled (then 422).
  std::variant<Finished, ApiError> RunChecked(const std::shared_ptr<RequestState>& state,
                                              const net::HttpRequest& http);
  net::HttpResponse Respond(std::shared_ptr<RequestState> state, const net::HttpRequest& http);
  // Streams tokens as they come (text, and grammars that enforce every keyword).
  net::HttpResponse Stream(std::shared_ptr<RequestState> state, const net::HttpRequest& http);
  // Validates first, then streams the whole answer (schemas with post-checked keywords).
  net::HttpResponse StreamChecked(std::shared_ptr<RequestState> state, const net::HttpRequest& http);
  net::HttpResponse Error(const ApiError& error);
  void RecordDone(const CompletionResult& result);
  ApiError TimeoutError() const;
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
  std::atomic<uint64_t> resampled_{0};
  StructuredOutput structured_;
  mutable std::mutex in_flight_mutex_;
  std::vector<std::shared_ptr<RequestHandle>> in_flight_;
};

}  // namespace kolibri::server
