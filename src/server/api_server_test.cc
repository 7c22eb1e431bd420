// The HTTP API end to end over a socket, with the tiny test model for templates and
// tokenization and a FakeScheduler for generation.
#include "server/api_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "kolibri/metrics.h"

#include "net/http_client.h"
#include "net/sse.h"
#include "server/fake_scheduler.h"
#include "testing/test_models.h"

namespace kolibri::server {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ApiServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string path = testing::TestModelPath("tiny");
    ASSERT_FALSE(path.empty());
    auto model = Model::Load(path, ModelOptions{});
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    model_ = new std::shared_ptr<Model>(*model);
  }
  static void TearDownTestSuite() {
    delete model_;
    model_ = nullptr;
  }
  void SetUp() override {
    SchedulerOptions so;
    so.context = 256;
    scheduler_ = std::make_unique<FakeScheduler>(*model_, so);
    ApiServerOptions ao;
    ao.model_id = "tiny-test";
    Start(ao);
  }
  void Start(const ApiServerOptions& ao) {
    if (http_) {
      api_->CancelAll();
      http_->Stop();
    }
    api_ = std::make_unique<ApiServer>(*scheduler_, ao);
    net::HttpServerOptions ho;
    ho.port = 0;
    ho.max_body_bytes = 64 * 1024;
    ho.error_body = &ApiServer::TransportErrorBody;
    http_ = std::make_unique<net::HttpServer>(ho);
    api_->RegisterRoutes(*http_);
    ASSERT_TRUE(http_->Start().ok());
  }
  void TearDown() override {
    api_->CancelAll();
    http_->Stop();
  }
  net::HttpClientOptions ClientOptions() const {
    net::HttpClientOptions o;
    o.port = http_->port();
    o.read_timeout = 20s;
    return o;
  }
  json Stats() {
    net::HttpClient client(ClientOptions());
    auto r = client.Get("/stats");
    EXPECT_TRUE(r.ok());
    return r.ok() ? json::parse(r->body) : json();
  }
  // Expects an OpenAI error body with `status` (and `param` when given).
  void ExpectError(const Result<net::HttpResult>& r, int status, const char* param, const char* what) {
    ASSERT_TRUE(r.ok()) << what;
    EXPECT_EQ(r->status, status) << what << ": " << r->body;
    json body = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << what << ": " << r->body;
    ASSERT_TRUE(body.contains("error")) << what;
    const json& e = body["error"];
    EXPECT_TRUE(e["message"].is_string() && !e["message"].get<std::string>().empty()) << what;
    EXPECT_TRUE(e["type"].is_string()) << what;
    EXPECT_TRUE(e.contains("param") && e.contains("code")) << what;
    if (param) {
      EXPECT_EQ(e["param"], param) << what << ": " << r->body;
    }
  }

  static std::shared_ptr<Model>* model_;
  std::unique_ptr<FakeScheduler> scheduler_;
  std::unique_ptr<ApiServer> api_;
  std::unique_ptr<net::HttpServer> http_;
};
std::shared_ptr<Model>* ApiServerTest::model_ = nullptr;

TEST_F(ApiServerTest, ChatCompletionRendersTheChatTemplate) {
  net::HttpClient client(ClientOptions());
  auto r = client.Post("/v1/chat/completions", R"({"model":"x","messages":[
      {"role":"system","content":"Be brief."},{"role":"user","content":"hello"}],
      "max_tokens":3,"temperature":0,"stop":["zz"],"ignore_eos":true})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  json body = json::parse(r->body);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "tiny-test");
  EXPECT_EQ(body["choices"][0]["message"]["content"], " w0 w1 w2");
  EXPECT_EQ(body["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(body["usage"]["completion_tokens"], 3);
  CompletionRequest seen = scheduler_->last_request();
  EXPECT_EQ(body["usage"]["prompt_tokens"], seen.prompt.size());
  EXPECT_EQ(body["usage"]["prompt_tokens_details"]["cached_tokens"], seen.prompt.size() / 2);
  std::string prompt;
  for (int32_t t : seen.prompt) prompt += (*model_)->TokenToPiece(t);
  EXPECT_EQ(prompt, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(seen.max_tokens, 3);
  EXPECT_EQ(seen.sampling.temperature, 0.0f);
  EXPECT_EQ(seen.stop, std::vector<std::string>{"zz"});
  EXPECT_TRUE(seen.ignore_eos);
  EXPECT_EQ(seen.top_logprobs, -1);
}

TEST_F(ApiServerTest, MaxTokensDefaultsToTheRoomLeftInTheContext) {
  net::HttpClient client(ClientOptions());
  scheduler_->token_delay = 0ms;
  auto r = client.Post("/v1/completions", R"({"prompt":"hello world"})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  CompletionRequest seen = scheduler_->last_request();
  EXPECT_EQ(seen.max_tokens, 256 - static_cast<int32_t>(seen.prompt.size()));
}

TEST_F(ApiServerTest, ChatLogprobs) {
  net::HttpClient client(ClientOptions());
  auto r = client.Post("/v1/chat/completions",
                       R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":2,"logprobs":true,"top_logprobs":2})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  json lp = json::parse(r->body)["choices"][0]["logprobs"];
  ASSERT_EQ(lp["content"].size(), 2u);
  EXPECT_EQ(lp["content"][0]["logprob"], -0.5);
  EXPECT_TRUE(lp["content"][0]["token"].is_string());
  EXPECT_TRUE(lp["content"][0]["bytes"].is_array());
  EXPECT_EQ(lp["content"][0]["top_logprobs"].size(), 2u);
  EXPECT_EQ(scheduler_->last_request().top_logprobs, 2);
}

TEST_F(ApiServerTest, StreamedCompletionIsServerSentEvents) {
  net::HttpClient client(ClientOptions());
  net::SseReader reader;
  std::vector<std::string> events;
  int status = 0;
  auto r = client.PostStream("/v1/completions",
                             R"({"prompt":"once upon","max_tokens":4,"stream":true,"logprobs":1,
                                 "stream_options":{"include_usage":true}})",
                             [&](int s, std::string_view data) {
                               status = s;
                               reader.Feed(data, [&](std::string_view e) { events.emplace_back(e); });
                               return true;
                             });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(status, 200);
  EXPECT_EQ(r->content_type, "text/event-stream");
  ASSERT_EQ(events.size(), 4u + 3u);  // 4 tokens, finish, usage, [DONE]
  std::string text;
  for (int i = 0; i < 4; ++i) {
    json chunk = json::parse(events[static_cast<size_t>(i)]);
    EXPECT_EQ(chunk["object"], "text_completion");
    EXPECT_TRUE(chunk["choices"][0]["finish_reason"].is_null());
    EXPECT_EQ(chunk["choices"][0]["logprobs"]["tokens"].size(), 1u);
    text += chunk["choices"][0]["text"].get<std::string>();
  }
  EXPECT_EQ(text, " w0 w1 w2 w3");
  json finish = json::parse(events[4]);
  EXPECT_EQ(finish["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(finish["timings"]["predicted_n"], 4);
  json usage = json::parse(events[5]);
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["completion_tokens"], 4);
  EXPECT_EQ(events[6], "[DONE]");
}

TEST_F(ApiServerTest, StreamedChatStartsWithTheRole) {
  net::HttpClient client(ClientOptions());
  net::SseReader reader;
  std::vector<json> chunks;
  auto r = client.PostStream("/v1/chat/completions",
                             R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":2,"stream":true})",
                             [&](int, std::string_view data) {
                               reader.Feed(data, [&](std::string_view e) {
                                 if (e != "[DONE]") chunks.push_back(json::parse(e));
                               });
                               return true;
                             });
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(chunks.size(), 4u);  // role, 2 tokens, finish
  EXPECT_EQ(chunks[0]["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(chunks[1]["choices"][0]["delta"]["content"], " w0");
  EXPECT_EQ(chunks[1]["object"], "chat.completion.chunk");
  EXPECT_EQ(chunks[3]["choices"][0]["finish_reason"], "length");
}

TEST_F(ApiServerTest, ClientLeavingMidStreamCancelsTheRequest) {
  scheduler_->token_delay = 20ms;
  {
    net::HttpClient client(ClientOptions());
    net::SseReader reader;
    int events = 0;
    auto r = client.PostStream("/v1/chat/completions",
                               R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":200,"stream":true})",
                               [&](int, std::string_view data) {
                                 reader.Feed(data, [&](std::string_view) { ++events; });
                                 return events < 3;
                               });
    EXPECT_FALSE(r.ok());
  }
  for (int i = 0; i < 200 && scheduler_->cancelled == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(scheduler_->cancelled, 1);
  EXPECT_EQ(Stats()["api"]["cancelled_client_gone"], 1);
  EXPECT_EQ(Stats()["api"]["in_flight"], 0);
}

TEST_F(ApiServerTest, ClientLeavingWhileWaitingCancelsTheRequest) {
  scheduler_->token_delay = 20ms;
  std::string body = R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":200})";
  std::string raw = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  auto answer = net::HttpClient::SendRaw(ClientOptions(), raw, 100ms);
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(answer->empty());
  for (int i = 0; i < 200 && scheduler_->cancelled == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(scheduler_->cancelled, 1);
}

TEST_F(ApiServerTest, BadInputGets4xxWithOpenAiErrorsAndServerKeepsServing) {
  net::HttpClient client(ClientOptions());
  const std::string chat = "/v1/chat/completions";
  ExpectError(client.Post(chat, R"({"messages":[{"role":"user","content":"hi"})"), 400, nullptr, "malformed JSON");
  ExpectError(client.Post(chat, "not json at all"), 400, nullptr, "not JSON");
  ExpectError(client.Post(chat, R"({"messages":"hi"})"), 400, "messages", "wrong type");
  ExpectError(client.Post(chat, R"({"messages":[]})"), 400, "messages", "empty messages");
  ExpectError(client.Post(chat, R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":0})"), 400,
              "max_tokens", "max_tokens 0");
  ExpectError(client.Post(chat, R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":-1})"), 400,
              "max_tokens", "max_tokens -1");
  ExpectError(client.Post(chat, R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":100000000})"), 400,
              "max_tokens", "max_tokens huge");
  ExpectError(client.Post(chat, "{\"messages\":[{\"role\":\"user\",\"content\":\"\xff\xfe\"}]}"), 400, nullptr,
              "invalid UTF-8");
  ExpectError(client.Post(chat, std::string(10000, '[') + std::string(10000, ']')), 400, nullptr, "deep nesting");
  std::string long_prompt;
  for (int i = 0; i < 400; ++i) long_prompt += "word ";
  auto too_long = client.Post(chat, R"({"messages":[{"role":"user","content":")" + long_prompt + R"("}]})");
  ExpectError(too_long, 400, "messages", "prompt longer than the context");
  if (too_long.ok()) {
    EXPECT_EQ(json::parse(too_long->body)["error"]["code"], "context_length_exceeded");
  }
  ExpectError(client.Post("/v1/completions", R"({"prompt":[999999999]})"), 400, "prompt", "token id outside vocab");
  ExpectError(client.Post(chat, R"({"messages":[{"role":"user","content":"hi"}],"n":3})"), 400, "n", "n=3");
  ExpectError(client.Post(chat, R"({"messages":[{"role":"user","content":"hi"}],"grammar":"root ::= (\"a\""})"),
              400, "grammar", "GBNF grammar that does not parse");
  ExpectError(client.Post(chat, R"({"messages":[{"role":"user","content":"hi"}],"grammar":7})"), 400, "grammar",
              "GBNF grammar not a string");
  ExpectError(client.Post(chat, R"({"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema",
      "json_schema":{"schema":{"type":"object","properties":{"a":{"$ref":"#/$defs/missing"}}}}}})"),
              400, "response_format.json_schema.schema", "unresolvable $ref");
  ExpectError(client.Post(chat, R"({"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema",
      "json_schema":{"schema":{"type":"array","minItems":3,"maxItems":2}}}})"),
              400, "response_format.json_schema.schema", "schema admitting nothing");
  ExpectError(client.Post(chat, std::string(100 * 1024, ' ')), 413, nullptr, "huge body");
  net::HttpClient fresh(ClientOptions());  // a 413 closes the connection
  ExpectError(fresh.Get("/v1/nothing"), 404, nullptr, "unknown route");
  ExpectError(fresh.Get(chat), 405, nullptr, "wrong method");
  scheduler_->refuse_with_queue_full = true;
  ExpectError(fresh.Post(chat, R"({"messages":[{"role":"user","content":"hi"}]})"), 503, nullptr, "queue full");
  scheduler_->refuse_with_queue_full = false;

  auto ok = fresh.Post(chat, R"({"messages":[{"role":"user","content":"still there?"}],"max_tokens":1})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(scheduler_->submitted, 1);  // nothing malformed reached the scheduler
}

// A schema whose uniqueItems the grammar only post-checks: the validator sees every answer.
constexpr const char* kUniqueSchemaRequest = R"({"messages":[{"role":"user","content":"list"}],"temperature":0,
    "response_format":{"type":"json_schema","json_schema":{"name":"l","strict":true,"schema":
      {"type":"object","properties":{"z":{"type":"array","items":{"type":"integer"},"uniqueItems":true},
                                     "a":{"type":"integer"}},"required":["z"]}}}})";

TEST_F(ApiServerTest, StructuredAnswerIsResampledUntilItValidates) {
  scheduler_->scripted = {R"({"z":[1,1]})", R"({"z":[1,2],"a":3})"};
  net::HttpClient client(ClientOptions());
  auto r = client.Post("/v1/chat/completions", kUniqueSchemaRequest);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["choices"][0]["message"]["content"], R"({"z":[1,2],"a":3})");
  EXPECT_EQ(scheduler_->submitted, 2);
  CompletionRequest last = scheduler_->last_request();
  EXPECT_NE(last.grammar, nullptr);
  EXPECT_GE(last.sampling.temperature, 1.0f);  // the resample is not greedy
  EXPECT_EQ(Stats()["api"]["structured_resamples"], 1);
}

TEST_F(ApiServerTest, StructuredAnswerThatNeverValidatesIs422WithTheViolations) {
  scheduler_->scripted = {R"({"z":[4,4]})"};
  net::HttpClient client(ClientOptions());
  auto r = client.Post("/v1/chat/completions", kUniqueSchemaRequest);
  ExpectError(r, 422, "response_format", "never valid");
  ASSERT_TRUE(r.ok());
  json e = json::parse(r->body)["error"];
  EXPECT_EQ(e["code"], "schema_validation_failed");
  EXPECT_NE(e["message"].get<std::string>().find("/z"), std::string::npos) << e;
  EXPECT_EQ(scheduler_->submitted, 3);  // the first answer and two resamples
}

TEST_F(ApiServerTest, StructuredStreamIsValidatedBeforeItIsSent) {
  scheduler_->scripted = {R"({"z":[2,2]})", R"({"z":[5]})"};
  json body = json::parse(kUniqueSchemaRequest);
  body["stream"] = true;
  net::HttpClient client(ClientOptions());
  net::SseReader reader;
  std::string text;
  bool done = false;
  auto r = client.PostStream("/v1/chat/completions", body.dump(), [&](int status, std::string_view data) {
    EXPECT_EQ(status, 200);
    reader.Feed(data, [&](std::string_view event) {
      if (event == "[DONE]") {
        done = true;
        return;
      }
      json chunk = json::parse(event);
      if (!chunk["choices"].empty() && chunk["choices"][0]["delta"].contains("content")) {
        text += chunk["choices"][0]["delta"]["content"].get<std::string>();
      }
    });
    return true;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(done);
  EXPECT_EQ(text, R"({"z":[5]})");  // the invalid first answer was never streamed
}

TEST_F(ApiServerTest, JsonObjectMustBeAnObject) {
  scheduler_->scripted = {"[1]", "\"x\"", R"({"k":1})"};
  net::HttpClient client(ClientOptions());
  auto r = client.Post("/v1/completions", R"({"prompt":"x","response_format":{"type":"json_object"}})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["choices"][0]["text"], R"({"k":1})");
  EXPECT_EQ(scheduler_->submitted, 3);
}

TEST_F(ApiServerTest, ModelsAndDraining) {
  net::HttpClient client(ClientOptions());
  auto models = client.Get("/v1/models");
  ASSERT_TRUE(models.ok());
  EXPECT_EQ(json::parse(models->body)["data"][0]["id"], "tiny-test");
  api_->StartDraining();
  auto refused = client.Post("/v1/completions", R"({"prompt":"x"})");
  ExpectError(refused, 503, nullptr, "draining");
  EXPECT_EQ(refused->Header("Retry-After"), "1");
}

TEST_F(ApiServerTest, LimitsRefuseEarlyAndTimeoutsAre504) {
  MetricsRegistry metrics;
  ApiServerOptions ao;
  ao.model_id = "tiny-test";
  ao.max_prompt_tokens = 8;
  ao.max_completion_tokens = 16;
  ao.request_timeout = 150ms;
  ao.metrics = &metrics;
  Start(ao);
  net::HttpClient client(ClientOptions());
  std::string words;
  for (int i = 0; i < 20; ++i) words += "word ";
  auto long_prompt = client.Post("/v1/completions", R"({"prompt":")" + words + R"(","max_tokens":1})");
  ExpectError(long_prompt, 400, "prompt", "prompt above max_prompt_tokens");
  EXPECT_EQ(json::parse(long_prompt->body)["error"]["code"], "context_length_exceeded");
  ExpectError(client.Post("/v1/completions", R"({"prompt":"hi","max_tokens":17})"), 400, "max_tokens",
              "max_tokens above max_completion_tokens");
  EXPECT_EQ(scheduler_->submitted, 0);

  // 16 tokens 20 ms apart outlast the 150 ms timeout: 504, and the stream ends with an error.
  scheduler_->token_delay = 20ms;
  auto slow = client.Post("/v1/completions", R"({"prompt":"hi","max_tokens":16})");
  ExpectError(slow, 504, nullptr, "request timeout");
  std::string streamed;
  auto stream = client.PostStream("/v1/completions", R"({"prompt":"hi","max_tokens":16,"stream":true})",
                                  [&streamed](int, std::string_view d) {
                                    streamed.append(d);
                                    return true;
                                  });
  ASSERT_TRUE(stream.ok());
  EXPECT_NE(streamed.find("\"timeout\""), std::string::npos) << streamed;
  EXPECT_EQ(streamed.find("[DONE]"), std::string::npos) << streamed;

  scheduler_->token_delay = 1ms;
  ASSERT_EQ(client.Post("/v1/completions", R"({"prompt":"hi","max_tokens":2})")->status, 200);
  EXPECT_GE(metrics.Count("kolibri_time_to_first_token_seconds", {{"model", "tiny-test"}}), 1u);
  api_->CollectMetrics(metrics);
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("kolibri_queue_depth{model=\"tiny-test\"}"), std::string::npos) << text;
  EXPECT_NE(text.find("kolibri_grammar_compile_cache_hits_total{model=\"tiny-test\"}"), std::string::npos);
}

TEST_F(ApiServerTest, HostileBodiesAreRefusedOnEveryEndpoint) {
  net::HttpClient client(ClientOptions());
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string deep_object = "{\"prompt\":" + std::string(30000, '[') + std::string(30000, ']') + "}";
  for (const char* path : {"/v1/chat/completions", "/v1/completions"}) {
    net::HttpClient c(ClientOptions());  // 413 closes the connection
    ExpectError(c.Post(path, deep), 413, nullptr, "100,000-level nesting over the body limit");
    ExpectError(c.Post(path, deep_object), 400, nullptr, "deep nesting within the body limit");
    ExpectError(c.Post(path, "{\"prompt\":\"\xc0\xaf\",\"messages\":[]}"), 400, nullptr, "overlong UTF-8");
  }
  auto queue_full = [&] {
    scheduler_->refuse_with_queue_full = true;
    auto r = client.Post("/v1/completions", R"({"prompt":"hi"})");
    scheduler_->refuse_with_queue_full = false;
    return r;
  }();
  ExpectError(queue_full, 503, nullptr, "admission queue full");
  EXPECT_EQ(queue_full->Header("Retry-After"), "1");
  EXPECT_EQ(scheduler_->submitted, 0);
}

}  // namespace
}  // namespace kolibri::server
