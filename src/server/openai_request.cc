#include "server/openai_request.h"

#include <cmath>
#include <limits>

namespace kolibri::server {
namespace {

using nlohmann::json;

ApiError Invalid(std::string param, std::string message) {
  return ApiError{Status::InvalidArgument(std::move(message)), std::move(param), "invalid_value"};
}

ApiError Unsupported(std::string param, std::string message) {
  return ApiError{Status::Unsupported(std::move(message)), std::move(param), "unsupported_parameter"};
}

const char* TypeName(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

ApiError WrongType(const std::string& param, const json& v, const char* expected) {
  return Invalid(param, "'" + param + "' must be " + expected + ", not " + TypeName(v));
}

// Field readers: absent or null leaves `out` unchanged; otherwise type and range checked.
std::optional<ApiError> ReadBool(const json& body, const char* name, bool* out) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) return WrongType(name, *it, "a boolean");
  *out = it->get<bool>();
  return std::nullopt;
}

std::optional<ApiError> ReadFloat(const json& body, const char* name, float lo, float hi, float* out) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) return WrongType(name, *it, "a number");
  double v = it->get<double>();
  if (!std::isfinite(v) || v < lo || v > hi) {
    return Invalid(name, "'" + std::string(name) + "' must be between " + std::to_string(lo) +
                             " and " + std::to_string(hi) + ", got " + it->dump());
  }
  *out = static_cast<float>(v);
  return std::nullopt;
}

std::optional<ApiError> ReadInt(const json& body, const char* name, int64_t lo, int64_t hi,
                                std::optional<int64_t>* out) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) return WrongType(name, *it, "an integer");
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(hi)) {
    return Invalid(name, "'" + std::string(name) + "' must be at most " + std::to_string(hi) + ", got " + it->dump());
  }
  int64_t v = it->get<int64_t>();
  if (v < lo) return Invalid(name, "'" + std::string(name) + "' must be at least " + std::to_string(lo) + ", got " + it->dump());
  if (v > hi) return Invalid(name, "'" + std::string(name) + "' must be at most " + std::to_string(hi) + ", got " + it->dump());
  *out = v;
  return std::nullopt;
}

std::optional<ApiError> ReadMessages(const json& body, const ApiRequestLimits& limits, ApiRequest* out) {
  auto it = body.find("messages");
  if (it == body.end() || it->is_null()) return Invalid("messages", "'messages' is required");
  if (!it->is_array()) return WrongType("messages", *it, "an array");
  if (it->empty()) return Invalid("messages", "'messages' must contain at least one message");
  if (it->size() > static_cast<size_t>(limits.max_messages)) {
    return Invalid("messages", "'messages' has more than " + std::to_string(limits.max_messages) + " entries");
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const json& m = (*it)[i];
    const std::string at = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) return WrongType(at, m, "an object");
    auto role = m.find("role");
    if (role == m.end() || !role->is_string()) return Invalid(at + ".role", "'" + at + ".role' must be a string");
    std::string r = role->get<std::string>();
    if (r == "developer") r = "system";
    if (r != "system" && r != "user" && r != "assistant") {
      return Invalid(at + ".role", "'" + at + ".role' must be system, developer, user or assistant; got '" + r + "'");
    }
    auto content = m.find("content");
    std::string text;
    if (content == m.end() || content->is_null()) {
      return Invalid(at + ".content", "'" + at + ".content' is required");
    } else if (content->is_string()) {
      text = content->get<std::string>();
    } else if (content->is_array()) {
      for (size_t k = 0; k < content->size(); ++k) {
        const json& part = (*content)[k];
        const std::string pat = at + ".content[" + std::to_string(k) + "]";
        if (!part.is_object()) return WrongType(pat, part, "an object");
        auto type = part.find("type");
        if (type == part.end() || !type->is_string()) return Invalid(pat + ".type", "'" + pat + ".type' must be a string");
        if (*type != "text") return Unsupported(pat + ".type", "content parts of type '" + type->get<std::string>() + "' are not supported; only 'text'");
        auto t = part.find("text");
        if (t == part.end() || !t->is_string()) return Invalid(pat + ".text", "'" + pat + ".text' must be a string");
        text += t->get<std::string>();
      }
    } else {
      return WrongType(at + ".content", *content, "a string or an array of text parts");
    }
    out->messages.push_back(ChatMessage{std::move(r), std::move(text)});
  }
  return std::nullopt;
}

std::optional<ApiError> ReadPrompt(const json& body, ApiRequest* out) {
  auto it = body.find("prompt");
  if (it == body.end() || it->is_null()) return Invalid("prompt", "'prompt' is required");
  if (it->is_string()) {
    out->prompt = it->get<std::string>();
  } else if (it->is_array()) {
    if (it->empty()) return Invalid("prompt", "'prompt' must not be empty");
    if ((*it)[0].is_string()) {
      if (it->size() != 1) return Unsupported("prompt", "only one prompt per request is supported");
      out->prompt = (*it)[0].get<std::string>();
    } else {
      for (const json& t : *it) {
        if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
          return Invalid("prompt", "'prompt' must be a string, an array of one string, or an array of token ids");
        }
        out->prompt_tokens.push_back(t.get<int32_t>());
      }
    }
  } else {
    return WrongType("prompt", *it, "a string or an array");
  }
  if (out->prompt.empty() && out->prompt_tokens.empty()) return Invalid("prompt", "'prompt' must not be empty");
  return std::nullopt;
}

std::optional<ApiError> ReadStop(const json& body, const ApiRequestLimits& limits, ApiRequest* out) {
  auto it = body.find("stop");
  if (it == body.end() || it->is_null()) return std::nullopt;
  std::vector<std::string> stops;
  if (it->is_string()) {
    stops.push_back(it->get<std::string>());
  } else if (it->is_array()) {
    for (const json& s : *it) {
      if (!s.is_string()) return Invalid("stop", "'stop' must be a string or an array of strings");
      stops.push_back(s.get<std::string>());
    }
  } else {
    return WrongType("stop", *it, "a string or an array of strings");
  }
  if (stops.size() > static_cast<size_t>(limits.max_stop_strings)) {
    return Invalid("stop", "'stop' has more than " + std::to_string(limits.max_stop_strings) + " strings");
  }
  for (auto& s : stops) {
    if (s.size() > static_cast<size_t>(limits.max_stop_length)) {
      return Invalid("stop", "a 'stop' string is longer than " + std::to_string(limits.max_stop_length) + " bytes");
    }
    if (!s.empty()) out->stop.push_back(std::move(s));
  }
  return std::nullopt;
}

std::optional<ApiError> ReadJsonSchemaFormat(const json& format, ResponseFormat* out) {
  auto spec = format.find("json_schema");
  if (spec == format.end() || spec->is_null()) {
    return Invalid("response_format.json_schema", "'response_format.json_schema' is required for type 'json_schema'");
  }
  if (!spec->is_object()) return WrongType("response_format.json_schema", *spec, "an object");
  if (auto name = spec->find("name"); name != spec->end() && !name->is_null()) {
    if (!name->is_string()) return WrongType("response_format.json_schema.name", *name, "a string");
    out->name = name->get<std::string>();
  }
  if (auto e = ReadBool(*spec, "strict", &out->strict)) {
    e->param = "response_format.json_schema.strict";
    return e;
  }
  auto schema = spec->find("schema");
  if (schema == spec->end() || schema->is_null()) {
    return Invalid("response_format.json_schema.schema", "'response_format.json_schema.schema' is required");
  }
  if (!schema->is_object() && !schema->is_boolean()) {
    return WrongType("response_format.json_schema.schema", *schema, "an object or a boolean");
  }
  out->schema = schema->dump();
  return std::nullopt;
}

std::optional<ApiError> ReadResponseFormat(const json& body, ResponseFormat* out) {
  if (auto g = body.find("grammar"); g != body.end() && !g->is_null()) {
    return Unsupported("grammar", "'grammar' (GBNF) is not supported: Kolibri has no GBNF parser; "
                                  "use response_format with type 'json_schema' or 'json_object'");
  }
  auto it = body.find("response_format");
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_object()) return WrongType("response_format", *it, "an object");
  auto type = it->find("type");
  if (type == it->end() || !type->is_string()) return Invalid("response_format.type", "'response_format.type' must be a string");
  if (*type == "text") return std::nullopt;
  if (*type == "json_object") {
    out->kind = ResponseFormat::Kind::kJsonObject;
    return std::nullopt;
  }
  if (*type == "json_schema") {
    out->kind = ResponseFormat::Kind::kJsonSchema;
    return ReadJsonSchemaFormat(*it, out);
  }
  return Invalid("response_format.type", "unknown response_format type '" + type->get<std::string>() +
                                             "'; expected text, json_object or json_schema");
}

std::optional<ApiError> ReadLogprobs(const json& body, ApiEndpoint endpoint, const ApiRequestLimits& limits,
                                     ApiRequest* out) {
  std::optional<int64_t> top;
  if (endpoint == ApiEndpoint::kChatCompletions) {
    bool logprobs = false;
    if (auto e = ReadBool(body, "logprobs", &logprobs)) return e;
    if (auto e = ReadInt(body, "top_logprobs", 0, limits.max_top_logprobs, &top)) return e;
    if (top && !logprobs) return Invalid("top_logprobs", "'top_logprobs' needs 'logprobs': true");
    if (logprobs) out->top_logprobs = static_cast<int32_t>(top.value_or(0));
  } else {
    // Completions: `logprobs` is the number of alternatives (null/absent: none).
    if (auto e = ReadInt(body, "logprobs", 0, limits.max_top_logprobs, &top)) return e;
    if (top) out->top_logprobs = static_cast<int32_t>(*top);
  }
  return std::nullopt;
}

std::optional<ApiError> ReadUnsupported(const json& body, ApiEndpoint endpoint, ApiRequest* out) {
  std::optional<int64_t> n;
  if (auto e = ReadInt(body, "n", 1, std::numeric_limits<int32_t>::max(), &n)) return e;
  if (n && *n != 1) return Unsupported("n", "only 'n': 1 is supported");
  std::optional<int64_t> best_of;
  if (auto e = ReadInt(body, "best_of", 1, std::numeric_limits<int32_t>::max(), &best_of)) return e;
  if (best_of && *best_of != 1) return Unsupported("best_of", "only 'best_of': 1 is supported");
  for (const char* name : {"frequency_penalty", "presence_penalty"}) {
    float v = 0;
    if (auto e = ReadFloat(body, name, -2.0f, 2.0f, &v)) return e;
    if (v != 0) return Unsupported(name, std::string("'") + name + "' is not supported; use 'repeat_penalty'");
  }
  for (const char* name : {"tools", "functions", "logit_bias"}) {
    auto it = body.find(name);
    if (it != body.end() && !it->is_null() && !it->empty()) {
      return Unsupported(name, std::string("'") + name + "' is not supported");
    }
  }
  if (endpoint == ApiEndpoint::kCompletions) {
    bool echo = false;
    if (auto e = ReadBool(body, "echo", &echo)) return e;
    if (echo) return Unsupported("echo", "'echo' is not supported");
    auto suffix = body.find("suffix");
    if (suffix != body.end() && !suffix->is_null()) return Unsupported("suffix", "'suffix' is not supported");
  }
  return ReadResponseFormat(body, &out->response_format);
}

}  // namespace

std::variant<ApiRequest, ApiError> ParseApiRequest(const json& body, ApiEndpoint endpoint,
                                                   const ApiRequestLimits& limits) {
  if (!body.is_object()) {
    return Invalid("", std::string("the request body must be a JSON object, not ") + TypeName(body));
  }
  ApiRequest req;
  req.endpoint = endpoint;
  if (auto it = body.find("model"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) return WrongType("model", *it, "a string");
    req.model = it->get<std::string>();
  }
  if (endpoint == ApiEndpoint::kChatCompletions) {
    if (auto e = ReadMessages(body, limits, &req)) return *e;
  } else {
    if (auto e = ReadPrompt(body, &req)) return *e;
  }
  for (const char* name : {"max_tokens", "max_completion_tokens", "n_predict"}) {
    std::optional<int64_t> v;
    if (auto e = ReadInt(body, name, 1, limits.max_tokens, &v)) return *e;
    if (v) req.max_tokens = static_cast<int32_t>(*v);
  }
  SamplingOptions& s = req.sampling;
  if (auto e = ReadFloat(body, "temperature", 0.0f, 100.0f, &s.temperature)) return *e;
  if (auto e = ReadFloat(body, "top_p", 0.0f, 1.0f, &s.top_p)) return *e;
  if (auto e = ReadFloat(body, "min_p", 0.0f, 1.0f, &s.min_p)) return *e;
  if (auto e = ReadFloat(body, "repeat_penalty", 0.0f, 10.0f, &s.repeat_penalty)) return *e;
  std::optional<int64_t> top_k;
  if (auto e = ReadInt(body, "top_k", 0, std::numeric_limits<int32_t>::max(), &top_k)) return *e;
  if (top_k) s.top_k = static_cast<int32_t>(*top_k);
  std::optional<int64_t> seed;
  if (auto e = ReadInt(body, "seed", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), &seed)) return *e;
  if (seed) s.seed = *seed < 0 ? 0xFFFFFFFFu : static_cast<uint32_t>(*seed & 0xFFFFFFFF);
  if (auto e = ReadStop(body, limits, &req)) return *e;
  if (auto e = ReadBool(body, "ignore_eos", &req.ignore_eos)) return *e;
  if (auto e = ReadBool(body, "stream", &req.stream)) return *e;
  if (auto it = body.find("stream_options"); it != body.end() && !it->is_null()) {
    if (!it->is_object()) return WrongType("stream_options", *it, "an object");
    if (auto e = ReadBool(*it, "include_usage", &req.include_usage)) return *e;
  }
  if (auto e = ReadLogprobs(body, endpoint, limits, &req)) return *e;
  if (auto e = ReadUnsupported(body, endpoint, &req)) return *e;
  return req;
}

}  // namespace kolibri::server
