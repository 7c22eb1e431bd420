// libFuzzer target for what the server does with an untrusted request body before any model
// sees it: the JSON guard (UTF-8, nesting), the OpenAI request parser for both endpoints,
// the error body a refusal becomes, and the admin endpoint's model settings (JSON read as
// YAML). The first byte picks the path; the rest is the body. Aborts (a finding) when a
// parse that succeeded yields values outside the limits it was given, or an error body is
// not the OpenAI shape.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/api_error.h"
#include "server/json_guard.h"
#include "server/openai_request.h"
#include "server/serve_config.h"

namespace {

using kolibri::server::ApiEndpoint;
using kolibri::server::ApiError;
using kolibri::server::ApiRequest;

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckErrorBody(const ApiError& e) {
  const nlohmann::json body = kolibri::server::ErrorBody(e);
  Check(body.contains("error") && body["error"]["message"].is_string() && body["error"]["type"].is_string());
  const int status = kolibri::server::HttpStatusOf(e);
  Check(status >= 400 && status < 600);
  (void)body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode % 3 == 2) {
    auto model = kolibri::server::ModelConfigFromJson(body);
    if (model.ok()) Check(!model->name.empty() && !model->path.empty() && model->scheduler.parallel >= 1);
    return 0;
  }
  auto json = kolibri::server::ParseJsonBody(body, 64);
  if (!json.ok()) {
    CheckErrorBody({json.status(), "", "invalid_json"});
    return 0;
  }
  kolibri::server::ApiRequestLimits limits;
  limits.max_tokens = 4096;
  limits.max_stop_strings = 4;
  limits.max_messages = 64;
  const ApiEndpoint endpoint = mode % 3 == 0 ? ApiEndpoint::kChatCompletions : ApiEndpoint::kCompletions;
  auto parsed = kolibri::server::ParseApiRequest(*json, endpoint, limits);
  if (auto* e = std::get_if<ApiError>(&parsed)) {
    CheckErrorBody(*e);
    return 0;
  }
  const ApiRequest& r = std::get<ApiRequest>(parsed);
  Check(!r.max_tokens || (*r.max_tokens >= 1 && *r.max_tokens <= limits.max_tokens));
  Check(r.stop.size() <= static_cast<size_t>(limits.max_stop_strings));
  Check(r.messages.size() <= static_cast<size_t>(limits.max_messages));
  Check(r.top_logprobs <= limits.max_top_logprobs);
  return 0;
}
