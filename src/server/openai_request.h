// OpenAI request bodies → what the scheduler needs. Every field we know is type-checked;
// a wrong type, a value out of range or an option we cannot honour is an ApiError naming
// the field (400), so clients learn what to fix instead of getting silently different
// behaviour. Fields we do not know are ignored, as OpenAI clients send many optional ones.
//
// Pure functions of the JSON body; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kolibri/generator.h"
#include "kolibri/model.h"
#include "server/api_error.h"

namespace kolibri::server {

enum class ApiEndpoint { kChatCompletions, kCompletions };

// response_format. The schema travels as JSON text; ParseApiRequest sees the body with its
// object keys sorted, so ApiServer re-reads the schema from the raw body to keep the
// author's property order (the order of the generated JSON).
struct ResponseFormat {
  enum class Kind { kText, kJsonObject, kJsonSchema };
  Kind kind = Kind::kText;
  std::string name;    // json_schema.name
  std::string schema;  // json_schema.schema as compact JSON text
  bool strict = true;  // json_schema.strict; absent → true. false compiles leniently: keywords
                       // that can be neither enforced nor checked are relaxed, not refused.
                       // Kolibri enforces the schema either way.
};

struct ApiRequest {
  ApiEndpoint endpoint = ApiEndpoint::kChatCompletions;
  std::string model;                    // as sent ("" when absent); echoed nowhere
  std::vector<ChatMessage> messages;    // chat: non-empty
  std::string prompt;                   // completions, text prompt
  std::vector<int32_t> prompt_tokens;   // completions, pre-tokenized prompt (when non-empty)
  std::optional<int32_t> max_tokens;    // absent: until the context is full
  SamplingOptions sampling;             // fields absent → SamplingOptions defaults (llama-server's)
  std::vector<std::string> stop;
  bool ignore_eos = false;              // llama-server extension
  bool stream = false;
  bool include_usage = false;           // stream_options.include_usage
  int32_t top_logprobs = -1;            // -1: no logprobs; else chosen token + N alternatives
  ResponseFormat response_format;
};

struct ApiRequestLimits {
  int32_t max_tokens = 1 << 20;   // larger max_tokens is refused (the server passes its context)
  int32_t max_stop_strings = 16;
  int32_t max_stop_length = 256;  // bytes per stop string
  int32_t max_top_logprobs = 20;
  int32_t max_messages = 4096;
};

// Validates and converts `body` (any JSON value) for `endpoint`.
//
// Unsupported on purpose (400 with the field named): n != 1, best_of != 1, echo, suffix,
// tools/functions, non-zero frequency/presence penalties, logit_bias, non-text content
// parts, and a `grammar` field (GBNF: the grammar module has no GBNF parser; use
// response_format). response_format may be text, json_object or json_schema (with
// json_schema.schema an object or boolean; name and strict checked for type).
std::variant<ApiRequest, ApiError> ParseApiRequest(const nlohmann::json& body, ApiEndpoint endpoint,
                                                   const ApiRequestLimits& limits);

}  // namespace kolibri::server
