#include "server/model_router.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "server/api_error.h"
#include "server/json_guard.h"
#include "server/openai_response.h"

namespace kolibri::server {
namespace {

net::HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  net::HttpResponse r;
  r.status = status;
  r.body = Dump(body);
  return r;
}

net::HttpResponse ErrorResponse(const ApiError& e) { return JsonResponse(HttpStatusOf(e), ErrorBody(e)); }

uint64_t Completions(const ServedModel& m) {
  uint64_t total = 0;
  for (ApiServer* api : m.Apis()) total += api->counters().completions;
  return total;
}

Result<std::string> ReadTemplate(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("chat template file '" + path + "' not found");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().empty()) return Status::InvalidArgument("chat template file '" + path + "' is empty");
  return text.str();
}

}  // namespace

ServedModel::~ServedModel() {
  for (ApiServer* a : Apis()) a->CancelAll();
}

std::vector<ApiServer*> ServedModel::Apis() const {
  std::vector<ApiServer*> apis;
  if (api) apis.push_back(api.get());
  for (const auto& a : adapters) {
    if (a.api) apis.push_back(a.api.get());
  }
  return apis;
}

ApiServer* ServedModel::Api(const std::string& adapter) const {
  if (adapter.empty()) return api.get();
  for (const auto& a : adapters) {
    if (a.name == adapter) return a.api.get();
  }
  return nullptr;
}

Result<std::shared_ptr<ServedModel>> LoadServedModel(const ModelConfig& config, ApiServerOptions api_options) {
  auto served = std::make_shared<ServedModel>();
  served->config = config;
  ModelOptions model_options;
  if (!config.chat_template_file.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(model_options.chat_template, ReadTemplate(config.chat_template_file));
  }
  KOLIBRI_ASSIGN_OR_RETURN(served->model, Model::Load(config.path, model_options));
  KOLIBRI_ASSIGN_OR_RETURN(served->scheduler, Scheduler::Create(served->model, config.scheduler));
  api_options.model_id = config.name;
  served->api = std::make_unique<ApiServer>(*served->scheduler, api_options);
  served->api->WarmupStructuredOutput();
  for (const auto& adapter : config.adapters) {
    ServedAdapter a;
    a.name = adapter.name;
    SchedulerOptions options = config.scheduler;
    options.lora = {LoraAdapterOptions{adapter.path, adapter.scale}};
    auto scheduler = Scheduler::Create(served->model, options);
    if (!scheduler.ok()) {
      return Status(scheduler.status().code(), "LoRA adapter '" + adapter.name + "': " + scheduler.status().message());
    }
    a.scheduler = std::move(*scheduler);
    api_options.model_id = config.name + ":" + adapter.name;
    a.api = std::make_unique<ApiServer>(*a.scheduler, api_options);
    a.api->WarmupStructuredOutput();
    served->adapters.push_back(std::move(a));
  }
  return served;
}

ModelRouter::ModelRouter(MetricsRegistry* metrics, ApiServerOptions api_options)
    : metrics_(metrics), api_options_(std::move(api_options)) {
  if (metrics_ == nullptr) return;
  metrics_->AddCollector([this](MetricsRegistry& m) {
    const auto models = Models();
    for (const auto& served : models) {
      for (ApiServer* api : served->Apis()) api->CollectMetrics(m);
    }
    m.Set("kolibri_models_loaded", "models being served", {}, static_cast<double>(models.size()));
  });
}

void ModelRouter::Put(std::shared_ptr<ServedModel> model) {
  std::shared_ptr<ServedModel> old;  // freed outside the lock (once its requests end)
  std::lock_guard<std::mutex> lock(mu_);
  if (draining_) {
    for (ApiServer* api : model->Apis()) api->StartDraining();
  }
  for (auto& m : models_) {
    if (m->config.name == model->config.name) {
      retired_completions_ += Completions(*m);
      old = std::exchange(m, std::move(model));
      return;
    }
  }
  models_.push_back(std::move(model));
}

Status ModelRouter::Remove(const std::string& name) {
  std::shared_ptr<ServedModel> old;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find_if(models_.begin(), models_.end(), [&](const auto& m) { return m->config.name == name; });
  if (it == models_.end()) return Status::NotFound("no model named '" + name + "' is served");
  if (models_.size() == 1) return Status::FailedPrecondition("'" + name + "' is the last model; replace it instead");
  retired_completions_ += Completions(**it);
  old = std::move(*it);
  models_.erase(it);
  return Status::Ok();
}

std::shared_ptr<ServedModel> ModelRouter::Find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (models_.empty()) return nullptr;
  if (name.empty()) return models_.front();
  for (const auto& m : models_) {
    if (m->config.name == name) return m;
  }
  return nullptr;
}

std::vector<std::shared_ptr<ServedModel>> ModelRouter::Models() const {
  std::lock_guard<std::mutex> lock(mu_);
  return models_;
}

void ModelRouter::StartDraining() {
  std::lock_guard<std::mutex> lock(mu_);
  draining_ = true;
  for (auto& m : models_) {
    for (ApiServer* api : m->Apis()) api->StartDraining();
  }
}

void ModelRouter::CancelAll() {
  for (auto& m : Models()) {
    for (ApiServer* api : m->Apis()) api->CancelAll();
  }
}

std::string ModelRouter::QueueFullReason() const {
  for (const auto& m : Models()) {
    const int32_t limit = m->config.scheduler.max_queue;
    for (ApiServer* api : m->Apis()) {
      if (limit > 0 && api->scheduler().Stats().queued >= limit) return "the queue of model '" + api->model_id() + "' is full";
    }
  }
  return "";
}

uint64_t ModelRouter::completions() const {
  uint64_t total = 0;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& m : models_) total += Completions(*m);
  return total + retired_completions_;
}

net::HttpResponse ModelRouter::Complete(const net::HttpRequest& request, ApiEndpoint endpoint) {
  auto body = ParseJsonBody(request.body, api_options_.max_json_depth);
  if (!body.ok()) return ErrorResponse({body.status(), "", "invalid_json"});
  std::string name;
  if (body->is_object() && body->contains("model") && (*body)["model"].is_string()) {
    name = (*body)["model"].get<std::string>();
  }
  std::shared_ptr<ServedModel> served = Find(name);
  ApiServer* api = served ? served->api.get() : nullptr;
  if (const size_t colon = name.rfind(':'); served == nullptr && colon != std::string::npos) {
    served = Find(name.substr(0, colon));  // "<model>:<adapter>"
    api = served ? served->Api(name.substr(colon + 1)) : nullptr;
    if (api == nullptr) served = nullptr;
  } else if (served == nullptr && Models().size() == 1) {
    // OpenAI clients always send some model name; one unknown name with a single model
    // served goes to it, as `kolibri serve --model` always did.
    served = Find("");
    api = served ? served->api.get() : nullptr;
  }
  if (served == nullptr) {
    return ErrorResponse({Status::NotFound("the model '" + name + "' is not served here (see GET /v1/models)"),
                          "model", "model_not_found"});
  }
  net::HttpResponse response = api->Complete(request, endpoint, *body);
  if (response.stream) {
    // The stream runs after this returns: it keeps its model alive until it ends.
    response.stream = [inner = std::move(response.stream), served](net::StreamWriter& out) { inner(out); };
  }
  return response;
}

void ModelRouter::RegisterRoutes(net::HttpServer& http, bool admin) {
  http.Handle("POST", "/v1/chat/completions",
              [this](const net::HttpRequest& r) { return Complete(r, ApiEndpoint::kChatCompletions); });
  http.Handle("POST", "/v1/completions",
              [this](const net::HttpRequest& r) { return Complete(r, ApiEndpoint::kCompletions); });
  http.Handle("GET", "/v1/models", [this](const net::HttpRequest&) {
    nlohmann::json data = nlohmann::json::array();
    for (const auto& m : Models()) {
      for (ApiServer* api : m->Apis()) data.push_back(api->ModelEntry());
    }
    return JsonResponse(200, {{"object", "list"}, {"data", std::move(data)}});
  });
  http.Handle("GET", "/stats", [this](const net::HttpRequest&) {
    const auto models = Models();
    nlohmann::json out = models.empty() ? nlohmann::json::object() : models.front()->api->StatsJson();
    out["models"] = nlohmann::json::object();
    for (const auto& m : models) {
      for (ApiServer* api : m->Apis()) out["models"][api->model_id()] = api->StatsJson();
    }
    return JsonResponse(200, out);
  });
  if (!admin) return;
  http.Handle("GET", "/admin/models", [this](const net::HttpRequest&) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& m : Models()) {
      const SchedulerOptions& s = m->config.scheduler;
      list.push_back({{"name", m->config.name}, {"path", m->config.path}, {"context", s.context},
                      {"parallel", s.parallel}, {"threads", s.threads}, {"batch", s.batch},
                      {"max_queue", s.max_queue}, {"kv_cache_type", s.kv_cache_type},
                      {"prefix_cache", s.prefix_cache}});
      nlohmann::json adapters = nlohmann::json::array();
      for (const auto& a : m->config.adapters) adapters.push_back({{"name", a.name}, {"path", a.path}, {"scale", a.scale}});
      list.back()["lora"] = std::move(adapters);
    }
    return JsonResponse(200, {{"models", std::move(list)}});
  });
  http.Handle("POST", "/admin/models", [this](const net::HttpRequest& r) { return AdminPut(r); });
  http.Handle("POST", "/admin/models/remove", [this](const net::HttpRequest& r) { return AdminRemove(r); });
}

net::HttpResponse ModelRouter::AdminPut(const net::HttpRequest& request) {
  auto config = ModelConfigFromJson(request.body);
  if (!config.ok()) return ErrorResponse({config.status(), "", ""});
  const bool replacing = Find(config->name) != nullptr;
  auto served = LoadServedModel(*config, api_options_);
  if (!served.ok()) return ErrorResponse({served.status(), "path", "model_load_failed"});
  Put(std::move(*served));
  return JsonResponse(200, {{"name", config->name}, {"status", replacing ? "replaced" : "added"}});
}

net::HttpResponse ModelRouter::AdminRemove(const net::HttpRequest& request) {
  auto body = ParseJsonBody(request.body, 4);
  if (!body.ok()) return ErrorResponse({body.status(), "", "invalid_json"});
  if (!body->is_object() || !body->contains("name") || !(*body)["name"].is_string()) {
    return ErrorResponse({Status::InvalidArgument("the body must be {\"name\": \"<model>\"}"), "name", ""});
  }
  const std::string name = (*body)["name"].get<std::string>();
  if (Status s = Remove(name); !s.ok()) return ErrorResponse({s, "name", ""});
  return JsonResponse(200, {{"name", name}, {"status", "removed"}});
}

}  // namespace kolibri::server
