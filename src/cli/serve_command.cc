// `kolibri serve --model M`: the OpenAI-compatible HTTP server. One scheduler (one
// llama.cpp context, continuous batching, prefix cache) behind the server module's API.
// SIGINT/SIGTERM drain: stop accepting, let requests in flight finish; a second signal
// cancels them. One stderr line per request (method, path, status, ms) — never contents.
#include <pthread.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli/command.h"
#include "kolibri/engine_info.h"
#include "kolibri/model.h"
#include "kolibri/scheduler.h"
#include "net/http_server.h"
#include "kolibri/audit_log.h"
#include "kolibri/cascade.h"
#include "kolibri/data_lifecycle.h"
#include "kolibri/review_queue.h"
#include "kolibri/tasks/task_runner.h"
#include "kolibri/tier0_classifier.h"
#include "kolibri/embedder.h"
#include "server/api_server.h"
#include "server/embeddings_api.h"
#include "server/task_api.h"

namespace kolibri::cli {
namespace {

struct ServeCliOptions {
  std::string model;
  std::string chat_template_file;
  std::string alias;
  std::string host = "127.0.0.1";
  int port = 8080;
  bool no_prefix_cache = false;
  int verbose = 0;
  SchedulerOptions scheduler;
  // POST /v1/tasks/{name}
  std::string tasks_file;
  std::vector<std::string> routers;    // TASK=FILE
  std::vector<std::string> upstreams;  // NAME=URL[#MODEL]
  std::string review_db;
  std::string audit_db;
  std::string embedding_model;  // POST /v1/embeddings
  std::string retention;        // e.g. "30d": prune review queue and audit log hourly; "" = keep
};

// Everything POST /v1/tasks needs, alive as long as the server.
struct TaskServing {
  tasks::TaskFile file;
  std::vector<std::unique_ptr<Tier0Classifier>> routers;
  std::unique_ptr<tasks::TaskRunner> runner;
  std::unique_ptr<ReviewQueue> review;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<Cascade> cascade;
  std::unique_ptr<server::TaskApi> api;
  std::unique_ptr<RetentionSweeper> sweeper;  // declared last: stops before the stores go
};

Result<std::pair<std::string, std::string>> SplitAssignment(const std::string& text, const char* option) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    return Status::InvalidArgument(std::string(option) + " wants NAME=VALUE, got '" + text + "'");
  }
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

Result<std::unique_ptr<TaskServing>> SetUpTasks(const ServeCliOptions& o, Scheduler& scheduler,
                                                std::shared_ptr<Embedder> embedder) {
  auto t = std::make_unique<TaskServing>();
  KOLIBRI_ASSIGN_OR_RETURN(t->file, tasks::LoadTaskFile(o.tasks_file));
  CascadeResources r;
  for (const auto& spec : o.routers) {
    KOLIBRI_ASSIGN_OR_RETURN(auto kv, SplitAssignment(spec, "--router"));
    KOLIBRI_RETURN_IF_ERROR(t->file.Find(kv.first).status());
    KOLIBRI_ASSIGN_OR_RETURN(Tier0Classifier c, Tier0Classifier::Load(kv.second));
    t->routers.push_back(std::make_unique<Tier0Classifier>(std::move(c)));
    r.tier0_by_task[kv.first] = t->routers.back().get();
  }
  for (const auto& spec : o.upstreams) {
    KOLIBRI_ASSIGN_OR_RETURN(auto kv, SplitAssignment(spec, "--upstream"));
    UpstreamEndpoint ep;
    ep.base_url = kv.second.substr(0, kv.second.find('#'));
    ep.model = kv.second.find('#') == std::string::npos ? "" : kv.second.substr(kv.second.find('#') + 1);
    if (const char* key = std::getenv("KOLIBRI_UPSTREAM_API_KEY"); key != nullptr) ep.api_key = key;
    r.upstreams[kv.first] = ep;
  }
  tasks::TaskRunnerOptions runner_options;
  runner_options.embedder = std::move(embedder);  // answer tasks: hybrid retrieval
  t->runner = std::make_unique<tasks::TaskRunner>(scheduler, runner_options);
  r.slm = t->runner.get();
  r.slm_model = o.alias.empty() ? o.model : o.alias;
  if (!o.review_db.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(t->review, ReviewQueue::Open(o.review_db));
    r.review = t->review.get();
  }
  if (!o.audit_db.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(t->audit, AuditLog::Open(o.audit_db));
    r.audit = t->audit.get();
  }
  if (!o.retention.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(const int64_t period, ParseDurationMs(o.retention));
    constexpr int64_t kSweepIntervalMs = 3600 * 1000;
    t->sweeper = std::make_unique<RetentionSweeper>(
        RetentionPolicy{.audit_ms = period, .review_ms = period}, StoreSet{t->review.get(), t->audit.get(), nullptr},
        kSweepIntervalMs, [](const Result<PruneReport>& p) {
          if (!p.ok()) std::fprintf(stderr, "kolibri: retention: %s\n", p.status().ToString().c_str());
        });
  }
  t->cascade = std::make_unique<Cascade>(std::move(r));
  t->api = std::make_unique<server::TaskApi>(t->file, *t->cascade);
  return t;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("chat template file '" + path + "' not found");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().empty()) return Status::InvalidArgument("chat template file '" + path + "' is empty");
  return text.str();
}

// HTTP workers: every request in flight (running or queued in the scheduler) holds one
// until it ends, so the pool grows up to parallel + max_queue plus room for /health and
// /v1/models; `workers` threads stay ready for the usual load.
net::HttpServerOptions HttpOptions(const ServeCliOptions& o) {
  net::HttpServerOptions h;
  h.host = o.host;
  h.port = o.port;
  h.workers = 2 * o.scheduler.parallel + 8;
  h.max_workers = o.scheduler.parallel + o.scheduler.max_queue + 8;
  h.max_queued_connections = 512;
  h.error_body = &server::ApiServer::TransportErrorBody;
  h.access_log = [](const net::AccessLogEntry& e) {
    std::fprintf(stderr, "kolibri: %s %s %d %.1f ms%s\n", e.method.c_str(), e.path.c_str(), e.status, e.ms,
                 e.client_gone ? " (client gone)" : "");
  };
  return h;
}

Status RunServe(const ServeCliOptions& o) {
  // Block the shutdown signals before any thread exists, so that every thread inherits
  // the mask and only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  SetLlamaLogVerbosity(o.verbose);
  ModelOptions model_options;
  if (!o.chat_template_file.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(model_options.chat_template, ReadFile(o.chat_template_file));
  }
  KOLIBRI_ASSIGN_OR_RETURN(std::shared_ptr<Model> model, Model::Load(o.model, model_options));
  if (!model->has_chat_template()) {
    std::fprintf(stderr, "kolibri: warning: '%s' has no chat template; /v1/chat/completions answers 400 "
                 "until one is given with --chat-template FILE (/v1/completions works)\n", o.model.c_str());
  }
  SchedulerOptions scheduler_options = o.scheduler;
  scheduler_options.prefix_cache = !o.no_prefix_cache;
  KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<Scheduler> scheduler, Scheduler::Create(model, scheduler_options));

  server::ApiServerOptions api_options;
  api_options.model_id = o.alias;
  server::ApiServer api(*scheduler, api_options);
  api.WarmupStructuredOutput();
  net::HttpServer http(HttpOptions(o));
  api.RegisterRoutes(http);
  std::shared_ptr<Embedder> embedder;
  std::unique_ptr<server::EmbeddingsApi> embeddings_api;
  if (!o.embedding_model.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(std::shared_ptr<Model> em, Model::Load(o.embedding_model, ModelOptions{}));
    KOLIBRI_ASSIGN_OR_RETURN(embedder, Embedder::Create(em, EmbedderOptions{.threads = o.scheduler.threads}));
    embeddings_api = std::make_unique<server::EmbeddingsApi>(*embedder, em->path());
    embeddings_api->RegisterRoutes(http);
  }
  std::unique_ptr<TaskServing> task_serving;
  if (!o.tasks_file.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(task_serving, SetUpTasks(o, *scheduler, embedder));
    task_serving->api->RegisterRoutes(http);
  }
  KOLIBRI_RETURN_IF_ERROR(http.Start());
  std::fprintf(stderr, "kolibri: serving '%s' as '%s' on http://%s:%d (ctx %d, parallel %d, prefix cache %s)\n",
               o.model.c_str(), api.model_id().c_str(), o.host.c_str(), http.port(), scheduler_options.context,
               scheduler_options.parallel, scheduler_options.prefix_cache ? "on" : "off");

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::fprintf(stderr, "kolibri: %s: draining (send it again to cancel requests in flight)\n",
               signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  api.StartDraining();
  std::atomic<bool> stopped{false};
  std::thread stopper([&http, &stopped] {
    http.Stop();
    stopped = true;
  });
  // A second signal while the drain runs cancels what is still generating.
  std::thread canceller([&signals, &api, &stopped] {
    int second = 0;
    if (sigwait(&signals, &second) == 0 && !stopped) {
      std::fprintf(stderr, "kolibri: cancelling requests in flight\n");
      api.CancelAll();
    }
  });
  stopper.join();
  // Wake the canceller if no second signal came: the signal is blocked in every thread, so
  // its sigwait consumes it and, seeing `stopped`, cancels nothing.
  pthread_kill(canceller.native_handle(), SIGTERM);
  canceller.join();
  std::fprintf(stderr, "kolibri: stopped (%llu completion requests)\n",
               static_cast<unsigned long long>(api.counters().completions));
  return Status::Ok();
}

}  // namespace

void RegisterServeCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<ServeCliOptions>();
  CLI::App* cmd = root.add_subcommand("serve", "Serve a model over an OpenAI-compatible HTTP API");
  cmd->add_option("-m,--model", o->model, "Path to a .gguf model")->required();
  cmd->add_option("-c,--ctx", o->scheduler.context, "KV-cache tokens shared by all parallel sequences")
      ->capture_default_str()->check(CLI::Range(16, 1 << 24));
  cmd->add_option("--parallel,--np", o->scheduler.parallel, "Sequences decoded concurrently")
      ->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("-t,--threads", o->scheduler.threads, "Threads, 0 = all cores")
      ->capture_default_str()->check(CLI::Range(0, 1024));
  cmd->add_option("-b,--batch", o->scheduler.batch, "Tokens per llama_decode call")
      ->capture_default_str()->check(CLI::Range(1, 1 << 16));
  cmd->add_option("--max-queue", o->scheduler.max_queue, "Requests waiting beyond --parallel; more get 503")
      ->capture_default_str()->check(CLI::Range(0, 1 << 16));
  cmd->add_option("--host", o->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", o->port, "Port to listen on, 0 = any free port")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--chat-template", o->chat_template_file, "Jinja chat template file (overrides the model's)");
  cmd->add_option("--alias", o->alias, "Model name in /v1/models and responses (default: file name)");
  cmd->add_flag("--no-prefix-cache", o->no_prefix_cache, "Do not reuse cached prompt prefixes (for measurement)");
  cmd->add_flag("-v,--verbose", o->verbose, "Show llama.cpp's log (-v warnings, -vv everything)");
  cmd->add_option("--tasks", o->tasks_file, "Task file (YAML): serves POST /v1/tasks/{name} through the cascade");
  cmd->add_option("--router", o->routers, "TASK=FILE: a tier-0 classifier (kolibri train-router) for a classify task");
  cmd->add_option("--upstream", o->upstreams,
                  "NAME=URL[#MODEL]: an OpenAI-compatible endpoint the tasks' escalation lists may name "
                  "(API key from $KOLIBRI_UPSTREAM_API_KEY)");
  cmd->add_option("--review-db", o->review_db, "Review queue (the 'human' tier): SQLite file or postgresql:// URI");
  cmd->add_option("--audit-db", o->audit_db, "Audit log (one entry per tier decision): SQLite file or postgresql:// URI");
  cmd->add_option("--retention", o->retention,
                  "Keep audit entries and resolved review items this long (30d, 12h); pruned hourly");
  cmd->add_option("--embedding-model", o->embedding_model,
                  "An embedding GGUF (e.g. bge): serves POST /v1/embeddings, and answer tasks retrieve by "
                  "BM25 and vectors (it must be the model their index was embedded with)");
  cmd->callback([run, o] { *run = [o] { return RunServe(*o); }; });
}

}  // namespace kolibri::cli
