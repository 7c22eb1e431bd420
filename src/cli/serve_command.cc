// `kolibri serve --model M` or `kolibri serve --config FILE.yaml`: the OpenAI-compatible
// HTTP server (server/serve_config.h documents the file; the flags describe one model).
// The process itself — signals, drain, reload — is serve_runner.cc.
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/command.h"
#include "cli/serve_runner.h"
#include "kolibri/data_lifecycle.h"

namespace kolibri::cli {
namespace {

struct ServeCliOptions {
  std::string config_file;
  std::string model;
  std::string chat_template_file;
  std::string alias;
  bool no_prefix_cache = false;
  int verbose = 0;
  bool log_content = false;
  server::ServeConfig config;  // filled by the flags below
  std::vector<std::string> routers;    // TASK=FILE
  std::vector<std::string> upstreams;  // NAME=URL[#MODEL]
  std::vector<std::string> loras;      // NAME=FILE
};

Result<std::pair<std::string, std::string>> SplitAssignment(const std::string& text, const char* option) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    return Status::InvalidArgument(std::string(option) + " wants NAME=VALUE, got '" + text + "'");
  }
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

// The one-model configuration the flags describe.
Result<server::ServeConfig> ConfigFromFlags(const ServeCliOptions& o) {
  server::ServeConfig c = o.config;
  if (o.model.empty()) return Status::InvalidArgument("serve needs --model FILE.gguf or --config FILE.yaml");
  server::ModelConfig m;
  m.path = o.model;
  m.name = o.alias.empty() ? std::filesystem::path(o.model).stem().string() : o.alias;
  m.chat_template_file = o.chat_template_file;
  m.scheduler = o.config.models.empty() ? SchedulerOptions{} : o.config.models.front().scheduler;
  m.scheduler.prefix_cache = !o.no_prefix_cache;
  for (const auto& spec : o.loras) {
    KOLIBRI_ASSIGN_OR_RETURN(auto kv, SplitAssignment(spec, "--lora"));
    m.adapters.push_back({kv.first, kv.second, 1.0f});
  }
  c.models = {m};
  for (const auto& spec : o.routers) {
    KOLIBRI_ASSIGN_OR_RETURN(auto kv, SplitAssignment(spec, "--router"));
    c.tasks.routers[kv.first] = kv.second;
  }
  for (const auto& spec : o.upstreams) {
    KOLIBRI_ASSIGN_OR_RETURN(auto kv, SplitAssignment(spec, "--upstream"));
    c.tasks.upstreams[kv.first] = kv.second;
  }
  if (!c.tasks.retention.empty()) KOLIBRI_RETURN_IF_ERROR(ParseDurationMs(c.tasks.retention).status());
  KOLIBRI_RETURN_IF_ERROR(server::ResolveApiKeys(&c));
  return c;
}

}  // namespace

void RegisterServeCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<ServeCliOptions>();
  o->config.models.emplace_back();  // holds the scheduler flags
  SchedulerOptions& s = o->config.models.front().scheduler;
  server::LimitsConfig& limits = o->config.limits;
  CLI::App* cmd = root.add_subcommand("serve", "Serve models over an OpenAI-compatible HTTP API");
  cmd->add_option("--config", o->config_file,
                  "YAML configuration: several models, tasks, API keys, limits (see README); re-read on SIGHUP");
  cmd->add_option("-m,--model", o->model, "Path to a .gguf model (the one-model case without --config)");
  cmd->add_option("-c,--ctx", s.context, "KV-cache tokens shared by all parallel sequences")
      ->capture_default_str()->check(CLI::Range(16, 1 << 24));
  cmd->add_option("--parallel,--np", s.parallel, "Sequences decoded concurrently")
      ->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("-t,--threads", s.threads, "Threads, 0 = all cores")->capture_default_str()->check(CLI::Range(0, 1024));
  cmd->add_option("-b,--batch", s.batch, "Tokens per llama_decode call")
      ->capture_default_str()->check(CLI::Range(1, 1 << 16));
  cmd->add_option("--max-queue", s.max_queue, "Requests waiting beyond --parallel; more get 503 with Retry-After")
      ->capture_default_str()->check(CLI::Range(0, 1 << 16));
  cmd->add_option("--flash-attn", s.flash_attn,
                  "Flash attention: auto (llama.cpp's choice; on for a quantized KV cache), on or off")
      ->capture_default_str()->check(CLI::IsMember({"auto", "on", "off"}));
  cmd->add_option("--kv-cache-type", s.kv_cache_type, "KV-cache type: f16, q8_0 or q4_0")
      ->capture_default_str()->check(CLI::IsMember({"f16", "q8_0", "q4_0"}));
  cmd->add_option("--host", o->config.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", o->config.port, "Port to listen on, 0 = any free port")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--chat-template", o->chat_template_file, "Jinja chat template file (overrides the model's)");
  cmd->add_option("--alias", o->alias, "Model name in /v1/models and responses (default: file name)");
  cmd->add_flag("--no-prefix-cache", o->no_prefix_cache, "Do not reuse cached prompt prefixes (for measurement)");
  cmd->add_option("--cache-unshared-cells", s.prefix_cache_unshared_cells,
                  "KV cells kept for prompt tails no other prompt has shared yet (-1: ctx/4; tails idle "
                  "for 4 x parallel prompts go too); shared prefixes stay until memory runs short")
      ->capture_default_str()->check(CLI::Range(-1, 1 << 24));
  cmd->add_flag("-v,--verbose", o->verbose, "Show llama.cpp's log (-v warnings, -vv everything)");
  cmd->add_option("--tasks", o->config.tasks.file, "Task file (YAML): serves POST /v1/tasks/{name} through the cascade");
  cmd->add_option("--router", o->routers, "TASK=FILE: a tier-0 classifier (kolibri train-router) for a classify task");
  cmd->add_option("--upstream", o->upstreams,
                  "NAME=URL[#MODEL]: an OpenAI-compatible endpoint the tasks' escalation lists may name "
                  "(API key from $KOLIBRI_UPSTREAM_API_KEY)");
  cmd->add_option("--review-db", o->config.tasks.review_db,
                  "Review queue (the 'human' tier): SQLite file or postgresql:// URI");
  cmd->add_option("--audit-db", o->config.tasks.audit_db,
                  "Audit log (one entry per tier decision): SQLite file or postgresql:// URI");
  cmd->add_option("--retention", o->config.tasks.retention,
                  "Keep audit entries and resolved review items this long (30d, 12h); pruned hourly");
  cmd->add_option("--embedding-model", o->config.embedding_model,
                  "An embedding GGUF (e.g. bge): serves POST /v1/embeddings, and answer tasks retrieve by "
                  "BM25 and vectors (it must be the model their index was embedded with)");
  cmd->add_option("--api-key-file", o->config.api_key_file,
                  "File of API keys, one a line: every endpoint but /health and /ready then wants "
                  "'Authorization: Bearer KEY' (re-read on SIGHUP)");
  cmd->add_flag("--metrics-public", o->config.metrics_public, "Serve /metrics without an API key");
  cmd->add_flag("--admin", o->config.admin, "Serve POST /admin/models and /admin/models/remove (add/replace/remove)");
  cmd->add_option("--rate-limit", limits.rate_limit, "Requests per second per API key (or client address); 0 = none")
      ->capture_default_str()->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--rate-burst", limits.rate_burst, "Burst above --rate-limit; 0 = max(1, rate)")
      ->capture_default_str()->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--max-connections", limits.max_connections,
                  "Connections served at once, idle keep-alive ones included (a thread each); more wait")
      ->capture_default_str()->check(CLI::Range(8, 1 << 16));
  cmd->add_option("--max-body-bytes", limits.max_body_bytes, "Larger request bodies get 413")
      ->capture_default_str()->check(CLI::Range(static_cast<size_t>(1024), static_cast<size_t>(1) << 32));
  cmd->add_option("--max-prompt-tokens", limits.max_prompt_tokens, "Longer prompts get 400; 0 = the context")
      ->capture_default_str()->check(CLI::Range(0, 1 << 24));
  cmd->add_option("--max-tokens-limit", limits.max_completion_tokens, "Larger max_tokens get 400; 0 = the context")
      ->capture_default_str()->check(CLI::Range(0, 1 << 24));
  cmd->add_option("--request-timeout", limits.request_timeout_s, "Seconds a completion may run (then 504); 0 = none")
      ->capture_default_str()->check(CLI::Range(0.0, 86400.0));
  cmd->add_option("--drain-timeout", limits.drain_timeout_s,
                  "Seconds requests in flight get to finish after SIGTERM before they are cancelled")
      ->capture_default_str()->check(CLI::Range(0.0, 86400.0));
  cmd->add_option("--read-timeout", limits.read_timeout_s, "Seconds per socket read before a slow client is dropped")
      ->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--lora", o->loras,
                  "NAME=FILE: a LoRA adapter requests select with \"model\": \"<model>:NAME\" (one more context each)");
  cmd->add_flag("--log-content", o->log_content, "Debugging: log request bodies (prompts, mail) — never in production");
  cmd->callback([run, o] {
    *run = [o]() -> Status {
      ServeRunOptions r;
      r.config_file = o->config_file;
      r.verbose = o->verbose;
      r.log_content = o->log_content;
      if (!o->config_file.empty()) {
        if (!o->model.empty()) return Status::InvalidArgument("--config and --model exclude each other");
        KOLIBRI_ASSIGN_OR_RETURN(r.config, server::LoadServeConfig(o->config_file));
      } else {
        KOLIBRI_ASSIGN_OR_RETURN(r.config, ConfigFromFlags(*o));
      }
      return RunServe(std::move(r));
    };
  });
}

}  // namespace kolibri::cli
