#include "server/openai_response.h"

#include <gtest/gtest.h>

namespace kolibri::server {
namespace {

using nlohmann::json;

CompletionResult SampleResult() {
  CompletionResult r;
  r.finish = FinishReason::kLength;
  r.text = "hello";
  r.prompt_tokens = 100;
  r.cached_prompt_tokens = 90;
  r.completion_tokens = 4;
  r.queue_ms = 1;
  r.time_to_first_token_ms = 11;
  r.total_ms = 51;
  return r;
}

TEST(OpenAiResponseTest, ChatCompletionShape) {
  ResponseMeta meta{ApiEndpoint::kChatCompletions, "chatcmpl-1", 1700000000, "tiny"};
  json body = CompletionBody(meta, SampleResult(), nullptr);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["id"], "chatcmpl-1");
  EXPECT_EQ(body["model"], "tiny");
  EXPECT_EQ(body["choices"][0]["message"], json::parse(R"({"role":"assistant","content":"hello"})"));
  EXPECT_EQ(body["choices"][0]["finish_reason"], "length");
  EXPECT_TRUE(body["choices"][0]["logprobs"].is_null());
  EXPECT_EQ(body["usage"], json::parse(R"({"prompt_tokens":100,"completion_tokens":4,"total_tokens":104,
                                           "prompt_tokens_details":{"cached_tokens":90}})"));
  EXPECT_EQ(body["timings"]["prompt_n"], 10);
  EXPECT_EQ(body["timings"]["cache_n"], 90);
  EXPECT_DOUBLE_EQ(body["timings"]["prompt_ms"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(body["timings"]["predicted_ms"].get<double>(), 40.0);
  EXPECT_EQ(body["timings"]["predicted_n"], 4);
}

TEST(OpenAiResponseTest, TextCompletionShapeWithLogprobs) {
  ResponseMeta meta{ApiEndpoint::kCompletions, "cmpl-1", 1, "tiny"};
  std::vector<LogprobEntry> lp = {{"he", -0.5f, {{1, "he", -0.5f}, {2, "ha", -1.5f}}},
                                  {"llo", -0.25f, {{3, "llo", -0.25f}}}};
  json body = CompletionBody(meta, SampleResult(), &lp);
  EXPECT_EQ(body["object"], "text_completion");
  EXPECT_EQ(body["choices"][0]["text"], "hello");
  json expected = json::parse(R"({"tokens":["he","llo"],"token_logprobs":[-0.5,-0.25],
      "top_logprobs":[{"he":-0.5,"ha":-1.5},{"llo":-0.25}],"text_offset":[0,2]})");
  EXPECT_EQ(body["choices"][0]["logprobs"], expected);
}

TEST(OpenAiResponseTest, ChatLogprobsShape) {
  json lp = ChatLogprobsJson({{"A", -0.1f, {{5, "A", -0.1f}}}});
  EXPECT_EQ(lp["content"][0]["token"], "A");
  EXPECT_EQ(lp["content"][0]["bytes"], json::array({65}));
  EXPECT_EQ(lp["content"][0]["top_logprobs"][0]["token"], "A");
  EXPECT_TRUE(lp["refusal"].is_null());
}

TEST(OpenAiResponseTest, StreamChunks) {
  ResponseMeta meta{ApiEndpoint::kChatCompletions, "chatcmpl-2", 1, "tiny"};
  json role = RoleChunk(meta);
  EXPECT_EQ(role["object"], "chat.completion.chunk");
  EXPECT_EQ(role["choices"][0]["delta"]["role"], "assistant");
  json text = TextChunk(meta, "hi", nullptr);
  EXPECT_EQ(text["choices"][0]["delta"], json::parse(R"({"content":"hi"})"));
  EXPECT_TRUE(text["choices"][0]["finish_reason"].is_null());
  json finish = FinishChunk(meta, SampleResult());
  EXPECT_EQ(finish["choices"][0]["delta"], json::object());
  EXPECT_EQ(finish["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(finish["timings"]["prompt_n"], 10);
  json usage = UsageChunk(meta, SampleResult());
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["prompt_tokens_details"]["cached_tokens"], 90);
  ResponseMeta text_meta{ApiEndpoint::kCompletions, "cmpl-2", 1, "tiny"};
  EXPECT_EQ(TextChunk(text_meta, "x", nullptr)["choices"][0]["text"], "x");
  EXPECT_EQ(TextChunk(text_meta, "x", nullptr)["object"], "text_completion");
}

TEST(OpenAiResponseTest, DumpReplacesBrokenUtf8InsteadOfThrowing) {
  json value = {{"token", std::string("\xe2\x82")}};  // half of '€'
  std::string out = Dump(value);
  EXPECT_NE(out.find("\xef\xbf\xbd"), std::string::npos);
}

TEST(OpenAiResponseTest, ModelsList) {
  json body = ModelsBody("tiny", 5);
  EXPECT_EQ(body["object"], "list");
  EXPECT_EQ(body["data"][0]["id"], "tiny");
  EXPECT_EQ(body["data"][0]["object"], "model");
}

}  // namespace
}  // namespace kolibri::server
