#include "server/serve_config.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "kolibri/duration.h"
#include "server/json_guard.h"

namespace kolibri::server {
namespace {

namespace fs = std::filesystem;

// Reads values out of YAML nodes, with errors located at FILE:LINE:COLUMN.
class Reader {
 public:
  Reader(std::string display, fs::path base_dir) : display_(std::move(display)), base_(std::move(base_dir)) {}

  Status Error(const YAML::Node& at, const std::string& message) const {
    const YAML::Mark m = at.Mark();
    if (m.line < 0) return Status::InvalidArgument(display_ + ": " + message);
    return Status::InvalidArgument(display_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) +
                                   ": " + message);
  }
  std::string Where(const YAML::Node& at) const {
    return at.Mark().line < 0 ? display_ : display_ + ":" + std::to_string(at.Mark().line + 1);
  }
  Status Keys(const YAML::Node& n, const std::set<std::string>& known, const std::string& where) const {
    if (!n.IsMap()) return Error(n, where + " must be a mapping");
    for (const auto& kv : n) {
      const std::string key = kv.first.as<std::string>();
      if (!known.count(key)) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        return Error(kv.first, "unknown key '" + key + "' in " + where + " (known: " + list + ")");
      }
    }
    return Status::Ok();
  }
  Status String(const YAML::Node& n, const std::string& what, std::string* out) const {
    if (!n) return Status::Ok();
    if (!n.IsScalar() || n.Scalar().empty()) return Error(n, what + " must be a non-empty string");
    *out = n.Scalar();
    return Status::Ok();
  }
  // A path, made absolute against the file's folder.
  Status Path(const YAML::Node& n, const std::string& what, std::string* out) const {
    if (!n) return Status::Ok();
    KOLIBRI_RETURN_IF_ERROR(String(n, what, out));
    if (fs::path(*out).is_relative() && !base_.empty()) *out = (base_ / *out).lexically_normal().string();
    return Status::Ok();
  }
  // A path as above, or a URI (postgresql://…) kept as it is.
  Status Location(const YAML::Node& n, const std::string& what, std::string* out) const {
    if (n && n.IsScalar() && n.Scalar().find("://") != std::string::npos) return String(n, what, out);
    return Path(n, what, out);
  }
  template <typename T>
  Status Int(const YAML::Node& n, const std::string& what, int64_t lo, int64_t hi, T* out) const {
    if (!n) return Status::Ok();
    int64_t v = 0;
    if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v)) return Error(n, what + " must be an integer");
    if (v < lo || v > hi) {
      return Error(n, what + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                          std::to_string(v));
    }
    *out = static_cast<T>(v);
    return Status::Ok();
  }
  Status Number(const YAML::Node& n, const std::string& what, double lo, double hi, double* out) const {
    if (!n) return Status::Ok();
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v) || v < lo || v > hi) {
      return Error(n, what + " must be a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    *out = v;
    return Status::Ok();
  }
  Status Bool(const YAML::Node& n, const std::string& what, bool* out) const {
    if (!n) return Status::Ok();
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, *out)) return Error(n, what + " must be true or false");
    return Status::Ok();
  }
  Status StringMap(const YAML::Node& n, const std::string& what, bool paths, std::map<std::string, std::string>* out) const {
    if (!n) return Status::Ok();
    if (!n.IsMap()) return Error(n, what + " must be a mapping of names to values");
    for (const auto& kv : n) {
      std::string value;
      KOLIBRI_RETURN_IF_ERROR(paths ? Path(kv.second, what + "." + kv.first.as<std::string>(), &value)
                                    : String(kv.second, what + "." + kv.first.as<std::string>(), &value));
      (*out)[kv.first.as<std::string>()] = value;
    }
    return Status::Ok();
  }

 private:
  std::string display_;
  fs::path base_;
};

Status ReadModel(const Reader& r, const YAML::Node& n, ModelConfig* m) {
  KOLIBRI_RETURN_IF_ERROR(r.Keys(n, {"name", "path", "context", "parallel", "threads", "batch", "max_queue",
                                     "kv_cache_type", "flash_attn", "prefix_cache", "cache_unshared_cells", "chat_template",
                                     "lora"},
                                 "a model"));
  if (!n["name"]) return r.Error(n, "a model needs a 'name' (what clients send as \"model\")");
  if (!n["path"]) return r.Error(n, "a model needs a 'path' (a .gguf file)");
  KOLIBRI_RETURN_IF_ERROR(r.String(n["name"], "name", &m->name));
  KOLIBRI_RETURN_IF_ERROR(r.Path(n["path"], "path", &m->path));
  KOLIBRI_RETURN_IF_ERROR(r.Path(n["chat_template"], "chat_template", &m->chat_template_file));
  SchedulerOptions& s = m->scheduler;
  KOLIBRI_RETURN_IF_ERROR(r.Int(n["context"], "context", 16, 1 << 24, &s.context));
  KOLIBRI_RETURN_IF_ERROR(r.Int(n["parallel"], "parallel", 1, 256, &s.parallel));
  KOLIBRI_RETURN_IF_ERROR(r.Int(n["threads"], "threads", 0, 1024, &s.threads));
  KOLIBRI_RETURN_IF_ERROR(r.Int(n["batch"], "batch", 1, 1 << 16, &s.batch));
  KOLIBRI_RETURN_IF_ERROR(r.Int(n["max_queue"], "max_queue", 0, 1 << 16, &s.max_queue));
  KOLIBRI_RETURN_IF_ERROR(r.Bool(n["prefix_cache"], "prefix_cache", &s.prefix_cache));
  KOLIBRI_RETURN_IF_ERROR(
      r.Int(n["cache_unshared_cells"], "cache_unshared_cells", -1, 1 << 24, &s.prefix_cache_unshared_cells));
  KOLIBRI_RETURN_IF_ERROR(r.String(n["kv_cache_type"], "kv_cache_type", &s.kv_cache_type));
  if (s.kv_cache_type != "f16" && s.kv_cache_type != "q8_0" && s.kv_cache_type != "q4_0") {
    return r.Error(n["kv_cache_type"], "kv_cache_type must be f16, q8_0 or q4_0, got '" + s.kv_cache_type + "'");
  }
  KOLIBRI_RETURN_IF_ERROR(r.String(n["flash_attn"], "flash_attn", &s.flash_attn));
  if (s.flash_attn != "auto" && s.flash_attn != "on" && s.flash_attn != "off") {
    return r.Error(n["flash_attn"], "flash_attn must be auto, on or off, got '" + s.flash_attn + "'");
  }
  if (s.flash_attn == "off" && s.kv_cache_type != "f16") {
    return r.Error(n["flash_attn"], "kv_cache_type " + s.kv_cache_type + " needs flash attention: use auto or on");
  }
  if (const YAML::Node lora = n["lora"]) {
    if (!lora.IsSequence()) return r.Error(lora, "lora must be a list of {name, path, scale}");
    std::set<std::string> names;
    for (const auto& a : lora) {
      KOLIBRI_RETURN_IF_ERROR(r.Keys(a, {"name", "path", "scale"}, "a LoRA adapter"));
      if (!a["name"] || !a["path"]) return r.Error(a, "a LoRA adapter needs a 'name' and a 'path'");
      AdapterConfig adapter;
      KOLIBRI_RETURN_IF_ERROR(r.String(a["name"], "lora name", &adapter.name));
      if (adapter.name.find(':') != std::string::npos) return r.Error(a["name"], "a LoRA adapter's name cannot hold ':'");
      if (!names.insert(adapter.name).second) return r.Error(a["name"], "a second adapter named '" + adapter.name + "'");
      KOLIBRI_RETURN_IF_ERROR(r.Path(a["path"], "lora path", &adapter.path));
      double scale = 1.0;
      KOLIBRI_RETURN_IF_ERROR(r.Number(a["scale"], "lora scale", -16, 16, &scale));
      adapter.scale = static_cast<float>(scale);
      m->adapters.push_back(std::move(adapter));
    }
  }
  m->where = r.Where(n);
  return Status::Ok();
}

Status ReadConfig(const Reader& r, const YAML::Node& root, ServeConfig* c) {
  KOLIBRI_RETURN_IF_ERROR(
      r.Keys(root, {"listen", "models", "tasks", "embedding_model", "auth", "limits", "admin"}, "the configuration"));
  if (const YAML::Node listen = root["listen"]) {
    KOLIBRI_RETURN_IF_ERROR(r.Keys(listen, {"host", "port"}, "listen"));
    KOLIBRI_RETURN_IF_ERROR(r.String(listen["host"], "listen.host", &c->host));
    KOLIBRI_RETURN_IF_ERROR(r.Int(listen["port"], "listen.port", 0, 65535, &c->port));
  }
  const YAML::Node models = root["models"];
  if (!models || !models.IsSequence() || models.size() == 0) {
    return r.Error(models ? models : root, "'models' must be a non-empty list of {name, path, ...}");
  }
  std::set<std::string> names;
  for (const auto& n : models) {
    ModelConfig m;
    KOLIBRI_RETURN_IF_ERROR(ReadModel(r, n, &m));
    if (!names.insert(m.name).second) return r.Error(n["name"], "a second model named '" + m.name + "'");
    c->models.push_back(std::move(m));
  }
  if (const YAML::Node t = root["tasks"]) {
    KOLIBRI_RETURN_IF_ERROR(r.Keys(t, {"file", "model", "routers", "upstreams", "review_db", "audit_db", "retention"},
                                   "tasks"));
    KOLIBRI_RETURN_IF_ERROR(r.Path(t["file"], "tasks.file", &c->tasks.file));
    KOLIBRI_RETURN_IF_ERROR(r.String(t["model"], "tasks.model", &c->tasks.model));
    if (!c->tasks.model.empty() && !names.count(c->tasks.model)) {
      return r.Error(t["model"], "tasks.model '" + c->tasks.model + "' is not one of the models");
    }
    KOLIBRI_RETURN_IF_ERROR(r.StringMap(t["routers"], "tasks.routers", true, &c->tasks.routers));
    KOLIBRI_RETURN_IF_ERROR(r.StringMap(t["upstreams"], "tasks.upstreams", false, &c->tasks.upstreams));
    KOLIBRI_RETURN_IF_ERROR(r.Location(t["review_db"], "tasks.review_db", &c->tasks.review_db));
    KOLIBRI_RETURN_IF_ERROR(r.Location(t["audit_db"], "tasks.audit_db", &c->tasks.audit_db));
    KOLIBRI_RETURN_IF_ERROR(r.String(t["retention"], "tasks.retention", &c->tasks.retention));
    if (!c->tasks.retention.empty()) {
      if (auto period = ParseDurationMs(c->tasks.retention); !period.ok()) {
        return r.Error(t["retention"], period.status().message());
      }
    }
    if (c->tasks.file.empty()) return r.Error(t, "tasks needs a 'file'");
  }
  KOLIBRI_RETURN_IF_ERROR(r.Path(root["embedding_model"], "embedding_model", &c->embedding_model));
  if (const YAML::Node a = root["auth"]) {
    KOLIBRI_RETURN_IF_ERROR(r.Keys(a, {"api_keys", "api_key_file", "metrics_public"}, "auth"));
    if (const YAML::Node keys = a["api_keys"]) {
      if (!keys.IsSequence()) return r.Error(keys, "auth.api_keys must be a list of strings");
      for (const auto& k : keys) {
        std::string key;
        KOLIBRI_RETURN_IF_ERROR(r.String(k, "an API key", &key));
        c->api_keys.push_back(key);
      }
    }
    KOLIBRI_RETURN_IF_ERROR(r.Path(a["api_key_file"], "auth.api_key_file", &c->api_key_file));
    KOLIBRI_RETURN_IF_ERROR(r.Bool(a["metrics_public"], "auth.metrics_public", &c->metrics_public));
  }
  if (const YAML::Node l = root["limits"]) {
    KOLIBRI_RETURN_IF_ERROR(r.Keys(l, {"max_body_bytes", "max_connections", "max_prompt_tokens", "max_tokens", "request_timeout_s",
                                       "rate_limit", "rate_burst", "read_timeout_s", "drain_timeout_s"},
                                   "limits"));
    LimitsConfig& x = c->limits;
    KOLIBRI_RETURN_IF_ERROR(r.Int(l["max_body_bytes"], "limits.max_body_bytes", 1024, int64_t{1} << 32, &x.max_body_bytes));
    KOLIBRI_RETURN_IF_ERROR(r.Int(l["max_connections"], "limits.max_connections", 8, 1 << 16, &x.max_connections));
    KOLIBRI_RETURN_IF_ERROR(r.Int(l["max_prompt_tokens"], "limits.max_prompt_tokens", 0, 1 << 24, &x.max_prompt_tokens));
    KOLIBRI_RETURN_IF_ERROR(r.Int(l["max_tokens"], "limits.max_tokens", 0, 1 << 24, &x.max_completion_tokens));
    KOLIBRI_RETURN_IF_ERROR(r.Number(l["request_timeout_s"], "limits.request_timeout_s", 0, 86400, &x.request_timeout_s));
    KOLIBRI_RETURN_IF_ERROR(r.Number(l["rate_limit"], "limits.rate_limit", 0, 1e6, &x.rate_limit));
    KOLIBRI_RETURN_IF_ERROR(r.Number(l["rate_burst"], "limits.rate_burst", 0, 1e6, &x.rate_burst));
    KOLIBRI_RETURN_IF_ERROR(r.Number(l["read_timeout_s"], "limits.read_timeout_s", 0.1, 3600, &x.read_timeout_s));
    KOLIBRI_RETURN_IF_ERROR(r.Number(l["drain_timeout_s"], "limits.drain_timeout_s", 0, 86400, &x.drain_timeout_s));
  }
  return r.Bool(root["admin"], "admin", &c->admin);
}

}  // namespace

bool ModelConfig::operator==(const ModelConfig& o) const {
  const SchedulerOptions& a = scheduler;
  const SchedulerOptions& b = o.scheduler;
  return name == o.name && path == o.path && chat_template_file == o.chat_template_file && a.context == b.context &&
         a.parallel == b.parallel && a.threads == b.threads && a.batch == b.batch && a.max_queue == b.max_queue &&
         a.prefix_cache == b.prefix_cache &&
         a.prefix_cache_unshared_cells == b.prefix_cache_unshared_cells && a.kv_cache_type == b.kv_cache_type &&
         a.flash_attn == b.flash_attn && adapters == o.adapters;
}

Status ResolveApiKeys(ServeConfig* config) {
  if (config->api_key_file.empty()) return Status::Ok();
  std::ifstream in(config->api_key_file);
  if (!in) return Status::NotFound("API key file '" + config->api_key_file + "' not found");
  std::string line;
  size_t found = 0;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    config->api_keys.push_back(line);
    ++found;
  }
  if (found == 0) return Status::InvalidArgument("API key file '" + config->api_key_file + "' holds no keys");
  return Status::Ok();
}

Result<ServeConfig> LoadServeConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("configuration file '" + path + "' not found");
  ServeConfig config;
  try {
    const YAML::Node root = YAML::Load(in);
    Reader reader(path, fs::path(path).parent_path());
    KOLIBRI_RETURN_IF_ERROR(ReadConfig(reader, root, &config));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  KOLIBRI_RETURN_IF_ERROR(ResolveApiKeys(&config));
  return config;
}

Result<ModelConfig> ModelConfigFromJson(const std::string& json_text) {
  // JSON is YAML's flow syntax; the depth check keeps yaml-cpp's recursion bounded.
  KOLIBRI_RETURN_IF_ERROR(CheckUtf8(json_text));
  KOLIBRI_RETURN_IF_ERROR(CheckJsonDepth(json_text, 8));
  ModelConfig model;
  try {
    const YAML::Node root = YAML::Load(json_text);
    KOLIBRI_RETURN_IF_ERROR(ReadModel(Reader("the request body", {}), root, &model));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("the request body is not a JSON object: " + e.msg);
  }
  return model;
}

}  // namespace kolibri::server
