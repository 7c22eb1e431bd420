#include "server/embeddings_api.h"

#include <nlohmann/json.hpp>

#include "server/api_error.h"
#include "server/json_guard.h"

namespace kolibri::server {
namespace {

net::HttpResponse ErrorResponse(const ApiError& e) {
  net::HttpResponse r;
  r.status = HttpStatusOf(e);
  r.body = ErrorBody(e).dump();
  return r;
}

ApiError Invalid(const std::string& message) { return {Status::InvalidArgument(message), "input"}; }

}  // namespace

void EmbeddingsApi::RegisterRoutes(net::HttpServer& http) {
  http.Handle("POST", "/v1/embeddings", [this](const net::HttpRequest& req) { return Handle(req); });
}

net::HttpResponse EmbeddingsApi::Handle(const net::HttpRequest& req) {
  auto body = ParseJsonBody(req.body, max_json_depth_);
  if (!body.ok()) return ErrorResponse({body.status(), ""});
  if (!body->is_object()) return ErrorResponse({Status::InvalidArgument("the body must be a JSON object"), ""});
  if (auto f = body->find("encoding_format"); f != body->end() && !f->is_null() && *f != "float") {
    return ErrorResponse({Status::InvalidArgument("encoding_format must be 'float'"), "encoding_format"});
  }
  auto in = body->find("input");
  if (in == body->end() || in->is_null()) return ErrorResponse(Invalid("'input' is required: a string or an array of strings"));
  std::vector<std::string> texts;
  if (in->is_string()) {
    texts.push_back(in->get<std::string>());
  } else if (in->is_array()) {
    for (const auto& t : *in) {
      if (!t.is_string()) return ErrorResponse(Invalid("'input' must hold strings (token arrays are not supported)"));
      texts.push_back(t.get<std::string>());
    }
  } else {
    return ErrorResponse(Invalid("'input' must be a string or an array of strings"));
  }
  if (texts.empty()) return ErrorResponse(Invalid("'input' is empty"));
  if (texts.size() > max_inputs_) {
    return ErrorResponse(Invalid("'input' has " + std::to_string(texts.size()) + " texts; at most " +
                                 std::to_string(max_inputs_) + " per request"));
  }
  auto r = embedder_.Embed(texts);
  if (!r.ok()) return ErrorResponse({r.status(), "input"});
  nlohmann::json data = nlohmann::json::array();
  for (size_t i = 0; i < r->vectors.size(); ++i) {
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", r->vectors[i]}});
  }
  const nlohmann::json out = {{"object", "list"},
                              {"data", data},
                              {"model", model_id_},
                              {"usage", {{"prompt_tokens", r->prompt_tokens}, {"total_tokens", r->prompt_tokens}}}};
  net::HttpResponse resp;
  resp.body = out.dump();
  return resp;
}

}  // namespace kolibri::server
