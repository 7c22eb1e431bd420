// ModelRouter: several models behind one OpenAI API, changeable while serving.
//
// Each served model is a ServedModel — its Model, its Scheduler (one llama.cpp context) and
// the ApiServer over it — held by shared_ptr. A request takes a reference to the model it
// names (the body's "model"; absent: the default, the first one added) for its whole life,
// streams included, so replacing or removing a model never disturbs requests running on it:
// they finish on the old instance, which is freed after the last one; new requests go to the
// new one. A "model" naming no served model is 404 (code "model_not_found"). A model's LoRA
// adapters are served as "<model>:<adapter>" (listed in /v1/models), each on a context of
// its own that shares the model's weights.
//
// Routes: POST /v1/chat/completions, POST /v1/completions, GET /v1/models (all models),
// GET /stats ({"models": {name: ApiServer stats}}). With `admin`: POST /admin/models (body:
// a models[] entry of the configuration as JSON, serve_config.h) loads a model and adds it
// or replaces the one of that name; POST /admin/models/remove {"name": ...} removes one
// (not the last); GET /admin/models lists their settings.
//
// Metrics: one collector refreshes every live model's gauges (ApiServer::CollectMetrics).
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kolibri/metrics.h"
#include "kolibri/model.h"
#include "kolibri/scheduler.h"
#include "net/http_server.h"
#include "server/api_server.h"
#include "server/serve_config.h"

namespace kolibri::server {

// One LoRA adapter of a served model: a scheduler (context) of its own over the same
// weights, with the adapter applied; clients name it "<model>:<adapter>".
struct ServedAdapter {
  std::string name;
  std::unique_ptr<Scheduler> scheduler;  // declared before api: destroyed after it
  std::unique_ptr<ApiServer> api;
};

struct ServedModel {
  ModelConfig config;
  std::shared_ptr<Model> model;
  std::unique_ptr<Scheduler> scheduler;  // declared before api: destroyed after it
  std::unique_ptr<ApiServer> api;
  std::vector<ServedAdapter> adapters;   // config.adapters, in order
  ~ServedModel();  // cancels what still runs on it (nothing, once no request holds it)

  // The base model's API followed by its adapters'.
  std::vector<ApiServer*> Apis() const;
  // The API serving `adapter` ("" = the base model), or null.
  ApiServer* Api(const std::string& adapter) const;
};

// Loads `config`'s model, creates its scheduler and API. `api_options` gives the limits and
// metrics registry; its model_id is replaced by config.name.
Result<std::shared_ptr<ServedModel>> LoadServedModel(const ModelConfig& config, ApiServerOptions api_options);

class ModelRouter {
 public:
  // `metrics` may be null; it must outlive the router. `api_options` is used for models the
  // admin endpoint loads.
  ModelRouter(MetricsRegistry* metrics, ApiServerOptions api_options);

  void RegisterRoutes(net::HttpServer& http, bool admin);

  // Adds `model`, or replaces the one with its name. The first model added is the default
  // until it is removed (then the oldest remaining one).
  void Put(std::shared_ptr<ServedModel> model);
  // FailedPrecondition for the last model; NotFound for an unknown name.
  Status Remove(const std::string& name);
  std::shared_ptr<ServedModel> Find(const std::string& name) const;  // "" → the default
  std::vector<std::shared_ptr<ServedModel>> Models() const;

  // Every model's API refuses new completions (503) / cancels what runs.
  void StartDraining();
  void CancelAll();
  // "" when every model's admission queue is below its limit, else which is full.
  std::string QueueFullReason() const;
  uint64_t completions() const;

 private:
  net::HttpResponse Complete(const net::HttpRequest& request, ApiEndpoint endpoint);
  net::HttpResponse AdminPut(const net::HttpRequest& request);
  net::HttpResponse AdminRemove(const net::HttpRequest& request);

  MetricsRegistry* metrics_;
  ApiServerOptions api_options_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<ServedModel>> models_;  // order added; front = default
  bool draining_ = false;
  uint64_t retired_completions_ = 0;  // of models replaced or removed
};

}  // namespace kolibri::server
