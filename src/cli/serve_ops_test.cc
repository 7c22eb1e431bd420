// `kolibri serve` operations end to end, on the real binary with the tiny test model:
// graceful drain on SIGTERM (streams finish, /ready and new requests 503, exit 0), API keys
// reloaded on SIGHUP, /metrics, JSON-lines logs without contents or keys.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "testing/cli_runner.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One `kolibri serve` process on a free port; its stderr goes to a file.
class ServeProcess {
 public:
  explicit ServeProcess(std::vector<std::string> extra_args) {
    static int counter = 0;
    log_path_ = testing::TestDataDir() + "/serve_ops." + std::to_string(::getpid()) + "." +
                std::to_string(counter++) + ".log";
    std::vector<std::string> args = {testing::KolibriBinary(), "serve"};
    if (extra_args.empty() || extra_args.front() != "--config") {
      for (const char* a : {"--model", "", "--ctx", "4096", "--parallel", "2", "--threads", "1", "--port", "0"}) {
        args.push_back(a);
      }
      args[3] = testing::TestModelPath("tiny");
    }
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      FILE* log = std::freopen(log_path_.c_str(), "w", stderr);
      (void)log;
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      std::_Exit(127);
    }
    std::regex listening(R"(on http://127\.0\.0\.1:(\d+))");
    for (int i = 0; i < 600 && port_ == 0; ++i) {
      std::smatch m;
      std::string log = Log();
      if (std::regex_search(log, m, listening)) port_ = std::stoi(m[1]);
      else std::this_thread::sleep_for(50ms);
    }
  }
  ~ServeProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  std::string Log() const { return ReadAll(log_path_); }
  void Signal(int sig) const { ::kill(pid_, sig); }
  // The exit code, or -1 when it was killed by a signal or did not exit within `timeout`.
  int Wait(std::chrono::seconds timeout) {
    int status = 0;
    for (auto end = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < end;) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }
  net::HttpClientOptions Client(const std::string& key = "") const {
    net::HttpClientOptions o;
    o.port = port_;
    o.read_timeout = 60s;
    if (!key.empty()) o.headers.push_back({"Authorization", "Bearer " + key});
    return o;
  }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool exited_ = false;
};

// Every line the server wrote is a JSON object; returns them.
std::vector<json> LogLines(const std::string& log) {
  std::vector<json> lines;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("ts") && j.contains("msg")) << "not a JSON log line: " << line;
    if (j.is_object()) lines.push_back(std::move(j));
  }
  return lines;
}

TEST(ServeOpsTest, SigtermDrainsStreamsRefusesNewRequestsAndExitsZero) {
  ServeProcess server({"--drain-timeout", "60", "--alias", "tiny"});
  ASSERT_GT(server.port(), 0) << server.Log();
  net::HttpClient client(server.Client());
  ASSERT_EQ(client.Get("/ready")->status, 200);

  std::string streamed;
  int ready_during_drain = 0, completion_during_drain = 0;
  std::string retry_after;
  bool signalled = false;
  net::HttpClient streamer(server.Client());
  auto stream = streamer.PostStream(
      "/v1/completions", R"({"prompt":"SECRET-PROMPT-TEXT","max_tokens":200,"ignore_eos":true,"stream":true})",
      [&](int, std::string_view data) {
        streamed.append(data);
        if (!signalled) {
          // The first tokens are here: the stream is in flight. Drain now, and look at the
          // server while the stream is still being produced.
          signalled = true;
          server.Signal(SIGTERM);
          for (int i = 0; i < 200; ++i) {
            auto ready = net::HttpClient(server.Client()).Get("/ready");
            if (ready.ok() && ready->status == 503) break;
            std::this_thread::sleep_for(5ms);
          }
          net::HttpClient probe(server.Client());
          auto ready = probe.Get("/ready");
          ready_during_drain = ready.ok() ? ready->status : 0;
          auto refused = probe.Post("/v1/completions", R"({"prompt":"x","max_tokens":1})");
          completion_during_drain = refused.ok() ? refused->status : 0;
          if (refused.ok()) retry_after = refused->Header("Retry-After");
        }
        return true;
      });
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  EXPECT_EQ(stream->status, 200);
  EXPECT_EQ(ready_during_drain, 503) << "/ready must turn 503 at once on SIGTERM";
  EXPECT_EQ(completion_during_drain, 503) << "new requests must be refused while draining";
  EXPECT_EQ(retry_after, "1");
  EXPECT_NE(streamed.find("data: [DONE]"), std::string::npos) << "the in-flight stream must finish";
  EXPECT_NE(streamed.find(R"("finish_reason":"length")"), std::string::npos) << "all 200 tokens, not cancelled";
  EXPECT_EQ(server.Wait(30s), 0) << server.Log();

  const std::string log = server.Log();
  EXPECT_EQ(log.find("cancelling requests in flight"), std::string::npos) << log;
  EXPECT_EQ(log.find("SECRET-PROMPT-TEXT"), std::string::npos) << "prompts never reach the log";
  bool saw_stream = false, saw_stopped = false;
  for (const json& line : LogLines(log)) {
    if (line["msg"] == "request" && line.value("streamed", false)) {
      saw_stream = true;
      EXPECT_EQ(line["status"], 200);
      EXPECT_FALSE(line["request_id"].get<std::string>().empty());
    }
    if (line["msg"] == "kolibri: stopped") saw_stopped = true;
  }
  EXPECT_TRUE(saw_stream) << log;
  EXPECT_TRUE(saw_stopped) << log;
}

TEST(ServeOpsTest, ApiKeysMetricsAndSighupReload) {
  const std::string keys = testing::TestDataDir() + "/serve_ops_keys." + std::to_string(::getpid());
  std::ofstream(keys) << "# comment\nfirst-key-SECRET\n";
  ServeProcess server({"--api-key-file", keys, "--metrics-public", "--rate-limit", "1000"});
  ASSERT_GT(server.port(), 0) << server.Log();
  net::HttpClient anonymous(server.Client());
  auto refused = anonymous.Post("/v1/completions", R"({"prompt":"hi","max_tokens":1})");
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(json::parse(refused->body)["error"]["type"], "authentication_error");
  EXPECT_EQ(anonymous.Get("/health")->status, 200);
  EXPECT_EQ(anonymous.Get("/ready")->status, 200);
  net::HttpClient first(server.Client("first-key-SECRET"));
  auto ok = first.Post("/v1/completions", R"({"prompt":"hi","max_tokens":2})");
  ASSERT_EQ(ok->status, 200) << ok->body;
  EXPECT_FALSE(ok->Header("X-Request-Id").empty());

  auto metrics = anonymous.Get("/metrics");
  ASSERT_EQ(metrics->status, 200);
  for (const char* name : {"kolibri_http_requests_total{endpoint=\"/v1/completions\",status=\"200\"} 1",
                           "kolibri_http_requests_total{endpoint=\"/v1/completions\",status=\"401\"} 1",
                           "kolibri_time_to_first_token_seconds_bucket", "kolibri_queue_depth",
                           "kolibri_running_sequences", "kolibri_kv_cache_usage_ratio",
                           "kolibri_prefix_cache_hit_ratio", "kolibri_generated_tokens_total",
                           "kolibri_grammar_compile_cache_hits_total"}) {
    EXPECT_NE(metrics->body.find(name), std::string::npos) << name << "\n" << metrics->body;
  }

  std::ofstream(keys) << "second-key\n";
  server.Signal(SIGHUP);
  bool reloaded = false;
  for (int i = 0; i < 200 && !reloaded; ++i) {
    reloaded = net::HttpClient(server.Client("second-key")).Get("/v1/models")->status == 200;
    if (!reloaded) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(reloaded) << server.Log();
  EXPECT_EQ(first.Get("/v1/models")->status, 401);  // same connection, old key: refused now
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(30s), 0) << server.Log();
  const std::string log = server.Log();
  EXPECT_EQ(log.find("first-key-SECRET"), std::string::npos) << "keys never reach the log";
  LogLines(log);
}

TEST(ServeOpsTest, LogContentIsTheOnlyWayBodiesReachTheLog) {
  ServeProcess server({"--log-content", "--api-key-file", ""});
  ASSERT_GT(server.port(), 0) << server.Log();
  net::HttpClient client(server.Client("never-logged-KEY"));
  ASSERT_EQ(client.Post("/v1/completions", R"({"prompt":"DEBUG-PROMPT-TEXT","max_tokens":1})")->status, 200);
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(30s), 0) << server.Log();
  const std::string log = server.Log();
  EXPECT_NE(log.find("DEBUG-PROMPT-TEXT"), std::string::npos) << "--log-content logs bodies:\n" << log;
  EXPECT_EQ(log.find("never-logged-KEY"), std::string::npos) << "but never keys or Authorization headers";
  LogLines(log);
}

TEST(ServeOpsTest, ConfigFileServesSeveralModelsReplacedAndReloadedAtRuntime) {
  const std::string model = testing::TestModelPath("tiny");
  const std::string config = testing::TestDataDir() + "/serve_ops_config." + std::to_string(::getpid()) + ".yaml";
  auto write_config = [&](bool with_b) {
    std::ofstream out(config);
    out << "listen: {port: 0}\nadmin: true\nmodels:\n"
        << "  - {name: a, path: " << model << ", context: 4096, parallel: 2, threads: 1}\n";
    if (with_b) out << "  - {name: b, path: " << model << ", context: 1024, parallel: 1, threads: 1}\n";
    out << "limits: {drain_timeout_s: 30}\n";
  };
  write_config(true);
  ServeProcess server({"--config", config});
  ASSERT_GT(server.port(), 0) << server.Log();
  net::HttpClient client(server.Client());
  auto models = client.Get("/v1/models");
  ASSERT_EQ(models->status, 200);
  EXPECT_EQ(json::parse(models->body)["data"].size(), 2u) << models->body;
  auto on_b = client.Post("/v1/completions", R"({"model":"b","prompt":"hi","max_tokens":2})");
  ASSERT_EQ(on_b->status, 200) << on_b->body;
  EXPECT_EQ(json::parse(on_b->body)["model"], "b");
  auto unknown = client.Post("/v1/completions", R"({"model":"nope","prompt":"hi","max_tokens":2})");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(json::parse(unknown->body)["error"]["code"], "model_not_found");

  // Replace model a while a stream runs on it: the stream finishes on the old instance.
  std::string streamed;
  int replace_status = 0;
  net::HttpClient streamer(server.Client());
  auto stream = streamer.PostStream(
      "/v1/completions", R"({"model":"a","prompt":"go","max_tokens":200,"ignore_eos":true,"stream":true})",
      [&](int, std::string_view data) {
        if (streamed.empty()) {
          auto replaced = net::HttpClient(server.Client())
                              .Post("/admin/models", R"({"name":"a","path":")" + model +
                                                         R"(","context":2048,"parallel":1,"threads":1})");
          replace_status = replaced.ok() ? replaced->status : -1;
        }
        streamed.append(data);
        return true;
      });
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(replace_status, 200);
  EXPECT_NE(streamed.find("data: [DONE]"), std::string::npos);
  auto admin = client.Get("/admin/models");
  ASSERT_EQ(admin->status, 200);
  EXPECT_EQ(json::parse(admin->body)["models"][0]["context"], 2048) << admin->body;
  EXPECT_EQ(client.Post("/v1/completions", R"({"model":"a","prompt":"hi","max_tokens":2})")->status, 200);

  // SIGHUP re-reads the file: b goes, a comes back to the file's settings.
  write_config(false);
  server.Signal(SIGHUP);
  size_t served = 2;
  for (int i = 0; i < 600 && served != 1; ++i) {
    served = json::parse(client.Get("/v1/models")->body)["data"].size();
    if (served != 1) std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(served, 1u) << server.Log();
  EXPECT_EQ(json::parse(client.Get("/admin/models")->body)["models"][0]["context"], 4096);
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(30s), 0) << server.Log();
}

TEST(ServeOpsTest, LoraAdaptersAreSelectedPerRequest) {
  const std::string lora = testing::TestDataDir() + "/tiny-lora." + std::to_string(::getpid()) + ".gguf";
  auto made = testing::RunKolibri("make-test-model --shape tiny --lora --out " + lora);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string config = testing::TestDataDir() + "/serve_ops_lora." + std::to_string(::getpid()) + ".yaml";
  std::ofstream(config) << "listen: {port: 0}\nmodels:\n  - name: a\n    path: " << testing::TestModelPath("tiny")
                        << "\n    context: 1024\n    parallel: 1\n    threads: 1\n    lora:\n"
                        << "      - {name: noisy, path: " << lora << ", scale: 4.0}\n";
  ServeProcess server({"--config", config});
  ASSERT_GT(server.port(), 0) << server.Log();
  net::HttpClient client(server.Client());
  auto models = json::parse(client.Get("/v1/models")->body)["data"];
  ASSERT_EQ(models.size(), 2u) << models.dump();
  EXPECT_EQ(models[1]["id"], "a:noisy");
  // Greedy answers: the same request twice on the base model agrees with itself, and the
  // adapter (a large random delta) changes the logprobs of the same tokens.
  const std::string request = R"(,"prompt":"The quick brown fox","max_tokens":8,"temperature":0,"logprobs":1})";
  auto base = client.Post("/v1/completions", R"({"model":"a")" + request);
  auto again = client.Post("/v1/completions", R"({"model":"a")" + request);
  auto adapted = client.Post("/v1/completions", R"({"model":"a:noisy")" + request);
  ASSERT_EQ(base->status, 200) << base->body;
  ASSERT_EQ(adapted->status, 200) << adapted->body;
  EXPECT_EQ(json::parse(adapted->body)["model"], "a:noisy");
  // The largest difference between two answers' token logprobs (tokens differing: +inf).
  auto distance = [](const std::string& x, const std::string& y) {
    const json a = json::parse(x)["choices"][0]["logprobs"], b = json::parse(y)["choices"][0]["logprobs"];
    if (a["tokens"] != b["tokens"]) return std::numeric_limits<double>::infinity();
    double d = 0;
    for (size_t i = 0; i < a["token_logprobs"].size(); ++i) {
      d = std::max(d, std::abs(a["token_logprobs"][i].get<double>() - b["token_logprobs"][i].get<double>()));
    }
    return d;
  };
  EXPECT_LT(distance(base->body, again->body), 0.01);     // float noise of batching at most
  EXPECT_GT(distance(base->body, adapted->body), 0.1) << adapted->body;
  EXPECT_EQ(client.Post("/v1/completions", R"({"model":"a:missing")" + request)->status, 404);
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(30s), 0) << server.Log();
}

TEST(ServeOpsTest, InvalidConfigIsRefusedAtStartWithItsLine) {
  const std::string config = testing::TestDataDir() + "/serve_ops_bad." + std::to_string(::getpid()) + ".yaml";
  std::ofstream(config) << "models:\n  - name: a\n    path: x.gguf\n    paralel: 2\n";
  auto r = testing::RunKolibri("serve --config " + config);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(config + ":4:5: unknown key 'paralel'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kolibri
