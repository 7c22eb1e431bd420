#include "server/openai_response.h"

namespace kolibri::server {
namespace {

using nlohmann::json;

bool IsChat(const ResponseMeta& meta) { return meta.endpoint == ApiEndpoint::kChatCompletions; }

json Envelope(const ResponseMeta& meta, bool chunk) {
  const char* object = IsChat(meta) ? (chunk ? "chat.completion.chunk" : "chat.completion")
                                    : "text_completion";
  return {{"id", meta.id}, {"object", object}, {"created", meta.created}, {"model", meta.model},
          {"system_fingerprint", "kolibri"}};
}

json Bytes(std::string_view s) {
  json out = json::array();
  for (unsigned char c : s) out.push_back(static_cast<int>(c));
  return out;
}

json Choice(const ResponseMeta& meta, std::string_view text, json logprobs, json finish, bool chunk) {
  json choice = {{"index", 0}};
  if (IsChat(meta)) {
    if (chunk) {
      choice["delta"] = text.empty() && !finish.is_null() ? json::object() : json{{"content", text}};
    } else {
      choice["message"] = {{"role", "assistant"}, {"content", text}};
    }
  } else {
    choice["text"] = text;
  }
  choice["logprobs"] = std::move(logprobs);
  choice["finish_reason"] = std::move(finish);
  return choice;
}

}  // namespace

std::string_view FinishReasonText(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength:
    case FinishReason::kDeadline: return "length";
    case FinishReason::kCancelled: return "cancelled";
    case FinishReason::kError: return "error";
  }
  return "stop";
}

json UsageJson(const CompletionResult& r) {
  return {{"prompt_tokens", r.prompt_tokens},
          {"completion_tokens", r.completion_tokens},
          {"total_tokens", r.prompt_tokens + r.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", r.cached_prompt_tokens}}}};
}

json TimingsJson(const CompletionResult& r) {
  const int32_t prompt_n = r.prompt_tokens - r.cached_prompt_tokens;
  const double prompt_ms = std::max(0.0, r.time_to_first_token_ms - r.queue_ms);
  const double predicted_ms = std::max(0.0, r.total_ms - r.time_to_first_token_ms);
  auto per_token = [](double ms, int32_t n) { return n > 0 ? ms / n : 0.0; };
  auto per_second = [](double ms, int32_t n) { return ms > 0 ? n * 1000.0 / ms : 0.0; };
  return {{"cache_n", r.cached_prompt_tokens},
          {"prompt_n", prompt_n},
          {"prompt_ms", prompt_ms},
          {"prompt_per_token_ms", per_token(prompt_ms, prompt_n)},
          {"prompt_per_second", per_second(prompt_ms, prompt_n)},
          {"predicted_n", r.completion_tokens},
          {"predicted_ms", predicted_ms},
          {"predicted_per_token_ms", per_token(predicted_ms, r.completion_tokens)},
          {"predicted_per_second", per_second(predicted_ms, r.completion_tokens)},
          {"queue_ms", r.queue_ms}};
}

json ChatLogprobsJson(const std::vector<LogprobEntry>& entries) {
  json content = json::array();
  for (const auto& e : entries) {
    json top = json::array();
    for (const auto& t : e.top) {
      top.push_back({{"token", t.piece}, {"logprob", t.logprob}, {"bytes", Bytes(t.piece)}});
    }
    content.push_back({{"token", e.token}, {"logprob", e.logprob}, {"bytes", Bytes(e.token)},
                       {"top_logprobs", std::move(top)}});
  }
  return {{"content", std::move(content)}, {"refusal", nullptr}};
}

json CompletionLogprobsJson(const std::vector<LogprobEntry>& entries, size_t text_offset) {
  json tokens = json::array(), token_logprobs = json::array(), top = json::array(), offsets = json::array();
  for (const auto& e : entries) {
    tokens.push_back(e.token);
    token_logprobs.push_back(e.logprob);
    json alternatives = json::object();
    for (const auto& t : e.top) alternatives[t.piece] = t.logprob;
    top.push_back(std::move(alternatives));
    offsets.push_back(text_offset);
    text_offset += e.token.size();
  }
  return {{"tokens", std::move(tokens)}, {"token_logprobs", std::move(token_logprobs)},
          {"top_logprobs", std::move(top)}, {"text_offset", std::move(offsets)}};
}

json CompletionBody(const ResponseMeta& meta, const CompletionResult& result,
                    const std::vector<LogprobEntry>* logprobs) {
  json body = Envelope(meta, false);
  json lp = nullptr;
  if (logprobs) lp = IsChat(meta) ? ChatLogprobsJson(*logprobs) : CompletionLogprobsJson(*logprobs, 0);
  body["choices"] = json::array({Choice(meta, result.text, std::move(lp),
                                        FinishReasonText(result.finish), false)});
  body["usage"] = UsageJson(result);
  body["timings"] = TimingsJson(result);
  return body;
}

json TextChunk(const ResponseMeta& meta, std::string_view text, json logprobs) {
  json body = Envelope(meta, true);
  body["choices"] = json::array({Choice(meta, text, std::move(logprobs), nullptr, true)});
  return body;
}

json RoleChunk(const ResponseMeta& meta) {
  json body = Envelope(meta, true);
  body["choices"] = json::array({{{"index", 0},
                                  {"delta", {{"role", "assistant"}, {"content", ""}}},
                                  {"logprobs", nullptr},
                                  {"finish_reason", nullptr}}});
  return body;
}

json FinishChunk(const ResponseMeta& meta, const CompletionResult& result) {
  json body = Envelope(meta, true);
  body["choices"] = json::array({Choice(meta, "", nullptr, FinishReasonText(result.finish), true)});
  body["timings"] = TimingsJson(result);
  return body;
}

json UsageChunk(const ResponseMeta& meta, const CompletionResult& result) {
  json body = Envelope(meta, true);
  body["choices"] = json::array();
  body["usage"] = UsageJson(result);
  return body;
}

json ModelsBody(const std::string& model_id, int64_t created) {
  return {{"object", "list"},
          {"data", json::array({{{"id", model_id}, {"object", "model"}, {"created", created},
                                 {"owned_by", "kolibri"}}})}};
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace kolibri::server
