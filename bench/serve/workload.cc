#include "workload.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "net/http_client.h"
#include "net/sse.h"

namespace kolibri::bench {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double rank = p * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(rank);
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (rank - static_cast<double>(lo));
}

// The generated text a chunk carries (chat: delta.content, completions: text).
std::string ChunkText(const json& chunk) {
  if (!chunk.contains("choices") || !chunk["choices"].is_array() || chunk["choices"].empty()) return "";
  const json& c = chunk["choices"][0];
  const json* text = nullptr;
  if (c.contains("delta") && c["delta"].contains("content")) text = &c["delta"]["content"];
  if (c.contains("text")) text = &c["text"];
  return text && text->is_string() ? text->get<std::string>() : "";
}

}  // namespace

RequestMeasure MeasureOne(const json& request, const WorkloadOptions& options) {
  json body = request;
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  net::HttpClientOptions co;
  co.host = options.host;
  co.port = options.port;
  co.read_timeout = std::chrono::milliseconds(static_cast<int64_t>(options.request_timeout_s * 1000));
  net::HttpClient client(co);
  RequestMeasure m;
  net::SseReader reader;
  std::string error_body;
  int text_chunks = 0;
  bool done = false;
  auto start = Clock::now();
  auto result = client.PostStream(options.path, body.dump(), [&](int status, std::string_view data) {
    m.status = status;
    if (status != 200) {
      error_body.append(data);
      return error_body.size() < 65536;
    }
    reader.Feed(data, [&](std::string_view event) {
      if (event == "[DONE]") {
        done = true;
        return;
      }
      json chunk = json::parse(event, nullptr, false);
      if (chunk.is_discarded()) return;
      if (chunk.contains("error")) m.error = chunk["error"].dump();
      std::string text = ChunkText(chunk);
      if (!text.empty()) {
        if (text_chunks++ == 0) m.ttft_ms = Ms(start, Clock::now());
        m.text += text;
      }
      if (chunk.contains("usage") && chunk["usage"].is_object()) {
        m.completion_tokens = chunk["usage"].value("completion_tokens", 0);
        m.prompt_tokens = chunk["usage"].value("prompt_tokens", 0);
      }
      if (chunk.contains("timings") && chunk["timings"].is_object()) {
        m.prompt_computed = chunk["timings"].value("prompt_n", -1);
      }
    });
    return true;
  });
  m.latency_ms = Ms(start, Clock::now());
  if (!result.ok()) {
    m.error = result.status().ToString();
  } else if (m.status != 200) {
    m.error = error_body.substr(0, 500);
  } else if (!done && m.error.empty()) {
    m.error = "stream ended without [DONE]";
  }
  if (m.completion_tokens == 0) m.completion_tokens = text_chunks;
  if (text_chunks == 0) m.ttft_ms = m.latency_ms;
  m.ok = m.error.empty();
  return m;
}

WorkloadResult RunWorkload(const std::string& name, const std::vector<json>& bodies,
                           const WorkloadOptions& options) {
  WorkloadResult result;
  result.name = name;
  result.concurrency = options.concurrency;
  result.requests.resize(bodies.size());
  std::atomic<size_t> next{0};
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < options.concurrency; ++w) {
    workers.emplace_back([&] {
      for (size_t i; (i = next++) < bodies.size();) result.requests[i] = MeasureOne(bodies[i], options);
    });
  }
  for (auto& t : workers) t.join();
  result.wall_s = Ms(start, Clock::now()) / 1000.0;
  return result;
}

json WorkloadResult::Summary() const {
  std::vector<double> ttft, latency;
  int64_t tokens = 0, computed = 0;
  int failed = 0, computed_known = 0;
  json errors = json::array();
  for (const auto& r : requests) {
    if (!r.ok) {
      ++failed;
      if (errors.size() < 3) errors.push_back(r.error);
      continue;
    }
    ttft.push_back(r.ttft_ms);
    latency.push_back(r.latency_ms);
    tokens += r.completion_tokens;
    if (r.prompt_computed >= 0) {
      computed += r.prompt_computed;
      ++computed_known;
    }
  }
  const double ok = static_cast<double>(requests.size() - static_cast<size_t>(failed));
  return {{"workload", name},
          {"concurrency", concurrency},
          {"requests", requests.size()},
          {"failed", failed},
          {"errors", errors},
          {"wall_s", wall_s},
          {"requests_per_s", wall_s > 0 ? ok / wall_s : 0},
          {"generated_tokens", tokens},
          {"generated_tokens_per_s", wall_s > 0 ? static_cast<double>(tokens) / wall_s : 0},
          {"ttft_ms_p50", Percentile(ttft, 0.5)},
          {"ttft_ms_p95", Percentile(ttft, 0.95)},
          {"latency_ms_p50", Percentile(latency, 0.5)},
          {"latency_ms_p95", Percentile(latency, 0.95)},
          {"prompt_tokens_computed_per_request",
           computed_known > 0 ? static_cast<double>(computed) / computed_known : -1.0}};
}

}  // namespace kolibri::bench
