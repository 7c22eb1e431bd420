// Overload benchmark: does `kolibri serve` shed load instead of falling over?
//
// Starts `kolibri serve` (tiny generated model, loopback, small admission queue), then
//   1. finds the sustainable load: open-loop request rates stepped up by --step until one
//      gets refusals or its p95 is no longer steady (p95 > 2× the lowest rate's, or the
//      window's second half > 1.5× both its first half and the lowest rate's p95); the rate
//      before that is sustainable;
//   2. drives --factor (4) × that rate for --seconds and reports refusals (429/503), the p95
//      of admitted requests against the p95 at sustainable load (target ≤ 1.5×), and the
//      server's peak RSS in both phases (bounded: overload must not grow it).
// Writes JSON (--out, default bench/results/ops_overload.json).
//
//   build/release/bin/kolibri_overload_bench [--seconds 8] [--max-tokens 16] [--max-queue 2] [--threads 1]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "testing/test_models.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
  std::string kolibri = KOLIBRI_BIN;
  std::string model;
  double seconds = 8;        // per rate step and for the overload phase
  int max_tokens = 16;
  int parallel = 2;
  int max_queue = 2;
  int threads = 1;           // server threads (1 keeps llama.cpp's spinning threads off a shared machine's other jobs)
  double start_rate = 2;     // requests/s
  double step = 1.5;
  double factor = 4;
  int clients = 48;          // client threads (outstanding requests at most)
  std::string out = std::string(KOLIBRI_SOURCE_DIR) + "/bench/results/ops_overload.json";
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

long RssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

struct Outcome {
  double sent_at_s = 0;
  double ms = 0;
  int status = 0;  // 0: transport failure
  bool retry_after = false;  // the response carried Retry-After
};

struct Phase {
  double rate = 0;
  std::vector<Outcome> outcomes;
  long peak_rss_kib = 0;

  std::vector<double> AdmittedMs(double from_s = 0, double to_s = 1e18) const {
    std::vector<double> ms;
    for (const auto& o : outcomes) {
      if (o.status == 200 && o.sent_at_s >= from_s && o.sent_at_s < to_s) ms.push_back(o.ms);
    }
    return ms;
  }
  int Count(int status) const {
    return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(), [status](const Outcome& o) {
      return o.status == status;
    }));
  }
  int RefusedWithRetryAfter() const {
    return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(), [](const Outcome& o) {
      return (o.status == 429 || o.status == 503) && o.retry_after;
    }));
  }
  nlohmann::json ToJson(double seconds) const {
    const auto all = AdmittedMs();
    return {{"rate_per_s", rate},
            {"requests", outcomes.size()},
            {"ok", Count(200)},
            {"refused_429", Count(429)},
            {"refused_503", Count(503)},
            {"refused_with_retry_after", RefusedWithRetryAfter()},
            {"failed_other", static_cast<int>(outcomes.size()) - Count(200) - Count(429) - Count(503)},
            {"admitted_p50_ms", Percentile(all, 0.5)},
            {"admitted_p95_ms", Percentile(all, 0.95)},
            {"p95_first_half_ms", Percentile(AdmittedMs(0, seconds / 2), 0.95)},
            {"p95_second_half_ms", Percentile(AdmittedMs(seconds / 2), 0.95)},
            {"peak_rss_mib", static_cast<double>(peak_rss_kib) / 1024.0}};
  }
};

// Open loop: requests are due at a fixed rate whatever the server does; client threads take
// them as they come due (a late start counts in the latency).
Phase Drive(const Options& o, int port, pid_t server, double rate) {
  Phase phase;
  phase.rate = rate;
  const auto start = Clock::now();
  const int total = static_cast<int>(rate * o.seconds);
  std::atomic<int> next{0};
  std::mutex mu;
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done) {
      phase.peak_rss_kib = std::max(phase.peak_rss_kib, RssKiB(server));
      std::this_thread::sleep_for(50ms);
    }
  });
  const std::string body = R"({"prompt":"Summarise the ticket in one line.","max_tokens":)" +
                           std::to_string(o.max_tokens) + R"(,"ignore_eos":true})";
  std::vector<std::thread> clients;
  for (int c = 0; c < o.clients; ++c) {
    clients.emplace_back([&] {
      kolibri::net::HttpClientOptions co;
      co.port = port;
      co.read_timeout = 120s;
      kolibri::net::HttpClient client(co);
      for (int i; (i = next++) < total;) {
        const auto due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(i / rate));
        std::this_thread::sleep_until(due);
        auto r = client.Post("/v1/completions", body);
        Outcome out{std::chrono::duration<double>(due - start).count(),
                    std::chrono::duration<double, std::milli>(Clock::now() - due).count(), r.ok() ? r->status : 0,
                    r.ok() && !r->Header("Retry-After").empty()};
        std::lock_guard<std::mutex> lock(mu);
        phase.outcomes.push_back(out);
      }
    });
  }
  for (auto& t : clients) t.join();
  done = true;
  sampler.join();
  return phase;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app("Overload benchmark for kolibri serve");
  app.add_option("--kolibri", o.kolibri, "kolibri binary");
  app.add_option("--model", o.model, "GGUF model (default: the build's tiny test model)");
  app.add_option("--seconds", o.seconds, "Seconds per rate step and for the overload phase");
  app.add_option("--max-tokens", o.max_tokens, "Tokens generated per request");
  app.add_option("--parallel", o.parallel, "Server --parallel");
  app.add_option("--max-queue", o.max_queue, "Server --max-queue (the admission queue)");
  app.add_option("--threads", o.threads, "Server --threads");
  app.add_option("--start-rate", o.start_rate, "First rate tried (requests/s)");
  app.add_option("--step", o.step, "Rate multiplier between steps");
  app.add_option("--factor", o.factor, "Overload = factor × sustainable rate");
  app.add_option("--out", o.out, "JSON result file");
  CLI11_PARSE(app, argc, argv);
  if (o.model.empty()) {
    ::setenv("KOLIBRI_TEST_DATA", (std::string(KOLIBRI_BUILD_DIR) + "/testdata").c_str(), 0);
    o.model = kolibri::testing::TestModelPath("tiny");
    if (o.model.empty()) return 1;
  }

  const std::string log = "/tmp/kolibri_overload_bench." + std::to_string(::getpid()) + ".log";
  pid_t pid = ::fork();
  if (pid == 0) {
    if (std::freopen(log.c_str(), "w", stderr) == nullptr) std::_Exit(126);
    const std::string parallel = std::to_string(o.parallel), queue = std::to_string(o.max_queue),
                      threads = std::to_string(o.threads);
    ::execl(o.kolibri.c_str(), o.kolibri.c_str(), "serve", "--model", o.model.c_str(), "--ctx", "2048", "--parallel",
            parallel.c_str(), "--max-queue", queue.c_str(), "--threads", threads.c_str(), "--port", "0",
            static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  int port = 0;
  std::regex listening(R"(on http://127\.0\.0\.1:(\d+))");
  for (int i = 0; i < 600 && port == 0; ++i) {
    std::smatch m;
    std::string text = ReadAll(log);
    if (std::regex_search(text, m, listening)) port = std::stoi(m[1]);
    else std::this_thread::sleep_for(50ms);
  }
  if (port == 0) {
    std::fprintf(stderr, "the server did not start:\n%s\n", ReadAll(log).c_str());
    ::kill(pid, SIGKILL);
    return 1;
  }

  // 1. Sustainable load.
  std::vector<Phase> steps;
  double baseline_p95 = 0;
  int sustainable = -1;  // index into steps (which grows: no pointers into it)
  for (double rate = o.start_rate; rate < 1000; rate *= o.step) {
    steps.push_back(Drive(o, port, pid, rate));
    const Phase& p = steps.back();
    const double p95 = Percentile(p.AdmittedMs(), 0.95);
    const double first = Percentile(p.AdmittedMs(0, o.seconds / 2), 0.95);
    const double second = Percentile(p.AdmittedMs(o.seconds / 2), 0.95);
    if (baseline_p95 == 0) baseline_p95 = p95;
    const bool refused = p.Count(200) != static_cast<int>(p.outcomes.size());
    // Noise on a shared machine moves a 10-second window's p95 by ±30 %; a rate is unsteady
    // when its p95 doubled against the lowest rate's, or its second half grew clearly past
    // both its first half and that baseline (a queue building up).
    const bool unsteady = p95 > 2 * baseline_p95 || (second > 1.5 * first && second > 1.5 * baseline_p95);
    std::fprintf(stderr, "rate %.2f/s: %zu requests, %d ok, p95 %.0f ms (halves %.0f / %.0f)%s\n", rate,
                 p.outcomes.size(), p.Count(200), p95, first, second,
                 refused ? " — refusals" : unsteady ? " — p95 not steady" : "");
    if (refused || unsteady) break;
    sustainable = static_cast<int>(steps.size()) - 1;
  }
  const double sustainable_rate = steps[static_cast<size_t>(std::max(0, sustainable))].rate;
  // Measure the sustainable rate once more, right before the overload, for a fair ratio.
  Phase calm = Drive(o, port, pid, sustainable_rate);
  // 2. Overload.
  Phase overload = Drive(o, port, pid, o.factor * sustainable_rate);
  const double calm_p95 = Percentile(calm.AdmittedMs(), 0.95);
  const double over_p95 = Percentile(overload.AdmittedMs(), 0.95);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);

  nlohmann::json steps_json = nlohmann::json::array();
  for (const auto& s : steps) steps_json.push_back(s.ToJson(o.seconds));
  nlohmann::json result = {
      {"benchmark", "overload"},
      {"setup", {{"model", o.model}, {"parallel", o.parallel}, {"max_queue", o.max_queue}, {"threads", o.threads},
                 {"max_tokens", o.max_tokens}, {"seconds_per_phase", o.seconds}, {"factor", o.factor}}},
      {"steps", steps_json},
      {"sustainable_found", sustainable >= 0},
      {"sustainable", calm.ToJson(o.seconds)},
      {"overload", overload.ToJson(o.seconds)},
      {"admitted_p95_ratio", calm_p95 > 0 ? over_p95 / calm_p95 : 0},
      {"refused_fraction", overload.outcomes.empty() ? 0.0
                                                     : 1.0 - static_cast<double>(overload.Count(200)) /
                                                                 static_cast<double>(overload.outcomes.size())},
      {"server_exit_code", WIFEXITED(status) ? WEXITSTATUS(status) : -1},
  };
  std::ofstream(o.out) << result.dump(2) << "\n";
  std::printf("%s\n", result.dump(2).c_str());
  return 0;
}
