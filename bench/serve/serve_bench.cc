// kolibri_serve_bench: drives one OpenAI-compatible server (llama-server or kolibri serve)
// with the side-by-side workloads of issue 4 and writes one JSON result. bench/serve/run.sh
// starts the servers and calls this once per server, so the client code is identical.
//
//   plain   fixed-length generation (ignore_eos) at each --plain-concurrency
//   mixed   mixed_tasks60.jsonl (three ~750-token system prompts interleaved), concurrency 4
//   triage  triage48.jsonl with response_format dropped, concurrency 4
//   triage_rf  triage48.jsonl with its response_format (json_schema): how many answers
//           parse and validate against the schema (kolibri's validator), concurrency 4
//   memory  RSS of the server process (--server-pid) before and after N sequential requests
//   ttft    time to first token of a ≥ 90 %-cached prompt (1,000-token system prompt seen
//           before + a 50-token user part) vs the same prompt cold
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <chrono>
#include <thread>

#include "kolibri/json_schema_validator.h"
#include "net/http_client.h"
#include "report.h"
#include "workload.h"

namespace {

using nlohmann::json;
using kolibri::bench::MeasureOne;
using kolibri::bench::RunWorkload;
using kolibri::bench::WorkloadOptions;

struct Options {
  std::string name = "server";
  std::string host = "127.0.0.1";
  int port = 0;
  std::string scenarios = "plain,mixed,triage,triage_rf,ttft,memory";
  std::vector<int> plain_concurrency = {1, 4, 8};
  int plain_tokens = 64;
  int plain_requests_per_client = 2;
  int plain_min_requests = 6;  // at low concurrency: enough requests for a median
  std::string mixed_file;
  int mixed_requests = 40;
  std::string triage_file;
  int triage_requests = 48;
  int ttft_repeats = 3;
  int memory_requests = 0;  // 0: no memory scenario
  int server_pid = 0;
  int concurrency = 4;
  std::string out;
  int ready_timeout_s = 180;
  double request_timeout_s = 900;
  std::vector<std::string> merge;  // merge mode: per-server result files
  std::string config_json = "{}";
  std::string markdown;
};

int Merge(const Options& o) {
  // Several files of one server (rounds of an interleaved run) become one, with medians.
  std::vector<std::string> order;
  std::map<std::string, std::vector<json>> by_server;
  for (const auto& path : o.merge) {
    std::ifstream in(path);
    json r = json::parse(in, nullptr, false);
    if (!in || r.is_discarded() || !r.contains("server")) {
      std::fprintf(stderr, "kolibri_serve_bench: cannot read %s (missing or not a result file)\n", path.c_str());
      return 2;
    }
    const std::string name = r["server"].get<std::string>();
    if (!by_server.count(name)) order.push_back(name);
    by_server[name].push_back(std::move(r));
  }
  std::vector<json> results;
  for (const auto& name : order) {
    auto& rounds = by_server[name];
    results.push_back(rounds.size() == 1 ? rounds.front() : kolibri::bench::CombineRounds(rounds));
  }
  json merged = kolibri::bench::MergeResults(results, json::parse(o.config_json));
  std::ofstream(o.out) << merged.dump(2) << "\n";
  if (!o.markdown.empty()) std::ofstream(o.markdown) << kolibri::bench::MarkdownReport(merged);
  return 0;
}

std::vector<json> ReadJsonl(const std::string& path, int limit) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (static_cast<int>(out.size()) < limit && std::getline(in, line)) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

std::string Words(std::mt19937& rng, int n) {
  static const char* kWords[] = {"parcel", "invoice", "refund", "order", "customer", "policy", "warranty",
                                 "account", "delivery", "payment", "ticket", "priority", "contract",
                                 "product", "address", "deadline", "report", "update", "error", "team"};
  std::string s;
  for (int i = 0; i < n; ++i) {
    s += (i ? " " : "");
    s += kWords[rng() % (sizeof(kWords) / sizeof(kWords[0]))];
  }
  return s;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

json RunTtft(const Options& o, const WorkloadOptions& w) {
  std::mt19937 rng(1234);
  std::vector<double> cold, warm, cached_fraction;
  json runs = json::array();
  for (int r = 0; r < o.ttft_repeats; ++r) {
    std::string system = "Session " + std::to_string(rng()) + ". " + Words(rng, 1000);
    auto body = [&](const std::string& user) {
      return json{{"model", "m"}, {"temperature", 0}, {"max_tokens", 4}, {"ignore_eos", true},
                  {"messages", json::array({{{"role", "system"}, {"content", system}},
                                            {{"role", "user"}, {"content", user}}})}};
    };
    auto c = MeasureOne(body(Words(rng, 50)), w);
    auto h = MeasureOne(body(Words(rng, 50)), w);
    runs.push_back({{"cold_ttft_ms", c.ttft_ms}, {"cached_ttft_ms", h.ttft_ms},
                    {"prompt_tokens", h.prompt_tokens}, {"cold_prompt_computed", c.prompt_computed},
                    {"cached_prompt_computed", h.prompt_computed}, {"ok", c.ok && h.ok},
                    {"error", c.error + h.error}});
    if (!c.ok || !h.ok) continue;
    cold.push_back(c.ttft_ms);
    warm.push_back(h.ttft_ms);
    if (h.prompt_tokens > 0 && h.prompt_computed >= 0) {
      cached_fraction.push_back(1.0 - static_cast<double>(h.prompt_computed) / h.prompt_tokens);
    }
  }
  double cold_ms = Median(cold), warm_ms = Median(warm);
  return {{"cold_ttft_ms", cold_ms}, {"cached_ttft_ms", warm_ms},
          {"cached_over_cold", cold_ms > 0 ? warm_ms / cold_ms : 0},
          {"cached_fraction_of_prompt", Median(cached_fraction)}, {"runs", runs}};
}

// How many answers of a response_format workload parse as JSON and validate against the
// request's own schema.
void CheckAnswers(const std::vector<json>& bodies, const kolibri::bench::WorkloadResult& r, json* summary) {
  int parsed = 0, valid = 0;
  json invalid = json::array();
  std::map<std::string, kolibri::JsonSchemaValidator> validators;
  for (size_t i = 0; i < bodies.size(); ++i) {
    const auto& m = r.requests[i];
    if (!m.ok) continue;
    json answer = json::parse(m.text, nullptr, false);
    if (answer.is_discarded()) {
      if (invalid.size() < 3) invalid.push_back(m.text.substr(0, 200));
      continue;
    }
    ++parsed;
    const json& schema = bodies[i]["response_format"]["json_schema"]["schema"];
    auto it = validators.find(schema.dump());
    if (it == validators.end()) {
      auto v = kolibri::JsonSchemaValidator::Compile(schema);
      if (!v.ok()) throw std::runtime_error("schema does not compile: " + v.status().ToString());
      it = validators.emplace(schema.dump(), *v).first;
    }
    if (it->second.IsValid(answer)) {
      ++valid;
    } else if (invalid.size() < 3) {
      invalid.push_back(m.text.substr(0, 200));
    }
  }
  (*summary)["answers_parsed"] = parsed;
  (*summary)["answers_valid"] = valid;
  (*summary)["invalid_examples"] = invalid;
}

double RssMb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

// Sequential short requests with distinct prompts (so the prefix cache fills and evicts):
// the server's RSS should not grow with the request count.
json RunMemory(const Options& o, WorkloadOptions w) {
  w.concurrency = 1;
  std::mt19937 rng(99);
  auto batch = [&](int n, int first) {
    std::vector<json> bodies;
    for (int i = 0; i < n; ++i) {
      bodies.push_back({{"model", "m"}, {"temperature", 0}, {"max_tokens", 4}, {"ignore_eos", true},
                        {"messages", json::array({{{"role", "user"},
                                                   {"content", "Memo " + std::to_string(first + i) + ": " + Words(rng, 40)}}})}});
    }
    return RunWorkload("memory", bodies, w);
  };
  int failed = 0;
  auto count_failed = [&](const kolibri::bench::WorkloadResult& r) {
    for (const auto& m : r.requests) failed += m.ok ? 0 : 1;
  };
  count_failed(batch(20, 0));  // warm-up: first allocations, caches
  json trail = json::array({{{"requests", 0}, {"rss_mb", RssMb(o.server_pid)}}});
  const int steps = 5;
  int done = 0;
  for (int s = 0; s < steps; ++s) {
    int n = o.memory_requests / steps + (s < o.memory_requests % steps ? 1 : 0);
    count_failed(batch(n, 20 + done));
    done += n;
    trail.push_back({{"requests", done}, {"rss_mb", RssMb(o.server_pid)}});
  }
  double before = trail.front()["rss_mb"], after = trail.back()["rss_mb"];
  return {{"requests", done}, {"failed", failed}, {"rss_before_mb", before}, {"rss_after_mb", after},
          {"rss_growth_mb", after - before}, {"trail", trail}};
}

bool Wants(const Options& o, const std::string& scenario) {
  return ("," + o.scenarios + ",").find("," + scenario + ",") != std::string::npos;
}

void Log(const json& summary) {
  std::fprintf(stderr, "  %-14s c=%d  %.2f req/s  %.1f tok/s  ttft p50 %.0f ms  latency p50 %.0f / p95 %.0f ms  "
               "prompt computed/req %.1f  failed %d\n",
               summary["workload"].get<std::string>().c_str(), summary["concurrency"].get<int>(),
               summary["requests_per_s"].get<double>(), summary["generated_tokens_per_s"].get<double>(),
               summary["ttft_ms_p50"].get<double>(), summary["latency_ms_p50"].get<double>(),
               summary["latency_ms_p95"].get<double>(),
               summary["prompt_tokens_computed_per_request"].get<double>(), summary["failed"].get<int>());
}

// Servers answer /health with 200 once the model is loaded (llama-server: 503 before).
bool WaitReady(const Options& o) {
  kolibri::net::HttpClientOptions co;
  co.host = o.host;
  co.port = o.port;
  co.connect_timeout = std::chrono::milliseconds(500);
  for (int i = 0; i < o.ready_timeout_s * 10; ++i) {
    kolibri::net::HttpClient client(co);
    auto r = client.Get("/health");
    if (r.ok() && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int Run(const Options& o) {
  if (!WaitReady(o)) {
    std::fprintf(stderr, "kolibri_serve_bench: %s on port %d not ready after %d s\n", o.name.c_str(), o.port,
                 o.ready_timeout_s);
    return 2;
  }
  WorkloadOptions w;
  w.host = o.host;
  w.port = o.port;
  w.request_timeout_s = o.request_timeout_s;
  json result = {{"server", o.name}, {"workloads", json::array()}};
  // Written after every scenario, so a run stopped by its time limit keeps what it measured.
  auto save = [&] {
    if (!o.out.empty()) std::ofstream(o.out) << result.dump(2) << "\n";
  };
  if (Wants(o, "plain")) {
    // Two unmeasured requests first, so no server's first measured request pays one-time
    // costs (pages of the weights, first graph allocations).
    {
      std::vector<json> warm;
      for (int i = 0; i < 2; ++i) {
        warm.push_back({{"model", "m"}, {"temperature", 0}, {"max_tokens", 8}, {"ignore_eos", true},
                        {"messages", json::array({{{"role", "user"}, {"content", "Warm-up " + std::to_string(i)}}})}});
      }
      w.concurrency = 1;
      (void)RunWorkload("warmup", warm, w);
    }
    for (int c : o.plain_concurrency) {
      std::vector<json> bodies;
      const int n = std::max(c * o.plain_requests_per_client, o.plain_min_requests);
      for (int i = 0; i < n; ++i) {
        bodies.push_back({{"model", "m"}, {"temperature", 0}, {"max_tokens", o.plain_tokens}, {"ignore_eos", true},
                          {"messages", json::array({{{"role", "user"},
                                                     {"content", "Request " + std::to_string(i) +
                                                                     ": tell a long story about a hummingbird."}}})}});
      }
      w.concurrency = c;
      json s = RunWorkload("plain", bodies, w).Summary();
      Log(s);
      result["workloads"].push_back(s);
      save();
    }
  }
  w.concurrency = o.concurrency;
  if (Wants(o, "mixed")) {
    if (o.mixed_file.empty()) {
      std::fprintf(stderr, "  mixed: skipped (no --mixed file)\n");
    } else {
      json s = RunWorkload("mixed_tasks", ReadJsonl(o.mixed_file, o.mixed_requests), w).Summary();
      Log(s);
      result["workloads"].push_back(s);
      save();
    }
  }
  if (Wants(o, "ttft")) {
    WorkloadOptions one = w;
    one.concurrency = 1;
    result["ttft"] = RunTtft(o, one);
    save();
    std::fprintf(stderr, "  ttft           cold %.0f ms  cached %.0f ms  (%.2fx; %.0f %% of the prompt cached)\n",
                 result["ttft"]["cold_ttft_ms"].get<double>(), result["ttft"]["cached_ttft_ms"].get<double>(),
                 result["ttft"]["cached_over_cold"].get<double>(),
                 100 * result["ttft"]["cached_fraction_of_prompt"].get<double>());
  }
  if (Wants(o, "triage")) {
    if (o.triage_file.empty()) {
      std::fprintf(stderr, "  triage: skipped (no --triage file)\n");
    } else {
      auto bodies = ReadJsonl(o.triage_file, o.triage_requests);
      for (auto& b : bodies) b.erase("response_format");  // until structured generation lands
      json s = RunWorkload("triage", bodies, w).Summary();
      Log(s);
      result["workloads"].push_back(s);
      save();
    }
  }
  if (Wants(o, "triage_rf")) {
    if (o.triage_file.empty()) {
      std::fprintf(stderr, "  triage_rf: skipped (no --triage file)\n");
    } else {
      auto bodies = ReadJsonl(o.triage_file, o.triage_requests);
      auto r = RunWorkload("triage_response_format", bodies, w);
      json s = r.Summary();
      CheckAnswers(bodies, r, &s);
      Log(s);
      std::fprintf(stderr, "  %-14s answers parsed %d, valid %d of %zu\n", "", s["answers_parsed"].get<int>(),
                   s["answers_valid"].get<int>(), bodies.size());
      result["workloads"].push_back(s);
      save();
    }
  }
  if (Wants(o, "memory") && o.memory_requests > 0) {
    if (o.server_pid <= 0) {
      std::fprintf(stderr, "  memory: skipped (no --server-pid)\n");
    } else {
      result["memory"] = RunMemory(o, w);
      const json& m = result["memory"];
      std::fprintf(stderr, "  memory         RSS %.1f MB → %.1f MB over %d sequential requests (%d failed)\n",
                   m["rss_before_mb"].get<double>(), m["rss_after_mb"].get<double>(), m["requests"].get<int>(),
                   m["failed"].get<int>());
    }
  }
  std::string text = result.dump(2);
  if (o.out.empty()) {
    std::printf("%s\n", text.c_str());
  } else {
    std::ofstream(o.out) << text << "\n";
  }
  int failed = 0;
  for (const auto& s : result["workloads"]) failed += s["failed"].get<int>();
  if (result.contains("memory")) failed += result["memory"]["failed"].get<int>();
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Side-by-side serving benchmark client (one server per run)"};
  app.add_option("--name", o.name, "Label of the server in the result");
  app.add_option("--host", o.host)->capture_default_str();
  app.add_option("--port", o.port, "Port of the server to drive");
  app.add_option("--scenarios", o.scenarios, "Comma-separated: plain,mixed,triage,ttft")->capture_default_str();
  app.add_option("--plain-concurrency", o.plain_concurrency)->delimiter(',')->capture_default_str();
  app.add_option("--plain-tokens", o.plain_tokens)->capture_default_str();
  app.add_option("--plain-requests-per-client", o.plain_requests_per_client)->capture_default_str();
  app.add_option("--plain-min-requests", o.plain_min_requests)->capture_default_str();
  app.add_option("--mixed", o.mixed_file, "mixed_tasks60.jsonl");
  app.add_option("--mixed-requests", o.mixed_requests)->capture_default_str();
  app.add_option("--triage", o.triage_file, "triage48.jsonl");
  app.add_option("--triage-requests", o.triage_requests)->capture_default_str();
  app.add_option("--ttft-repeats", o.ttft_repeats)->capture_default_str();
  app.add_option("--memory-requests", o.memory_requests, "Sequential requests of the memory scenario (0: skip)")
      ->capture_default_str();
  app.add_option("--server-pid", o.server_pid, "Process whose RSS the memory scenario reads");
  app.add_option("--concurrency", o.concurrency, "Concurrency of mixed and triage")->capture_default_str();
  app.add_option("--out", o.out, "Result JSON file (default: stdout)");
  app.add_option("--request-timeout", o.request_timeout_s, "Seconds one request may take")->capture_default_str();
  app.add_option("--ready-timeout", o.ready_timeout_s, "Seconds to wait for GET /health = 200")->capture_default_str();
  app.add_option("--merge", o.merge, "Merge these per-server results into --out instead of running");
  app.add_option("--config-json", o.config_json, "With --merge: the run's settings, as JSON");
  app.add_option("--markdown", o.markdown, "With --merge: also write a markdown summary here");
  CLI11_PARSE(app, argc, argv);
  try {
    if (!o.merge.empty()) return Merge(o);
    if (o.port <= 0) {
      std::fprintf(stderr, "kolibri_serve_bench: --port is required\n");
      return 2;
    }
    return Run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kolibri_serve_bench: %s\n", e.what());
    return 2;
  }
}
