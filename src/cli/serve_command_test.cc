// `kolibri serve` end to end: the real binary with the real scheduler and the tiny test
// model on 127.0.0.1, driven over HTTP.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "net/http_client.h"
#include "net/sse.h"
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

class ServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string model = testing::TestModelPath("tiny");
    ASSERT_FALSE(model.empty());
    log_path_ = testing::TestDataDir() + "/serve_test." + std::to_string(::getpid()) + ".log";
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      FILE* log = std::freopen(log_path_.c_str(), "w", stderr);
      (void)log;
      std::string bin = testing::KolibriBinary();
      ::execl(bin.c_str(), bin.c_str(), "serve", "--model", model.c_str(), "--ctx", "1024", "--parallel", "4",
              "--threads", "2", "--port", "0", "--alias", "tiny", static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    std::regex listening(R"(on http://127\.0\.0\.1:(\d+))");
    for (int i = 0; i < 600 && port_ == 0; ++i) {
      std::smatch m;
      std::string log = ReadAll(log_path_);
      if (std::regex_search(log, m, listening)) port_ = std::stoi(m[1]);
      else std::this_thread::sleep_for(50ms);
    }
    ASSERT_GT(port_, 0) << ReadAll(log_path_);
  }
  static void TearDownTestSuite() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadAll(log_path_);
    std::string log = ReadAll(log_path_);
    EXPECT_NE(log.find("kolibri: stopped"), std::string::npos) << log;
    EXPECT_EQ(log.find("SECRET-PROMPT-TEXT"), std::string::npos) << "the log must not contain prompts";
  }
  static net::HttpClientOptions Options() {
    net::HttpClientOptions o;
    o.port = port_;
    o.read_timeout = 120s;
    return o;
  }
  static json Stats() {
    net::HttpClient client(Options());
    auto r = client.Get("/stats");
    return r.ok() ? json::parse(r->body) : json();
  }
  static std::vector<std::string> StreamEvents(const std::string& path, const std::string& body) {
    net::HttpClient client(Options());
    net::SseReader reader;
    std::vector<std::string> events;
    auto r = client.PostStream(path, body, [&](int, std::string_view data) {
      reader.Feed(data, [&](std::string_view e) { events.emplace_back(e); });
      return true;
    });
    EXPECT_TRUE(r.ok());
    return events;
  }

  static inline pid_t pid_ = 0;
  static inline int port_ = 0;
  static inline std::string log_path_;
};

TEST_F(ServeTest, ChatCompletionWithUsageAndPrefixReuse) {
  net::HttpClient client(Options());
  std::string body = R"({"model":"tiny","messages":[{"role":"system","content":"You are a helpful assistant that answers questions about parcels and invoices."},
      {"role":"user","content":"SECRET-PROMPT-TEXT where is my parcel?"}],"max_tokens":8,"temperature":0,"ignore_eos":true})";
  auto first = client.Post("/v1/chat/completions", body);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->status, 200) << first->body;
  json a = json::parse(first->body);
  EXPECT_EQ(a["object"], "chat.completion");
  EXPECT_EQ(a["model"], "tiny");
  EXPECT_EQ(a["usage"]["completion_tokens"], 8);
  EXPECT_EQ(a["choices"][0]["finish_reason"], "length");
  const int prompt_tokens = a["usage"]["prompt_tokens"];
  EXPECT_GT(prompt_tokens, 20);
  auto second = client.Post("/v1/chat/completions", body);
  ASSERT_TRUE(second.ok());
  json b = json::parse(second->body);
  EXPECT_EQ(b["choices"][0]["message"]["content"], a["choices"][0]["message"]["content"]);  // greedy
  EXPECT_GT(b["usage"]["prompt_tokens_details"]["cached_tokens"].get<int>(), prompt_tokens / 2);
  EXPECT_EQ(b["timings"]["prompt_n"].get<int>(),
            prompt_tokens - b["usage"]["prompt_tokens_details"]["cached_tokens"].get<int>());
}

TEST_F(ServeTest, StreamedCompletionEndsWithDone) {
  auto events = StreamEvents("/v1/completions",
                             R"({"prompt":"Once upon a time","max_tokens":6,"ignore_eos":true,"stream":true,
                                 "logprobs":3,"stream_options":{"include_usage":true}})");
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.back(), "[DONE]");
  json usage = json::parse(events[events.size() - 2]);
  EXPECT_EQ(usage["usage"]["completion_tokens"], 6);
  json finish = json::parse(events[events.size() - 3]);
  EXPECT_EQ(finish["choices"][0]["finish_reason"], "length");
  int logprob_tokens = 0;
  for (size_t i = 0; i + 3 < events.size(); ++i) {
    json chunk = json::parse(events[i]);
    const json& lp = chunk["choices"][0]["logprobs"];
    for (size_t k = 0; k < lp["token_logprobs"].size(); ++k) {
      EXPECT_LE(lp["token_logprobs"][k].get<double>(), 0.0);
      EXPECT_EQ(lp["top_logprobs"][k].size(), 3u);
      ++logprob_tokens;
    }
  }
  EXPECT_EQ(logprob_tokens, 6);
}

TEST_F(ServeTest, ConcurrentStreamsAllFinish) {
  std::vector<std::future<std::vector<std::string>>> streams;
  for (int i = 0; i < 6; ++i) {
    streams.push_back(std::async(std::launch::async, [i] {
      return StreamEvents("/v1/chat/completions",
                          R"({"messages":[{"role":"user","content":"request )" + std::to_string(i) +
                              R"("}],"max_tokens":10,"ignore_eos":true,"stream":true,
                              "stream_options":{"include_usage":true}})");
    }));
  }
  for (auto& s : streams) {
    auto events = s.get();
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back(), "[DONE]");
    // role, ≤ 10 text chunks (a token whose text is held back, e.g. half a UTF-8
    // character, sends none), finish, usage, [DONE]
    ASSERT_GE(events.size(), 4u);
    EXPECT_LE(events.size(), 1u + 10u + 3u);
    EXPECT_EQ(json::parse(events[events.size() - 2])["usage"]["completion_tokens"], 10);
    EXPECT_EQ(json::parse(events[events.size() - 3])["choices"][0]["finish_reason"], "length");
  }
}

TEST_F(ServeTest, ClientDisconnectMidStreamCancelsItsSequence) {
  const json before = Stats();
  {
    net::HttpClient client(Options());
    net::SseReader reader;
    int events = 0;
    auto r = client.PostStream("/v1/completions",
                               R"({"prompt":"Tell me a long story","max_tokens":900,"ignore_eos":true,"stream":true})",
                               [&](int, std::string_view data) {
                                 reader.Feed(data, [&](std::string_view) { ++events; });
                                 return events < 4;
                               });
    EXPECT_FALSE(r.ok());
  }
  json after;
  for (int i = 0; i < 200; ++i) {
    after = Stats();
    if (after["api"]["cancelled_client_gone"] > before["api"]["cancelled_client_gone"] &&
        after["scheduler"]["running"] == 0) {
      break;
    }
    std::this_thread::sleep_for(25ms);
  }
  EXPECT_EQ(after["api"]["cancelled_client_gone"].get<int>(), before["api"]["cancelled_client_gone"].get<int>() + 1);
  EXPECT_EQ(after["scheduler"]["running"], 0);
  // Far fewer than 900 tokens were generated for it.
  EXPECT_LT(after["scheduler"]["generated_tokens"].get<int64_t>() - before["scheduler"]["generated_tokens"].get<int64_t>(), 400);
  // The access log (JSON lines) notes the stream whose client went away.
  const std::string log = ReadAll(log_path_);
  EXPECT_NE(log.find(R"("client_gone":true)"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("path":"/v1/completions")"), std::string::npos) << log;
}

TEST_F(ServeTest, ResponseFormatAnswersAlwaysValidate) {
  const std::string schema = R"({"type":"object","properties":{
      "category":{"enum":["billing","technical","account"]},"priority":{"enum":["urgent","normal","low"]},
      "order_id":{"type":["string","null"],"maxLength":12},"tags":{"type":"array","items":{"enum":["a","b","c"]},
      "uniqueItems":true,"maxItems":1}},"required":["category","priority","order_id","tags"],"additionalProperties":false})";
  // Built as text: the schema's property order (not alphabetical) is the answer's order.
  // uniqueItems is only post-checked (the answer is validated, streams are held back); with
  // at most one tag a random-weight model cannot violate it, so every answer must be 200.
  auto request = [&](int max_tokens, bool stream) {
    return R"({"messages":[{"role":"user","content":"My invoice is wrong, order AB-12."}],"temperature":0,)"
           R"("max_tokens":)" + std::to_string(max_tokens) + R"(,"stream":)" + (stream ? "true" : "false") +
           R"(,"response_format":{"type":"json_schema","json_schema":{"name":"triage","schema":)" + schema + "}}}";
  };
  net::HttpClient client(Options());
  for (int max_tokens : {70, 400}) {
    auto r = client.Post("/v1/chat/completions", request(max_tokens, false));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
    std::string text = json::parse(r->body)["choices"][0]["message"]["content"];
    auto answer = nlohmann::ordered_json::parse(text, nullptr, false);
    ASSERT_TRUE(answer.is_object()) << text;
    ASSERT_EQ(answer.size(), 4u) << text;
    EXPECT_EQ(answer.begin().key(), "category") << text;
    EXPECT_EQ(std::next(answer.begin(), 2).key(), "order_id") << text;
    EXPECT_TRUE(answer["category"].is_string() && answer["priority"].is_string()) << text;
    ASSERT_TRUE(answer["tags"].is_array()) << text;
    std::set<std::string> tags;
    for (const auto& t : answer["tags"]) tags.insert(t.get<std::string>());
    EXPECT_EQ(tags.size(), answer["tags"].size()) << text;
  }
  // The held-back stream: uniqueItems is only post-checked, so a random-weight model may use
  // up its resamples (the prefix cache changes its greedy path slightly); then the answer
  // is a 422 naming the violation — never an invalid stream.
  std::string streamed, raw;
  int stream_status = 0;
  {
    net::HttpClient streaming(Options());
    net::SseReader reader;
    auto r = streaming.PostStream("/v1/chat/completions", request(400, true), [&](int status, std::string_view data) {
      stream_status = status;
      raw.append(data);
      reader.Feed(data, [&](std::string_view e) {
        if (e == "[DONE]" || status != 200) return;
        json chunk = json::parse(e);
        if (!chunk["choices"].empty() && chunk["choices"][0]["delta"].contains("content")) {
          streamed += chunk["choices"][0]["delta"]["content"].get<std::string>();
        }
      });
      return true;
    });
    ASSERT_TRUE(r.ok());
    if (stream_status == 0) stream_status = r->status;
  }
  if (stream_status == 200) {
    EXPECT_TRUE(json::parse(streamed, nullptr, false).is_object()) << streamed;
  } else {
    EXPECT_EQ(stream_status, 422) << raw;
    EXPECT_NE(raw.find("schema_validation_failed"), std::string::npos) << raw;
  }
  auto object = client.Post("/v1/chat/completions",
                            R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":30,"response_format":{"type":"json_object"}})");
  ASSERT_TRUE(object.ok());
  ASSERT_EQ(object->status, 200) << object->body;
  EXPECT_TRUE(json::parse(json::parse(object->body)["choices"][0]["message"]["content"].get<std::string>(), nullptr, false)
                  .is_object());
  // A budget below the shortest complete answer is refused up front, naming max_tokens.
  auto tight = client.Post("/v1/chat/completions", request(3, false));
  ASSERT_TRUE(tight.ok());
  EXPECT_EQ(tight->status, 400) << tight->body;
  EXPECT_EQ(json::parse(tight->body)["error"]["param"], "max_tokens") << tight->body;
  // A GBNF grammar (llama.cpp syntax) constrains the answer to its language.
  for (int seed = 1; seed <= 4; ++seed) {
    auto g = client.Post("/v1/completions", R"({"prompt":"Answer:","max_tokens":12,"temperature":1.5,"seed":)" +
                                                 std::to_string(seed) +
                                                 R"(,"grammar":"root ::= (\"yes\" | \"no\") \" \" [0-9]{1,2}"})");
    ASSERT_TRUE(g.ok());
    ASSERT_EQ(g->status, 200) << g->body;
    const std::string text = json::parse(g->body)["choices"][0]["text"];
    EXPECT_TRUE(std::regex_match(text, std::regex("(yes|no) [0-9]{1,2}"))) << text;
  }
  auto bad = client.Post("/v1/completions", R"({"prompt":"x","grammar":"root ::= (\"a\""})");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400) << bad->body;
  EXPECT_EQ(json::parse(bad->body)["error"]["param"], "grammar") << bad->body;
}

TEST_F(ServeTest, BadInputIs4xxAndServingContinues) {
  net::HttpClient client(Options());
  struct Case {
    std::string body;
    int status;
    const char* param;
  };
  std::string long_prompt;
  for (int i = 0; i < 1500; ++i) long_prompt += "parcel ";
  const Case cases[] = {
      {R"({"messages":[{"role":"user","content":"hi"})", 400, nullptr},
      {R"({"messages":[]})", 400, "messages"},
      {R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":0})", 400, "max_tokens"},
      {R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":99999999})", 400, "max_tokens"},
      {R"({"messages":[{"role":"user","content":"hi"}],"temperature":"warm"})", 400, "temperature"},
      {"{\"messages\":[{\"role\":\"user\",\"content\":\"\xc3\x28\"}]}", 400, nullptr},
      {R"({"messages":[{"role":"user","content":")" + long_prompt + R"("}]})", 400, "messages"},
  };
  for (const auto& c : cases) {
    auto r = client.Post("/v1/chat/completions", c.body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, c.status) << c.body.substr(0, 80) << " → " << r->body;
    json body = json::parse(r->body);
    ASSERT_TRUE(body["error"]["message"].is_string()) << r->body;
    EXPECT_EQ(body["error"]["type"], "invalid_request_error");
    if (c.param) {
      EXPECT_EQ(body["error"]["param"], c.param) << r->body;
    }
  }
  auto ok = client.Post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":2})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
  auto health = client.Get("/health");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
}

}  // namespace
}  // namespace kolibri
