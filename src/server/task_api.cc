#include "server/task_api.h"

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

}  // namespace

void TaskApi::RegisterRoutes(net::HttpServer& http) {
  for (const auto& task : file_.tasks) {
    http.Handle("POST", "/v1/tasks/" + task.name,
                [this, &task](const net::HttpRequest& req) { return Handle(task, req); });
  }
}

net::HttpResponse TaskApi::Handle(const tasks::TaskDefinition& task, const net::HttpRequest& req) {
  auto body = ParseJsonBody(req.body, options_.max_json_depth);
  if (!body.ok()) return ErrorResponse({body.status(), ""});
  if (!body->is_object()) return ErrorResponse({Status::InvalidArgument("the body must be a JSON object"), ""});
  if (!body->contains("input") || !(*body)["input"].is_string()) {
    return ErrorResponse({Status::InvalidArgument("'input' must be a string: the text to run the task on"), "input"});
  }
  const std::string input = (*body)["input"].get<std::string>();
  if (input.empty()) return ErrorResponse({Status::InvalidArgument("'input' is empty"), "input"});
  CascadeRunOptions options;
  if (body->contains("tiers")) {
    const auto& tiers = (*body)["tiers"];
    if (!tiers.is_array()) return ErrorResponse({Status::InvalidArgument("'tiers' must be an array of names"), "tiers"});
    for (const auto& t : tiers) {
      if (!t.is_string()) return ErrorResponse({Status::InvalidArgument("'tiers' must hold strings"), "tiers"});
      options.tiers.push_back(t.get<std::string>());
    }
  }
  options.idempotency_key = req.Header("Idempotency-Key");
  if (body->contains("idempotency_key")) {
    if (!(*body)["idempotency_key"].is_string()) {
      return ErrorResponse({Status::InvalidArgument("'idempotency_key' must be a string"), "idempotency_key"});
    }
    options.idempotency_key = (*body)["idempotency_key"].get<std::string>();
  }
  options.request_id = req.request_id;
  auto result = cascade_.Run(task, input, options);
  if (!result.ok()) return ErrorResponse({result.status(), options.tiers.empty() ? "" : "tiers"});
  if (options_.metrics != nullptr) {
    for (const auto& step : result->trail) {
      options_.metrics->Add("kolibri_cascade_tier_outcomes_total",
                            "cascade tier decisions by task, tier and outcome (escalated = passed on)",
                            {{"task", task.name}, {"tier", step.tier}, {"outcome", step.outcome}});
    }
  }
  nlohmann::json out = result->ToJson();
  out["task"] = task.name;
  net::HttpResponse r;
  r.body = out.dump();
  return r;
}

}  // namespace kolibri::server
