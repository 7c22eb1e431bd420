// Data-driven: request body → accepted, or refused with (param, message fragment, status).
#include "server/openai_request.h"

#include <gtest/gtest.h>

#include "server/api_error.h"

namespace kolibri::server {
namespace {

using nlohmann::json;

struct RejectCase {
  const char* body;
  ApiEndpoint endpoint;
  const char* param;
  const char* message_part;
};

constexpr ApiEndpoint kChat = ApiEndpoint::kChatCompletions;
constexpr ApiEndpoint kText = ApiEndpoint::kCompletions;

TEST(OpenAiRequestTest, RejectTable) {
  const RejectCase cases[] = {
      {R"([1,2])", kChat, "", "must be a JSON object"},
      {R"({})", kChat, "messages", "is required"},
      {R"({"messages":[]})", kChat, "messages", "at least one message"},
      {R"({"messages":"hi"})", kChat, "messages", "must be an array, not a string"},
      {R"({"messages":[{"role":"user"}]})", kChat, "messages[0].content", "is required"},
      {R"({"messages":[{"role":"robot","content":"x"}]})", kChat, "messages[0].role", "got 'robot'"},
      {R"({"messages":[{"role":"user","content":5}]})", kChat, "messages[0].content", "not an integer"},
      {R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]})", kChat,
       "messages[0].content[0].type", "not supported"},
      {R"({"messages":[{"role":"user","content":"x"}],"max_tokens":0})", kChat, "max_tokens", "at least 1"},
      {R"({"messages":[{"role":"user","content":"x"}],"max_tokens":-5})", kChat, "max_tokens", "at least 1"},
      {R"({"messages":[{"role":"user","content":"x"}],"max_tokens":1000001})", kChat, "max_tokens", "at most 1000"},
      {R"({"messages":[{"role":"user","content":"x"}],"max_tokens":18446744073709551615})", kChat, "max_tokens", "at most"},
      {R"({"messages":[{"role":"user","content":"x"}],"max_tokens":"10"})", kChat, "max_tokens", "must be an integer, not a string"},
      {R"({"messages":[{"role":"user","content":"x"}],"max_tokens":1.5})", kChat, "max_tokens", "must be an integer, not a number"},
      {R"({"messages":[{"role":"user","content":"x"}],"max_completion_tokens":0})", kChat, "max_completion_tokens", "at least 1"},
      {R"({"messages":[{"role":"user","content":"x"}],"temperature":"hot"})", kChat, "temperature", "must be a number"},
      {R"({"messages":[{"role":"user","content":"x"}],"temperature":-1})", kChat, "temperature", "between"},
      {R"({"messages":[{"role":"user","content":"x"}],"top_p":1.5})", kChat, "top_p", "between"},
      {R"({"messages":[{"role":"user","content":"x"}],"top_k":-1})", kChat, "top_k", "at least 0"},
      {R"({"messages":[{"role":"user","content":"x"}],"stop":7})", kChat, "stop", "string or an array"},
      {R"({"messages":[{"role":"user","content":"x"}],"stop":["a",1]})", kChat, "stop", "array of strings"},
      {R"({"messages":[{"role":"user","content":"x"}],"stream":"yes"})", kChat, "stream", "must be a boolean"},
      {R"({"messages":[{"role":"user","content":"x"}],"n":2})", kChat, "n", "only 'n': 1"},
      {R"({"messages":[{"role":"user","content":"x"}],"ignore_eos":1})", kChat, "ignore_eos", "must be a boolean"},
      {R"({"messages":[{"role":"user","content":"x"}],"top_logprobs":3})", kChat, "top_logprobs", "needs 'logprobs'"},
      {R"({"messages":[{"role":"user","content":"x"}],"logprobs":true,"top_logprobs":21})", kChat, "top_logprobs", "at most 20"},
      {R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{}}})", kChat, "response_format.json_schema.schema", "is required"},
      {R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema"}})", kChat, "response_format.json_schema", "is required"},
      {R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"schema":"x"}}})", kChat, "response_format.json_schema.schema", "an object or a boolean"},
      {R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"schema":{},"strict":"yes"}}})", kChat, "response_format.json_schema.strict", "must be a boolean"},
      {R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":1,"schema":{}}}})", kChat, "response_format.json_schema.name", "must be a string"},
      {R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"yaml"}})", kChat, "response_format.type", "unknown response_format type"},
      {R"({"messages":[{"role":"user","content":"x"}],"grammar":"root ::= \"a\""})", kChat, "grammar", "not supported"},
      {R"({"messages":[{"role":"user","content":"x"}],"response_format":"json"})", kChat, "response_format", "must be an object"},
      {R"({"messages":[{"role":"user","content":"x"}],"frequency_penalty":0.5})", kChat, "frequency_penalty", "not supported"},
      {R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function"}]})", kChat, "tools", "not supported"},
      {R"({"messages":[{"role":"user","content":"x"}],"model":42})", kChat, "model", "must be a string"},
      {R"({})", kText, "prompt", "is required"},
      {R"({"prompt":""})", kText, "prompt", "must not be empty"},
      {R"({"prompt":["a","b"]})", kText, "prompt", "only one prompt"},
      {R"({"prompt":[1,-2]})", kText, "prompt", "token ids"},
      {R"({"prompt":{"x":1}})", kText, "prompt", "string or an array"},
      {R"({"prompt":"x","logprobs":true})", kText, "logprobs", "must be an integer"},
      {R"({"prompt":"x","echo":true})", kText, "echo", "not supported"},
  };
  ApiRequestLimits limits;
  limits.max_tokens = 1000000;
  for (const auto& c : cases) {
    auto result = ParseApiRequest(json::parse(c.body), c.endpoint, limits);
    ASSERT_TRUE(std::holds_alternative<ApiError>(result)) << "accepted: " << c.body;
    const ApiError& e = std::get<ApiError>(result);
    EXPECT_EQ(e.param, c.param) << c.body;
    EXPECT_NE(e.status.message().find(c.message_part), std::string::npos)
        << c.body << " → " << e.status.message();
    EXPECT_EQ(HttpStatusFor(e.status.code()), 400) << c.body;
  }
}

TEST(OpenAiRequestTest, ResponseFormatKinds) {
  ApiRequestLimits limits;
  auto object = ParseApiRequest(json::parse(R"({"messages":[{"role":"user","content":"x"}],
      "response_format":{"type":"json_object"}})"), kChat, limits);
  ASSERT_TRUE(std::holds_alternative<ApiRequest>(object));
  EXPECT_EQ(std::get<ApiRequest>(object).response_format.kind, ResponseFormat::Kind::kJsonObject);
  auto schema = ParseApiRequest(json::parse(R"({"messages":[{"role":"user","content":"x"}],
      "response_format":{"type":"json_schema","json_schema":{"name":"t","strict":false,
                         "schema":{"type":"object","properties":{"b":{"type":"integer"}}}}}})"), kChat, limits);
  ASSERT_TRUE(std::holds_alternative<ApiRequest>(schema));
  const ResponseFormat& f = std::get<ApiRequest>(schema).response_format;
  EXPECT_EQ(f.kind, ResponseFormat::Kind::kJsonSchema);
  EXPECT_EQ(f.name, "t");
  EXPECT_FALSE(f.strict);
  EXPECT_EQ(json::parse(f.schema)["properties"]["b"]["type"], "integer");
  auto text = ParseApiRequest(json::parse(R"({"prompt":"x","response_format":{"type":"text"}})"), kText, limits);
  ASSERT_TRUE(std::holds_alternative<ApiRequest>(text));
  EXPECT_EQ(std::get<ApiRequest>(text).response_format.kind, ResponseFormat::Kind::kText);
}

TEST(OpenAiRequestTest, ChatFieldsMapToTheScheduler) {
  auto result = ParseApiRequest(json::parse(R"({
      "model":"m","messages":[{"role":"developer","content":"be brief"},
                              {"role":"user","content":[{"type":"text","text":"hel"},{"type":"text","text":"lo"}]}],
      "max_tokens":7,"temperature":0,"top_p":0.5,"top_k":3,"min_p":0.1,"repeat_penalty":1.1,
      "seed":42,"stop":"END","ignore_eos":true,"stream":true,"stream_options":{"include_usage":true},
      "logprobs":true,"top_logprobs":2,"n":1,"response_format":{"type":"text"},"user":"ignored"})"),
                                 kChat, ApiRequestLimits{});
  ASSERT_TRUE(std::holds_alternative<ApiRequest>(result)) << std::get<ApiError>(result).status.message();
  const ApiRequest& r = std::get<ApiRequest>(result);
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[0].role, "system");
  EXPECT_EQ(r.messages[1].content, "hello");
  EXPECT_EQ(r.max_tokens, 7);
  EXPECT_EQ(r.sampling.temperature, 0.0f);
  EXPECT_FLOAT_EQ(r.sampling.top_p, 0.5f);
  EXPECT_EQ(r.sampling.top_k, 3);
  EXPECT_FLOAT_EQ(r.sampling.min_p, 0.1f);
  EXPECT_FLOAT_EQ(r.sampling.repeat_penalty, 1.1f);
  EXPECT_EQ(r.sampling.seed, 42u);
  EXPECT_EQ(r.stop, std::vector<std::string>{"END"});
  EXPECT_TRUE(r.ignore_eos);
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
  EXPECT_EQ(r.top_logprobs, 2);
}

TEST(OpenAiRequestTest, DefaultsAreLlamaServers) {
  auto result = ParseApiRequest(json::parse(R"({"prompt":"hi"})"), kText, ApiRequestLimits{});
  ASSERT_TRUE(std::holds_alternative<ApiRequest>(result));
  const ApiRequest& r = std::get<ApiRequest>(result);
  EXPECT_EQ(r.prompt, "hi");
  EXPECT_FALSE(r.max_tokens.has_value());
  EXPECT_EQ(r.top_logprobs, -1);
  EXPECT_FALSE(r.stream);
  SamplingOptions defaults;
  EXPECT_EQ(r.sampling.temperature, defaults.temperature);
  EXPECT_EQ(r.sampling.top_k, defaults.top_k);
}

TEST(OpenAiRequestTest, CompletionPromptForms) {
  auto tokens = ParseApiRequest(json::parse(R"({"prompt":[1,2,3],"logprobs":2,"max_tokens":null})"), kText, {});
  ASSERT_TRUE(std::holds_alternative<ApiRequest>(tokens));
  EXPECT_EQ(std::get<ApiRequest>(tokens).prompt_tokens, (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(std::get<ApiRequest>(tokens).top_logprobs, 2);
  auto one = ParseApiRequest(json::parse(R"({"prompt":["only"],"stop":["a","","b"]})"), kText, {});
  ASSERT_TRUE(std::holds_alternative<ApiRequest>(one));
  EXPECT_EQ(std::get<ApiRequest>(one).prompt, "only");
  EXPECT_EQ(std::get<ApiRequest>(one).stop, (std::vector<std::string>{"a", "b"}));
}

TEST(OpenAiRequestTest, NegativeSeedMeansRandom) {
  auto r = ParseApiRequest(json::parse(R"({"prompt":"x","seed":-1})"), kText, {});
  ASSERT_TRUE(std::holds_alternative<ApiRequest>(r));
  EXPECT_EQ(std::get<ApiRequest>(r).sampling.seed, 0xFFFFFFFFu);
}

TEST(ApiErrorTest, StatusMappingAndBodyShape) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kOutOfRange), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kFailedPrecondition), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kResourceExhausted), 503);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);
  json body = ErrorBody({Status::OutOfRange("too long"), "messages", "context_length_exceeded"});
  EXPECT_EQ(body, json::parse(R"({"error":{"message":"too long","type":"invalid_request_error",
                                          "param":"messages","code":"context_length_exceeded"}})"));
  json plain = ErrorBody({Status::Internal("boom"), "", ""});
  EXPECT_TRUE(plain["error"]["param"].is_null());
  EXPECT_EQ(plain["error"]["type"], "server_error");
  EXPECT_EQ(plain["error"]["code"], "internal");
  EXPECT_EQ(ErrorBodyForHttpStatus(413, "big")["error"]["code"], "request_too_large");
  EXPECT_EQ(ErrorBodyForHttpStatus(404, "no")["error"]["type"], "not_found_error");
}

}  // namespace
}  // namespace kolibri::server
