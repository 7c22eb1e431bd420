// ServeConfig: everything `kolibri serve` runs — models, tasks, API keys, limits, the listen
// address — read from a YAML file (`kolibri serve --config FILE`) or built from flags.
//
// File layout (every key optional except models[].name and models[].path; relative paths
// are relative to the file's folder; unknown keys are errors):
//
//   listen: {host: 127.0.0.1, port: 8080}
//   models:                      # the first is the default for requests naming no model
//     - name: small              # what clients send as "model"
//       path: models/small.gguf
//       context: 4096            # KV-cache tokens shared by the parallel sequences
//       parallel: 4
//       threads: 0               # 0: all cores
//       batch: 512
//       max_queue: 64            # admission queue beyond `parallel`; then 503 + Retry-After
//       kv_cache_type: f16       # f16 | q8_0 | q4_0
//       prefix_cache: true
//       chat_template: tmpl.jinja
//       lora:                    # adapters a request selects with "model": "small:formal"
//         - {name: formal, path: formal.gguf, scale: 1.0}   # one more context each
//   tasks:
//     file: tasks.yaml
//     model: small               # default: the first model
//     routers: {route: route.router}
//     upstreams: {big: "http://10.0.0.5:8080/v1#qwen-7b"}
//     review_db: review.db
//     audit_db: audit.db         # SQLite file or postgresql:// URI (so are review_db's)
//     retention: 30d             # prune audit entries and resolved review items hourly
//   embedding_model: bge.gguf
//   auth:
//     api_keys: [key-one]        # or api_key_file (one key a line); prefer the file
//     api_key_file: keys.txt
//     metrics_public: false
//   limits:
//     max_body_bytes: 8388608
//     max_connections: 128       # connections served at once (idle keep-alive ones too);
//                                # at least the models' parallel + max_queue + 16
//     max_prompt_tokens: 0       # 0: the model's context
//     max_tokens: 0              # cap on a request's max_tokens; 0: the context
//     request_timeout_s: 0       # 0: none
//     rate_limit: 0              # requests/s per key; 0: none
//     rate_burst: 0
//     read_timeout_s: 10
//     drain_timeout_s: 30
//   admin: false                 # true: POST /admin/models (add/replace), /admin/models/remove
//
// Errors are InvalidArgument naming FILE:LINE:COLUMN and the key; NotFound for a missing
// file. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kolibri/scheduler.h"
#include "kolibri/status.h"

namespace kolibri::server {

// A LoRA adapter served beside its base model as "<model>:<name>" (a scheduler of its own
// over the same weights: llama.cpp applies adapters per context).
struct AdapterConfig {
  std::string name;
  std::string path;
  float scale = 1.0f;
  bool operator==(const AdapterConfig&) const = default;
};

struct ModelConfig {
  std::string name;
  std::string path;
  std::string chat_template_file;  // "" = the model's own
  SchedulerOptions scheduler;
  std::vector<AdapterConfig> adapters;
  std::string where;  // "FILE:LINE" of its entry ("" from flags), for messages

  bool operator==(const ModelConfig& other) const;  // same model and settings (not `where`)
};

struct TasksConfig {
  std::string file;   // "" = no task endpoints
  std::string model;  // "" = the first model
  std::map<std::string, std::string> routers;    // task → tier-0 classifier file
  std::map<std::string, std::string> upstreams;  // name → URL[#MODEL]
  std::string review_db;
  std::string audit_db;
  std::string retention;  // "" = keep everything; else a duration (30d, 12h)
};

struct LimitsConfig {
  size_t max_body_bytes = 8u << 20;
  int32_t max_connections = 128;
  int32_t max_prompt_tokens = 0;
  int32_t max_completion_tokens = 0;
  double request_timeout_s = 0;
  double rate_limit = 0;
  double rate_burst = 0;
  double read_timeout_s = 10;
  double drain_timeout_s = 30;
};

struct ServeConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::vector<ModelConfig> models;
  TasksConfig tasks;
  std::string embedding_model;
  std::vector<std::string> api_keys;
  std::string api_key_file;  // read into api_keys by LoadServeConfig / ResolveApiKeys
  bool metrics_public = false;
  LimitsConfig limits;
  bool admin = false;
};

// Reads and validates a configuration file (see above), api_key_file included.
Result<ServeConfig> LoadServeConfig(const std::string& path);
// Appends the keys of config->api_key_file (one a line, '#' comments) to config->api_keys.
Status ResolveApiKeys(ServeConfig* config);
// A model's settings from a JSON object with the same keys as a models[] entry (the admin
// endpoint's body).
Result<ModelConfig> ModelConfigFromJson(const std::string& json_text);

}  // namespace kolibri::server
