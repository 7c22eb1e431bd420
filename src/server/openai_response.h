// OpenAI response bodies: chat.completion, text_completion, their streamed chunks,
// logprobs in each endpoint's shape, usage (with prompt_tokens_details.cached_tokens) and a
// llama-server style `timings` object, so one client reads both servers the same way.
//
// Pure functions; thread-safe. Dump() never throws: bytes that are not UTF-8 (a token
// piece can be half a character) are replaced with U+FFFD.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/scheduler.h"
#include "server/openai_request.h"

namespace kolibri::server {

struct LogprobEntry {
  std::string token;   // the chosen token's text
  float logprob = 0;
  std::vector<TopLogprob> top;
};

struct ResponseMeta {
  ApiEndpoint endpoint = ApiEndpoint::kChatCompletions;
  std::string id;        // "chatcmpl-…" / "cmpl-…"
  int64_t created = 0;   // Unix seconds
  std::string model;
};

// OpenAI's finish_reason: "stop" (end of generation or a stop string), "length"
// (max_tokens, context or deadline), "cancelled", "error".
std::string_view FinishReasonText(FinishReason reason);

nlohmann::json UsageJson(const CompletionResult& result);
// llama-server's timings: cache_n, prompt_n (prompt tokens computed), prompt_ms,
// prompt_per_token_ms, prompt_per_second, predicted_n, predicted_ms,
// predicted_per_token_ms, predicted_per_second.
nlohmann::json TimingsJson(const CompletionResult& result);

// Chat shape: {"content":[{"token","logprob","bytes","top_logprobs":[…]}],"refusal":null}.
nlohmann::json ChatLogprobsJson(const std::vector<LogprobEntry>& entries);
// Completions shape: {"tokens","token_logprobs","top_logprobs":[{token:logprob}],"text_offset"};
// offsets count bytes from `text_offset`.
nlohmann::json CompletionLogprobsJson(const std::vector<LogprobEntry>& entries, size_t text_offset);

// The whole non-streamed response. `logprobs` null: none requested.
nlohmann::json CompletionBody(const ResponseMeta& meta, const CompletionResult& result,
                              const std::vector<LogprobEntry>* logprobs);

// One streamed chunk with new text (chat: delta.content) and its logprobs (null: none).
nlohmann::json TextChunk(const ResponseMeta& meta, std::string_view text, nlohmann::json logprobs);
// The first chat chunk: delta {"role":"assistant","content":""}.
nlohmann::json RoleChunk(const ResponseMeta& meta);
// The chunk carrying finish_reason (plus timings, as llama-server sends them).
nlohmann::json FinishChunk(const ResponseMeta& meta, const CompletionResult& result);
// stream_options.include_usage: the extra last chunk with "choices": [] and usage.
nlohmann::json UsageChunk(const ResponseMeta& meta, const CompletionResult& result);

// GET /v1/models.
nlohmann::json ModelsBody(const std::string& model_id, int64_t created);

// Compact JSON text; invalid UTF-8 in strings is replaced, never thrown.
std::string Dump(const nlohmann::json& value);

}  // namespace kolibri::server
