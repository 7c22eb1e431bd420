// Running a list of OpenAI request bodies against a server at a fixed concurrency and
// measuring each request from the client side (streamed, so time to first token is seen).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace kolibri::bench {

struct RequestMeasure {
  bool ok = false;
  int status = 0;
  std::string error;
  double ttft_ms = 0;        // request sent → first chunk carrying generated text/token
  double latency_ms = 0;     // request sent → [DONE]
  int completion_tokens = 0; // usage.completion_tokens (or text chunks when absent)
  int prompt_tokens = 0;     // usage.prompt_tokens (0 when the server sent none)
  int prompt_computed = -1;  // timings.prompt_n: prompt tokens actually computed (-1: unknown)
  std::string text;          // the generated text (streamed deltas joined)
};

struct WorkloadResult {
  std::string name;
  int concurrency = 0;
  double wall_s = 0;
  std::vector<RequestMeasure> requests;
  nlohmann::json Summary() const;  // requests/s, tokens/s, TTFT and latency percentiles, …
};

struct WorkloadOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/v1/chat/completions";
  int concurrency = 1;
  double request_timeout_s = 300;
};

// Sends every body (made streaming with usage) in order, `concurrency` at a time.
WorkloadResult RunWorkload(const std::string& name, const std::vector<nlohmann::json>& bodies,
                           const WorkloadOptions& options);

// One request, measured (used directly for the time-to-first-token probes).
RequestMeasure MeasureOne(const nlohmann::json& body, const WorkloadOptions& options);

}  // namespace kolibri::bench
