#include "cli/serve_runner.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "kolibri/audit_log.h"
#include "kolibri/cascade.h"
#include "kolibri/data_lifecycle.h"
#include "kolibri/embedder.h"
#include "kolibri/engine_info.h"
#include "kolibri/metrics.h"
#include "kolibri/review_queue.h"
#include "kolibri/tasks/task_runner.h"
#include "kolibri/tier0_classifier.h"
#include "net/http_server.h"
#include "server/embeddings_api.h"
#include "server/json_log.h"
#include "server/model_router.h"
#include "server/request_gate.h"
#include "server/task_api.h"

namespace kolibri::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds Ms(double seconds) { return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)); }

// Everything POST /v1/tasks needs, alive as long as the server. Pins the model it runs on.
struct TaskServing {
  std::shared_ptr<server::ServedModel> model;
  tasks::TaskFile file;
  std::vector<std::unique_ptr<Tier0Classifier>> routers;
  std::unique_ptr<tasks::TaskRunner> runner;
  std::unique_ptr<ReviewQueue> review;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<Cascade> cascade;
  std::unique_ptr<server::TaskApi> api;
  std::unique_ptr<RetentionSweeper> sweeper;  // declared last: stops before the stores go
};

Result<std::unique_ptr<TaskServing>> SetUpTasks(const server::TasksConfig& c, std::shared_ptr<server::ServedModel> model,
                                                 MetricsRegistry* metrics, server::JsonLog* log) {
  auto t = std::make_unique<TaskServing>();
  t->model = std::move(model);
  KOLIBRI_ASSIGN_OR_RETURN(t->file, tasks::LoadTaskFile(c.file));
  CascadeResources r;
  for (const auto& [task, file] : c.routers) {
    KOLIBRI_RETURN_IF_ERROR(t->file.Find(task).status());
    KOLIBRI_ASSIGN_OR_RETURN(Tier0Classifier classifier, Tier0Classifier::Load(file));
    t->routers.push_back(std::make_unique<Tier0Classifier>(std::move(classifier)));
    r.tier0_by_task[task] = t->routers.back().get();
  }
  for (const auto& [name, url] : c.upstreams) {
    UpstreamEndpoint ep;
    ep.base_url = url.substr(0, url.find('#'));
    ep.model = url.find('#') == std::string::npos ? "" : url.substr(url.find('#') + 1);
    if (const char* key = std::getenv("KOLIBRI_UPSTREAM_API_KEY"); key != nullptr) ep.api_key = key;
    r.upstreams[name] = ep;
  }
  t->runner = std::make_unique<tasks::TaskRunner>(*t->model->scheduler);
  r.slm = t->runner.get();
  r.slm_model = t->model->config.name;
  if (!c.review_db.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(t->review, ReviewQueue::Open(c.review_db));
    r.review = t->review.get();
  }
  if (!c.audit_db.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(t->audit, AuditLog::Open(c.audit_db));
    r.audit = t->audit.get();
  }
  if (!c.retention.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(const int64_t period, ParseDurationMs(c.retention));
    constexpr int64_t kSweepIntervalMs = 3600 * 1000;
    t->sweeper = std::make_unique<RetentionSweeper>(
        RetentionPolicy{.audit_ms = period, .review_ms = period}, StoreSet{t->review.get(), t->audit.get(), nullptr},
        kSweepIntervalMs, [log](const Result<PruneReport>& p) {
          if (!p.ok()) log->Warn("retention sweep failed", {{"error", p.status().ToString()}});
        });
  }
  t->cascade = std::make_unique<Cascade>(std::move(r));
  t->api = std::make_unique<server::TaskApi>(t->file, *t->cascade, server::TaskApiOptions{.metrics = metrics});
  return t;
}

server::RequestGateOptions GateOptions(const server::ServeConfig& c) {
  server::RequestGateOptions g;
  g.api_keys = c.api_keys;
  g.metrics_public = c.metrics_public;
  g.rate_per_second = c.limits.rate_limit;
  g.burst = c.limits.rate_burst;
  return g;
}

server::ApiServerOptions ApiOptions(const server::ServeConfig& c, MetricsRegistry* metrics) {
  server::ApiServerOptions a;
  a.max_prompt_tokens = c.limits.max_prompt_tokens;
  a.max_completion_tokens = c.limits.max_completion_tokens;
  a.request_timeout = Ms(c.limits.request_timeout_s);
  a.metrics = metrics;
  return a;
}

// HTTP workers: a worker serves one connection at a time, for as long as the client keeps
// it alive (an idle keep-alive connection pins one until keep_alive_timeout). Every request
// in flight (running or queued in a scheduler) holds one until it ends, so the pool grows up
// to max_connections, and at least the models' parallel + max_queue plus room for probes —
// otherwise idle connections would make new ones wait instead of getting a quick 503.
net::HttpServerOptions HttpOptions(const server::ServeConfig& c, server::JsonLog& log) {
  int parallel = 0, queue = 0;
  for (const auto& m : c.models) {
    parallel += m.scheduler.parallel;
    queue += m.scheduler.max_queue;
  }
  net::HttpServerOptions h;
  h.host = c.host;
  h.port = c.port;
  h.workers = 2 * parallel + 8;
  h.max_workers = std::max(parallel + queue + 16, c.limits.max_connections);
  h.max_queued_connections = 512;
  h.max_body_bytes = c.limits.max_body_bytes;
  h.read_timeout = Ms(c.limits.read_timeout_s);
  h.error_body = &server::ApiServer::TransportErrorBody;
  h.access_log = [&log](const net::AccessLogEntry& e) { log.Access(e); };
  return h;
}

// Brings the router's models in line with `config`: loads new and changed ones (replacing
// by name), then removes those no longer configured.
Status ApplyModels(const server::ServeConfig& config, server::ModelRouter& router, MetricsRegistry& metrics,
                   server::JsonLog& log) {
  std::set<std::string> wanted;
  for (const auto& m : config.models) {
    wanted.insert(m.name);
    auto current = router.Find(m.name);
    if (current != nullptr && current->config == m) continue;
    auto served = server::LoadServedModel(m, ApiOptions(config, &metrics));
    if (!served.ok()) {
      return Status(served.status().code(), (m.where.empty() ? "" : m.where + ": ") + "model '" + m.name +
                                                "': " + served.status().message());
    }
    router.Put(std::move(*served));
    log.Info(current ? "model replaced" : "model loaded",
             {{"model", m.name}, {"path", m.path}, {"ctx", m.scheduler.context}, {"parallel", m.scheduler.parallel},
              {"kv_cache_type", m.scheduler.kv_cache_type}, {"lora_adapters", m.adapters.size()}});
  }
  for (const auto& served : router.Models()) {
    if (wanted.count(served->config.name)) continue;
    KOLIBRI_RETURN_IF_ERROR(router.Remove(served->config.name));
    log.Info("model removed", {{"model", served->config.name}});
  }
  return Status::Ok();
}

void Reload(const ServeRunOptions& o, server::RequestGate& gate, server::ModelRouter& router,
            MetricsRegistry& metrics, server::JsonLog& log) {
  server::ServeConfig config = o.config;
  if (!o.config_file.empty()) {
    auto loaded = server::LoadServeConfig(o.config_file);
    if (!loaded.ok()) {
      log.Warn("SIGHUP: configuration not reloaded, keeping the running one", {{"error", loaded.status().ToString()}});
      return;
    }
    config = std::move(*loaded);
    if (Status s = ApplyModels(config, router, metrics, log); !s.ok()) {
      log.Warn("SIGHUP: models not all applied", {{"error", s.ToString()}});
    }
  } else {
    config.api_keys.clear();
    if (Status s = server::ResolveApiKeys(&config); !s.ok()) {
      log.Warn("SIGHUP: API keys not reloaded, keeping the running ones", {{"error", s.ToString()}});
      return;
    }
  }
  gate.Reconfigure(GateOptions(config));
  log.Info("SIGHUP: configuration reloaded", {{"api_keys", config.api_keys.size()}, {"models", router.Models().size()}});
}

// Waits for in-flight API requests after a shutdown signal: until they are done, the drain
// timeout passed (then they are cancelled and given a few seconds to end), or a second
// signal came (cancelled at once).
void Drain(double timeout_s, sigset_t& signals, server::RequestGate& gate, server::ModelRouter& router,
           server::JsonLog& log) {
  auto deadline = Clock::now() + Ms(timeout_s);
  bool cancelled = false;
  auto cancel = [&](const char* why) {
    log.Warn("cancelling requests in flight", {{"reason", why}, {"in_flight", gate.in_flight()}});
    router.CancelAll();
    cancelled = true;
    deadline = Clock::now() + std::chrono::seconds(5);
  };
  while (gate.in_flight() > 0) {
    if (Clock::now() >= deadline) {
      if (cancelled) break;
      cancel("drain timeout");
    }
    timespec tick{0, 50 * 1000 * 1000};
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if ((sig == SIGINT || sig == SIGTERM) && !cancelled) cancel("second signal");
  }
}

}  // namespace

Status RunServe(ServeRunOptions o) {
  // Block the signals before any thread exists, so that every thread inherits the mask and
  // only the waits below receive them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::JsonLog log(stderr);
  SetLlamaLogVerbosity(o.verbose);
  const server::ServeConfig& config = o.config;
  MetricsRegistry metrics;
  server::ModelRouter router(&metrics, ApiOptions(config, &metrics));
  KOLIBRI_RETURN_IF_ERROR(ApplyModels(config, router, metrics, log));
  for (const auto& m : router.Models()) {
    if (!m->model->has_chat_template()) {
      log.Warn("the model has no chat template; /v1/chat/completions answers 400 for it until one is given "
               "(chat_template, --chat-template); /v1/completions works", {{"model", m->config.name}});
    }
  }
  server::RequestGate gate(GateOptions(config), metrics, [&router] { return router.QueueFullReason(); });
  net::HttpServerOptions http_options = HttpOptions(config, log);
  http_options.middleware = [&gate, &log, log_content = o.log_content](const net::HttpRequest& r,
                                                                       const net::HttpHandler& next) {
    if (log_content && !r.body.empty()) log.Write("debug", "request body", {{"request_id", r.request_id}, {"body", r.body}});
    return gate.Filter(r, next);
  };
  net::HttpServer http(std::move(http_options));
  gate.RegisterRoutes(http);
  router.RegisterRoutes(http, config.admin);
  std::unique_ptr<Embedder> embedder;
  std::unique_ptr<server::EmbeddingsApi> embeddings_api;
  if (!config.embedding_model.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(std::shared_ptr<Model> em, Model::Load(config.embedding_model, ModelOptions{}));
    KOLIBRI_ASSIGN_OR_RETURN(embedder, Embedder::Create(em, EmbedderOptions{.threads = config.models.front().scheduler.threads}));
    embeddings_api = std::make_unique<server::EmbeddingsApi>(*embedder, em->path());
    embeddings_api->RegisterRoutes(http);
  }
  std::unique_ptr<TaskServing> task_serving;
  if (!config.tasks.file.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(task_serving, SetUpTasks(config.tasks, router.Find(config.tasks.model), &metrics, &log));
    task_serving->api->RegisterRoutes(http);
  }
  KOLIBRI_RETURN_IF_ERROR(http.Start());
  const std::string url = "http://" + config.host + ":" + std::to_string(http.port());
  const auto& first = *router.Find("");
  log.Info("kolibri: serving '" + first.config.path + "' as '" + first.config.name + "' on " + url,
           {{"url", url}, {"models", router.Models().size()}, {"ctx", first.config.scheduler.context},
            {"parallel", first.config.scheduler.parallel}, {"prefix_cache", first.config.scheduler.prefix_cache},
            {"api_keys", config.api_keys.size()}, {"admin", config.admin}});

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) Reload(o, gate, router, metrics, log);
  log.Info(std::string("kolibri: ") + (signal_number == SIGINT ? "SIGINT" : "SIGTERM") +
               ": draining (send it again to cancel requests in flight)",
           {{"in_flight", gate.in_flight()}, {"drain_timeout_s", config.limits.drain_timeout_s}});
  gate.StartDraining();
  router.StartDraining();
  Drain(config.limits.drain_timeout_s, signals, gate, router, log);
  http.Stop();
  log.Info("kolibri: stopped", {{"completion_requests", router.completions()}});
  return Status::Ok();
}

}  // namespace kolibri::cli
