#include "server/api_server.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <filesystem>
#include <optional>
#include <random>

#include "net/sse.h"
#include "server/json_guard.h"
#include "server/openai_response.h"

namespace kolibri::server {

using nlohmann::json;

// Shared by the HTTP worker and the scheduler thread's callbacks.
struct ApiServer::RequestState {
  ResponseMeta meta;
  bool want_logprobs = false;
  bool include_usage = false;
  const Model* model = nullptr;
  std::shared_ptr<RequestHandle> handle;
  const char* prompt_param = "messages";
  std::shared_ptr<const OutputConstraint> constraint;  // response_format; null for text
  CompletionRequest request;  // with a constraint: what to resubmit for a resample

  std::mutex mutex;
  std::condition_variable changed;
  std::deque<TokenEvent> events;
  std::optional<CompletionResult> result;

  // Waits up to `interval` for news; moves pending events into `out`. Returns the result
  // once the request is done.
  std::optional<CompletionResult> Take(std::chrono::milliseconds interval, std::vector<TokenEvent>* out) {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait_for(lock, interval, [this] { return !events.empty() || result.has_value(); });
    for (auto& e : events) out->push_back(std::move(e));
    events.clear();
    return events.empty() && result ? result : std::nullopt;
  }
  // Forgets the finished attempt before a resample (its callbacks have all run).
  void Reset() {
    std::lock_guard<std::mutex> lock(mutex);
    events.clear();
    result.reset();
  }
  LogprobEntry Logprob(const TokenEvent& e) const {
    return LogprobEntry{model->TokenToPiece(e.token), e.logprob, e.top};
  }
};

namespace {

net::HttpResponse JsonResponse(int status, const json& body) {
  net::HttpResponse r;
  r.status = status;
  r.body = Dump(body);
  return r;
}

}  // namespace

ApiServer::ApiServer(Scheduler& scheduler, ApiServerOptions options)
    : scheduler_(scheduler), options_(std::move(options)), structured_(scheduler.model()) {
  model_id_ = options_.model_id.empty()
                  ? std::filesystem::path(scheduler_.model().path()).stem().string()
                  : options_.model_id;
  created_ = static_cast<int64_t>(std::time(nullptr));
  id_seed_ = std::random_device{}();
  id_seed_ = (id_seed_ << 32) ^ std::random_device{}();
}

void ApiServer::CollectMetrics(MetricsRegistry& m) const {
  {
    const SchedulerStats s = scheduler_.Stats();
    const MetricLabels l = {{"model", model_id_}};
    m.Set("kolibri_queue_depth", "requests waiting for a sequence slot", l, s.queued);
    m.Set("kolibri_running_sequences", "sequences being decoded", l, s.running);
    m.Set("kolibri_kv_cache_used_cells", "KV-cache cells in use (cached prefixes included)", l, s.kv_used);
    m.Set("kolibri_kv_cache_cells", "KV-cache cells in all", l, s.kv_total);
    m.Set("kolibri_kv_cache_usage_ratio", "KV-cache cells in use / all", l,
          s.kv_total > 0 ? static_cast<double>(s.kv_used) / s.kv_total : 0);
    m.SetCounter("kolibri_prompt_tokens_total", "prompt tokens submitted (tokens in)", l,
                 static_cast<double>(s.prompt_tokens));
    m.SetCounter("kolibri_prompt_tokens_cached_total", "prompt tokens served from the prefix cache", l,
                 static_cast<double>(s.prompt_tokens_cached));
    m.Set("kolibri_prefix_cache_hit_ratio", "prompt tokens served from the prefix cache / submitted", l,
          s.prompt_tokens > 0 ? static_cast<double>(s.prompt_tokens_cached) / static_cast<double>(s.prompt_tokens) : 0);
    m.SetCounter("kolibri_generated_tokens_total", "tokens generated (tokens out)", l,
                 static_cast<double>(s.generated_tokens));
    m.SetCounter("kolibri_grammar_compile_cache_hits_total", "response_format grammars taken from the compile cache",
                 l, static_cast<double>(structured_.grammar_cache_hits()));
    m.SetCounter("kolibri_grammar_compile_cache_misses_total", "response_format grammars compiled", l,
                 static_cast<double>(structured_.grammar_cache_misses()));
  }
}

void ApiServer::RecordDone(const CompletionResult& result) {
  if (options_.metrics == nullptr || result.completion_tokens == 0) return;
  options_.metrics->Observe("kolibri_time_to_first_token_seconds", "submit to first token", {{"model", model_id_}},
                            result.time_to_first_token_ms / 1000.0);
}

std::pair<std::string, std::string> ApiServer::TransportErrorBody(int status, std::string_view message) {
  return {"application/json", Dump(ErrorBodyForHttpStatus(status, message))};
}

void ApiServer::RegisterRoutes(net::HttpServer& http) {
  http.Handle("POST", "/v1/chat/completions", [this](const net::HttpRequest& r) {
    return Complete(r, ApiEndpoint::kChatCompletions);
  });
  http.Handle("POST", "/v1/completions", [this](const net::HttpRequest& r) {
    return Complete(r, ApiEndpoint::kCompletions);
  });
  http.Handle("GET", "/v1/models", [this](const net::HttpRequest&) {
    return JsonResponse(200, ModelsBody(model_id_, created_));
  });
  http.Handle("GET", "/stats", [this](const net::HttpRequest&) { return JsonResponse(200, StatsJson()); });
}

nlohmann::json ApiServer::StatsJson() const {
  SchedulerStats s = scheduler_.Stats();
  ApiCounters c = counters();
  size_t in_flight = 0;
  {
    std::lock_guard<std::mutex> lock(in_flight_mutex_);
    in_flight = in_flight_.size();
  }
  return {
      {"scheduler", {{"running", s.running}, {"queued", s.queued}, {"kv_used", s.kv_used},
                     {"kv_total", s.kv_total}, {"prompt_tokens", s.prompt_tokens},
                     {"prompt_tokens_cached", s.prompt_tokens_cached},
                     {"generated_tokens", s.generated_tokens}, {"requests_done", s.requests_done}}},
      {"api", {{"completions", c.completions}, {"failed", c.failed},
               {"cancelled_client_gone", c.cancelled_client_gone}, {"in_flight", in_flight},
               {"structured_resamples", c.structured_resamples}}},
  };
}

nlohmann::json ApiServer::ModelEntry() const { return ModelsBody(model_id_, created_)["data"][0]; }

void ApiServer::StartDraining() { draining_ = true; }

void ApiServer::WarmupStructuredOutput() { structured_.Warmup(); }

void ApiServer::CancelAll() {
  std::vector<std::shared_ptr<RequestHandle>> handles;
  {
    std::lock_guard<std::mutex> lock(in_flight_mutex_);
    handles = in_flight_;
  }
  for (auto& h : handles) h->Cancel();
}

ApiError ApiServer::TimeoutError() const {
  return ApiError{Status::DeadlineExceeded("the request ran longer than this server's limit of " +
                                           std::to_string(options_.request_timeout.count()) + " ms"),
                  "", "timeout"};
}

ApiCounters ApiServer::counters() const {
  return ApiCounters{completions_.load(), failed_.load(), cancelled_client_gone_.load(), resampled_.load()};
}

std::string ApiServer::NewId(ApiEndpoint endpoint) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%016llx%08llx", static_cast<unsigned long long>(id_seed_),
                static_cast<unsigned long long>(++id_counter_));
  return (endpoint == ApiEndpoint::kChatCompletions ? "chatcmpl-" : "cmpl-") + std::string(buf);
}

net::HttpResponse ApiServer::Error(const ApiError& error) {
  ++failed_;
  net::HttpResponse r = JsonResponse(HttpStatusOf(error), ErrorBody(error));
  if (r.status == 503) r.headers.push_back({"Retry-After", std::to_string(options_.retry_after_seconds)});
  return r;
}

void ApiServer::Forget(const std::shared_ptr<RequestHandle>& handle) {
  std::lock_guard<std::mutex> lock(in_flight_mutex_);
  in_flight_.erase(std::remove(in_flight_.begin(), in_flight_.end(), handle), in_flight_.end());
}

net::HttpResponse ApiServer::Complete(const net::HttpRequest& http, ApiEndpoint endpoint) {
  auto body = ParseJsonBody(http.body, options_.max_json_depth);
  if (!body.ok()) {
    ++completions_;
    return Error({body.status(), "", "invalid_json"});
  }
  return Complete(http, endpoint, *body);
}

net::HttpResponse ApiServer::Complete(const net::HttpRequest& http, ApiEndpoint endpoint,
                                      const nlohmann::json& body) {
  ++completions_;
  if (draining_) return Error({Status::Unavailable("the server is shutting down"), "", ""});
  const int32_t context = scheduler_.options().context;
  ApiRequestLimits limits;
  limits.max_tokens = options_.max_completion_tokens > 0 ? std::min(options_.max_completion_tokens, context) : context;
  auto parsed = ParseApiRequest(body, endpoint, limits);
  if (auto* e = std::get_if<ApiError>(&parsed)) return Error(*e);
  ApiRequest& req = std::get<ApiRequest>(parsed);
  const Model& model = scheduler_.model();

  std::vector<int32_t> prompt;
  const char* prompt_param = endpoint == ApiEndpoint::kChatCompletions ? "messages" : "prompt";
  if (!req.prompt_tokens.empty()) {
    for (int32_t t : req.prompt_tokens) {
      if (t >= model.vocab_size()) {
        return Error({Status::InvalidArgument("token id " + std::to_string(t) + " is outside the vocabulary (" +
                                              std::to_string(model.vocab_size()) + " tokens)"),
                      "prompt", "invalid_value"});
      }
    }
    prompt = std::move(req.prompt_tokens);
  } else {
    std::string text = std::move(req.prompt);
    if (endpoint == ApiEndpoint::kChatCompletions) {
      auto rendered = model.ApplyChatTemplate(req.messages, /*add_generation_prompt=*/true);
      if (!rendered.ok()) return Error({rendered.status(), "messages", "chat_template"});
      text = std::move(*rendered);
    }
    auto tokens = model.Tokenize(text, TokenizeOptions{});
    if (!tokens.ok()) return Error({tokens.status(), prompt_param, ""});
    prompt = std::move(*tokens);
  }
  if (prompt.empty()) {
    return Error({Status::InvalidArgument("the prompt is empty after tokenization"), prompt_param, "invalid_value"});
  }
  if (options_.max_prompt_tokens > 0 && static_cast<int64_t>(prompt.size()) > options_.max_prompt_tokens) {
    return Error({Status::OutOfRange("the prompt has " + std::to_string(prompt.size()) +
                                     " tokens but this server accepts at most " +
                                     std::to_string(options_.max_prompt_tokens)),
                  prompt_param, "context_length_exceeded"});
  }
  if (static_cast<int64_t>(prompt.size()) >= context) {
    return Error({Status::OutOfRange("the prompt has " + std::to_string(prompt.size()) +
                                     " tokens but the context holds " + std::to_string(context) +
                                     " (prompt plus at least one generated token)"),
                  prompt_param, "context_length_exceeded"});
  }

  CompletionRequest creq;
  const int32_t room = context - static_cast<int32_t>(prompt.size());
  creq.max_tokens = std::min(req.max_tokens.value_or(room), room);
  creq.prompt = std::move(prompt);
  creq.sampling = req.sampling;
  creq.stop = std::move(req.stop);
  creq.ignore_eos = req.ignore_eos;
  creq.top_logprobs = req.top_logprobs;
  if (options_.request_timeout.count() > 0) creq.deadline = std::chrono::steady_clock::now() + options_.request_timeout;

  auto state = std::make_shared<RequestState>();
  state->meta = ResponseMeta{endpoint, NewId(endpoint), static_cast<int64_t>(std::time(nullptr)), model_id_};
  state->want_logprobs = req.top_logprobs >= 0;
  state->include_usage = req.include_usage;
  state->model = &model;
  state->prompt_param = prompt_param;
  if (req.response_format.kind != ResponseFormat::Kind::kText) {
    auto compiled = structured_.Compile(req.response_format, http.body);
    if (auto* e = std::get_if<ApiError>(&compiled)) return Error(*e);
    state->constraint = std::get<std::shared_ptr<const OutputConstraint>>(std::move(compiled));
    creq.grammar = state->constraint->grammar;
    state->request = creq;  // kept for resamples
  }
  if (auto e = Submit(state, std::move(creq))) return Error(*e);
  if (!req.stream) return Respond(std::move(state), http);
  if (state->constraint && state->constraint->post_checked) return StreamChecked(std::move(state), http);
  return Stream(std::move(state), http);
}

std::optional<ApiError> ApiServer::Submit(const std::shared_ptr<RequestState>& state, CompletionRequest creq) {
  const bool constrained = creq.grammar != nullptr;
  auto submitted = scheduler_.Submit(
      std::move(creq),
      [state](const TokenEvent& e) {
        std::lock_guard<std::mutex> lock(state->mutex);
        state->events.push_back(e);
        state->changed.notify_all();
      },
      [this, state](const CompletionResult& r) {
        RecordDone(r);
        std::lock_guard<std::mutex> lock(state->mutex);
        state->result = r;
        state->changed.notify_all();
      });
  if (!submitted.ok()) {
    if (submitted.status().code() != ErrorCode::kOutOfRange) return ApiError{submitted.status(), "", ""};
    // The prompt was checked against the context above, so with a grammar this is the
    // token budget: max_tokens below the shortest complete answer.
    if (constrained) return ApiError{submitted.status(), "max_tokens", "max_tokens_too_small"};
    return ApiError{submitted.status(), state->prompt_param, "context_length_exceeded"};
  }
  state->handle = std::move(*submitted);
  std::lock_guard<std::mutex> lock(in_flight_mutex_);
  in_flight_.push_back(state->handle);
  return std::nullopt;
}

ApiServer::Finished ApiServer::Wait(RequestState& state, const net::HttpRequest& http) {
  Finished f;
  std::optional<CompletionResult> result;
  while (!(result = state.Take(options_.client_check_interval, &f.events))) {
    if (!f.cancelled && http.client_gone()) {
      state.handle->Cancel();
      f.cancelled = true;
      ++cancelled_client_gone_;
    }
  }
  Forget(state.handle);
  f.result = std::move(*result);
  return f;
}

std::variant<ApiServer::Finished, ApiError> ApiServer::RunChecked(const std::shared_ptr<RequestState>& state,
                                                                  const net::HttpRequest& http) {
  std::vector<std::string> violations;
  for (int attempt = 0;; ++attempt) {
    Finished f = Wait(*state, http);
    if (f.result.finish == FinishReason::kError) {
      return ApiError{f.result.status.ok() ? Status::Internal("generation failed") : f.result.status, "", ""};
    }
    if (f.cancelled) return ApiError{Status::Cancelled("the client closed the connection"), "", ""};
    if (f.result.finish == FinishReason::kDeadline) return TimeoutError();
    if (!state->constraint) return f;
    violations = state->constraint->Check(f.result.text);
    if (violations.empty()) return f;
    ++resampled_;
    if (attempt >= options_.max_resamples) break;
    // A greedy retry would repeat itself: resample warmer, with another seed.
    CompletionRequest retry = state->request;
    retry.sampling.temperature = std::max(retry.sampling.temperature, options_.resample_temperature);
    if (retry.sampling.seed != 0xFFFFFFFFu) retry.sampling.seed += static_cast<uint32_t>(attempt + 1);
    state->Reset();
    if (auto e = Submit(state, std::move(retry))) return *e;
  }
  std::string message = "the answer did not validate against the schema after " +
                        std::to_string(options_.max_resamples + 1) + " attempts:";
  for (const auto& v : violations) message += " " + v + ";";
  message.pop_back();
  ApiError e{Status::InvalidArgument(std::move(message)), "response_format", "schema_validation_failed"};
  e.http_status = 422;
  return e;
}

net::HttpResponse ApiServer::Respond(std::shared_ptr<RequestState> state, const net::HttpRequest& http) {
  auto run = RunChecked(state, http);
  if (auto* e = std::get_if<ApiError>(&run)) return Error(*e);
  Finished& f = std::get<Finished>(run);
  std::vector<LogprobEntry> logprobs;
  if (state->want_logprobs) {
    for (const auto& e : f.events) logprobs.push_back(state->Logprob(e));
  }
  return JsonResponse(200, CompletionBody(state->meta, f.result, state->want_logprobs ? &logprobs : nullptr));
}

net::HttpResponse ApiServer::StreamChecked(std::shared_ptr<RequestState> state, const net::HttpRequest& http) {
  auto run = RunChecked(state, http);
  if (auto* e = std::get_if<ApiError>(&run)) return Error(*e);
  auto finished = std::make_shared<Finished>(std::get<Finished>(std::move(run)));
  net::HttpResponse response;
  response.content_type = "text/event-stream";
  response.headers = {{"Cache-Control", "no-cache"}};
  response.stream = [state, finished](net::StreamWriter& out) {
    auto send = [&out](const json& chunk) { return out.Write(net::SseEvent(Dump(chunk))); };
    const ResponseMeta& meta = state->meta;
    const bool chat = meta.endpoint == ApiEndpoint::kChatCompletions;
    if (chat && !send(RoleChunk(meta))) return;
    json logprobs = nullptr;
    if (state->want_logprobs) {
      std::vector<LogprobEntry> entries;
      for (const auto& e : finished->events) entries.push_back(state->Logprob(e));
      logprobs = chat ? ChatLogprobsJson(entries) : CompletionLogprobsJson(entries, 0);
    }
    if (!send(TextChunk(meta, finished->result.text, std::move(logprobs)))) return;
    if (!send(FinishChunk(meta, finished->result))) return;
    if (state->include_usage && !send(UsageChunk(meta, finished->result))) return;
    out.Write(net::SseEvent("[DONE]"));
  };
  return response;
}

net::HttpResponse ApiServer::Stream(std::shared_ptr<RequestState> state, const net::HttpRequest&) {
  net::HttpResponse response;
  response.content_type = "text/event-stream";
  response.headers = {{"Cache-Control", "no-cache"}};
  response.stream = [this, state](net::StreamWriter& out) {
    auto send = [&out](const json& chunk) { return out.Write(net::SseEvent(Dump(chunk))); };
    const ResponseMeta& meta = state->meta;
    const bool chat = meta.endpoint == ApiEndpoint::kChatCompletions;
    bool ok = !chat || send(RoleChunk(meta));
    size_t text_offset = 0;
    std::vector<TokenEvent> events;
    std::optional<CompletionResult> result;
    while (ok) {
      events.clear();
      result = state->Take(options_.client_check_interval, &events);
      for (const auto& e : events) {
        if (e.text.empty() && !state->want_logprobs) continue;
        json logprobs = nullptr;
        if (state->want_logprobs) {
          std::vector<LogprobEntry> one{state->Logprob(e)};
          logprobs = chat ? ChatLogprobsJson(one) : CompletionLogprobsJson(one, text_offset);
        }
        text_offset += e.text.size();
        if (!(ok = send(TextChunk(meta, e.text, std::move(logprobs))))) break;
      }
      if (!ok || result) break;
      ok = !out.ClientGone();
    }
    if (!ok) {
      state->handle->Cancel();
      ++cancelled_client_gone_;
      Forget(state->handle);
      return;
    }
    Forget(state->handle);
    ApiError failure;
    if (result->finish == FinishReason::kError) {
      failure.status = result->status.ok() ? Status::Internal("generation failed") : result->status;
    } else if (result->finish == FinishReason::kDeadline) {
      failure = TimeoutError();
    } else if (state->constraint) {
      // Only grammars that enforce every keyword stream live; this catches what should not
      // happen (an answer cut short) instead of ending the stream as if it were whole.
      auto violations = state->constraint->Check(result->text);
      if (!violations.empty()) failure.status = Status::Internal("the streamed answer is invalid: " + violations.front());
    }
    if (!failure.status.ok()) {
      ++failed_;
      out.Write(net::SseEvent(Dump(ErrorBody(failure))));
      return;
    }
    if (!send(FinishChunk(meta, *result))) return;
    if (state->include_usage && !send(UsageChunk(meta, *result))) return;
    out.Write(net::SseEvent("[DONE]"));
  };
  return response;
}

}  // namespace kolibri::server
