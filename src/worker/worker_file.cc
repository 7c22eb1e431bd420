// Worker files (see kolibri/worker/worker_config.h): YAML -> WorkerConfig, every error
// positioned at the node it is about.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "kolibri/json_schema_validator.h"
#include "kolibri/tasks/yaml_reader.h"
#include "kolibri/worker/worker_config.h"

namespace kolibri::worker {

std::string_view ModelKindName(ModelKind kind) {
  switch (kind) {
    case ModelKind::kRouter: return "router";
    case ModelKind::kGguf: return "gguf";
    case ModelKind::kOpenAi: return "openai";
    case ModelKind::kReview: return "review";
  }
  return "gguf";
}

const StepConfig* WorkerConfig::FindStep(const std::string& id) const {
  for (const auto& s : steps) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const ModelAlias* WorkerConfig::FindModel(ModelKind kind) const {
  for (const auto& [name, m] : models) {
    if (m.kind == kind) return &m;
  }
  return nullptr;
}

namespace {

namespace fs = std::filesystem;
using tasks::YamlReader;

const std::set<std::string> kMailFields = {"body_text", "subject", "from", "from_name", "message_id", "text"};
const std::set<std::string> kStepFields = {"label", "record", "confidence", "tier", "reply_id", "reply_text"};

Result<std::string> ReadText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound("cannot open " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class Parser {
 public:
  Parser(std::string display, std::string dir) : r_(std::move(display)), dir_(std::move(dir)) {}

  Status Parse(const YAML::Node& root, WorkerConfig* c);

 private:
  std::string Resolve(const std::string& p) const {
    fs::path path(p);
    if (path.is_relative()) path = fs::path(dir_) / path;
    return path.lexically_normal().string();
  }
  Result<std::string> Str(const YAML::Node& n, const std::string& what) const { return r_.String(n, what); }
  Result<double> Threshold(const YAML::Node& n, const std::string& what) const {
    KOLIBRI_ASSIGN_OR_RETURN(double v, r_.Number(n, what));
    if (v < 0 || v > 1) return r_.Error(n, what + " must be between 0 and 1, got " + n.Scalar());
    return v;
  }
  // `steps_before`: ids a steps.* reference may name (the steps before the current one).
  Result<ValueRef> Ref(const YAML::Node& n, const std::string& what, const std::set<std::string>& steps_before) const;
  Status Models(const YAML::Node& n, WorkerConfig* c) const;
  Status Steps(const YAML::Node& n, WorkerConfig* c) const;
  Status Step(const YAML::Node& n, const WorkerConfig& c, const std::set<std::string>& before, StepConfig* s) const;
  Status Quality(const YAML::Node& n, WorkerConfig* c) const;
  Status TemplateRefs(const YAML::Node& at, const std::string& text, const std::set<std::string>& before) const;

  YamlReader r_;
  std::string dir_;
};

// A value reference, or why it is none (the caller adds the position).
Result<ValueRef> ParseRef(const std::string& text, const std::string& what, const std::set<std::string>& before) {
  ValueRef v;
  v.text = text;
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  v.root = parts[0];
  if (v.root == "mail" && parts.size() == 2 && kMailFields.count(parts[1])) {
    v.field = parts[1];
    return v;
  }
  if (v.root == "input" && parts.size() == 2 && parts[1] == "text") {
    v.field = "text";
    return v;
  }
  if (v.root == "steps" && parts.size() == 3) {
    if (!before.count(parts[1])) {
      return Status::InvalidArgument(what + " '" + text + "' names step '" + parts[1] +
                                     "', which is not an earlier step");
    }
    if (!kStepFields.count(parts[2])) {
      return Status::InvalidArgument(what + " '" + text +
                                     "': a step has label, record, confidence, tier, reply_id, reply_text");
    }
    v.step = parts[1];
    v.field = parts[2];
    return v;
  }
  return Status::InvalidArgument(what + " '" + text +
                                 "' is not mail.<body_text|subject|from|from_name|message_id|text>, input.text or "
                                 "steps.<id>.<field>");
}

Result<ValueRef> Parser::Ref(const YAML::Node& n, const std::string& what,
                             const std::set<std::string>& steps_before) const {
  KOLIBRI_ASSIGN_OR_RETURN(std::string text, Str(n, what));
  auto ref = ParseRef(text, what, steps_before);
  if (!ref.ok()) return r_.Error(n, ref.status().message());
  return ref;
}

Status Parser::TemplateRefs(const YAML::Node& at, const std::string& text, const std::set<std::string>& before) const {
  static const std::regex kVar(R"(\{\{\s*([a-z_.0-9]+)\s*\}\})");
  for (std::sregex_iterator it(text.begin(), text.end(), kVar), end; it != end; ++it) {
    auto ref = ParseRef((*it)[1].str(), "template variable", before);
    if (!ref.ok()) return r_.Error(at, ref.status().message());
  }
  return Status::Ok();
}

Status Parser::Models(const YAML::Node& n, WorkerConfig* c) const {
  if (!n.IsMap() || n.size() == 0) return r_.Error(n, "models must be a mapping of aliases");
  for (const auto& kv : n) {
    ModelAlias m;
    m.name = kv.first.Scalar();
    m.line = kv.first.Mark().line + 1;
    const YAML::Node& v = kv.second;
    if (!v.IsMap()) return r_.Error(v, "model '" + m.name + "' must be a mapping");
    if (!v["kind"]) return r_.Error(v, "model '" + m.name + "' needs a kind (router, gguf, openai or review)");
    KOLIBRI_ASSIGN_OR_RETURN(std::string kind, Str(v["kind"], "kind"));
    const std::string where = "model '" + m.name + "'";
    if (kind == "router") {
      m.kind = ModelKind::kRouter;
      KOLIBRI_RETURN_IF_ERROR(r_.Keys(v, {"kind", "dir", "train"}, where));
      if (!v["dir"]) return r_.Error(v, where + " (router) needs dir");
      KOLIBRI_ASSIGN_OR_RETURN(std::string dir, Str(v["dir"], "dir"));
      m.path = Resolve(dir);
      if (const YAML::Node t = v["train"]) {
        if (!t.IsMap()) return r_.Error(t, "train must be a mapping");
        KOLIBRI_RETURN_IF_ERROR(r_.Keys(t, {"data", "labels", "holdout_fraction", "seed"}, "train"));
        RouterTraining train;
        if (!t["data"]) return r_.Error(t, "train needs data (a gold JSONL file)");
        KOLIBRI_ASSIGN_OR_RETURN(std::string data, Str(t["data"], "data"));
        train.data = Resolve(data);
        if (const YAML::Node l = t["labels"]) {
          if (!l.IsMap()) return r_.Error(l, "labels must map task names to gold keys");
          for (const auto& e : l) {
            const std::string task = e.first.Scalar();
            auto def = c->tasks.Find(task);
            if (!def.ok()) return r_.Error(e.first, "unknown task '" + task + "' (" + def.status().message() + ")");
            if ((*def)->kind != tasks::TaskKind::kClassify) {
              return r_.Error(e.first, "task '" + task + "' is not a classify task; a router only classifies");
            }
            KOLIBRI_ASSIGN_OR_RETURN(train.labels[task], Str(e.second, "a gold key"));
          }
        }
        if (t["holdout_fraction"]) {
          KOLIBRI_ASSIGN_OR_RETURN(train.holdout_fraction, r_.Number(t["holdout_fraction"], "holdout_fraction"));
          if (train.holdout_fraction < 0.02 || train.holdout_fraction > 0.5) {
            return r_.Error(t["holdout_fraction"], "holdout_fraction must be 0.02..0.5");
          }
        }
        if (t["seed"]) {
          KOLIBRI_ASSIGN_OR_RETURN(int64_t seed, r_.Int(t["seed"], "seed", 0, INT64_MAX));
          train.seed = static_cast<uint64_t>(seed);
        }
        m.train = std::move(train);
      }
    } else if (kind == "gguf") {
      m.kind = ModelKind::kGguf;
      KOLIBRI_RETURN_IF_ERROR(r_.Keys(v, {"kind", "path", "context", "parallel"}, where));
      if (!v["path"]) return r_.Error(v, where + " (gguf) needs path");
      KOLIBRI_ASSIGN_OR_RETURN(std::string path, Str(v["path"], "path"));
      m.path = Resolve(path);
      if (v["context"]) {
        KOLIBRI_ASSIGN_OR_RETURN(int64_t ctx, r_.Int(v["context"], "context", 64, 1 << 20));
        m.context = static_cast<int32_t>(ctx);
      }
      if (v["parallel"]) {
        KOLIBRI_ASSIGN_OR_RETURN(int64_t p, r_.Int(v["parallel"], "parallel", 1, 256));
        m.parallel = static_cast<int32_t>(p);
      }
    } else if (kind == "openai") {
      m.kind = ModelKind::kOpenAi;
      KOLIBRI_RETURN_IF_ERROR(
          r_.Keys(v, {"kind", "base_url", "model", "api_key_env", "timeout_s", "retries"}, where));
      if (!v["base_url"] || !v["model"]) return r_.Error(v, where + " (openai) needs base_url and model");
      KOLIBRI_ASSIGN_OR_RETURN(m.base_url, Str(v["base_url"], "base_url"));
      KOLIBRI_ASSIGN_OR_RETURN(m.model, Str(v["model"], "model"));
      if (v["api_key_env"]) {
        KOLIBRI_ASSIGN_OR_RETURN(m.api_key_env, Str(v["api_key_env"], "api_key_env"));
      }
      if (v["timeout_s"]) {
        KOLIBRI_ASSIGN_OR_RETURN(m.timeout_s, r_.Number(v["timeout_s"], "timeout_s"));
        if (m.timeout_s <= 0) return r_.Error(v["timeout_s"], "timeout_s must be > 0");
      }
      if (v["retries"]) {
        KOLIBRI_ASSIGN_OR_RETURN(int64_t retries, r_.Int(v["retries"], "retries", 0, 10));
        m.retries = static_cast<int32_t>(retries);
      }
    } else if (kind == "review") {
      m.kind = ModelKind::kReview;
      KOLIBRI_RETURN_IF_ERROR(r_.Keys(v, {"kind", "db"}, where));
      if (!v["db"]) return r_.Error(v, where + " (review) needs db");
      KOLIBRI_ASSIGN_OR_RETURN(std::string db, Str(v["db"], "db"));
      m.path = Resolve(db);
    } else {
      return r_.Error(v["kind"], "model kind must be router, gguf, openai or review, got '" + kind + "'");
    }
    if (m.kind == ModelKind::kGguf && c->FindModel(ModelKind::kGguf) != nullptr) {
      return r_.Error(kv.first, "only one gguf model per worker (the slm tier); '" +
                                    c->FindModel(ModelKind::kGguf)->name + "' is one already");
    }
    if (m.kind == ModelKind::kReview && c->FindModel(ModelKind::kReview) != nullptr) {
      return r_.Error(kv.first, "only one review queue per worker");
    }
    c->models[m.name] = std::move(m);
  }
  return Status::Ok();
}

Status Parser::Step(const YAML::Node& n, const WorkerConfig& c, const std::set<std::string>& before,
                    StepConfig* s) const {
  s->line = n.Mark().line + 1;
  if (!n["id"]) return r_.Error(n, "a step needs an id");
  KOLIBRI_ASSIGN_OR_RETURN(s->id, Str(n["id"], "id"));
  static const std::regex kId("[a-z][a-z0-9_]*");
  if (!std::regex_match(s->id, kId)) return r_.Error(n["id"], "a step id must match [a-z][a-z0-9_]*");
  if (before.count(s->id)) return r_.Error(n["id"], "duplicate step id '" + s->id + "'");
  const std::string where = "step '" + s->id + "'";
  std::string kind = "task";
  if (n["kind"]) {
    KOLIBRI_ASSIGN_OR_RETURN(kind, Str(n["kind"], "kind"));
  }
  if (kind == "render_reply") {
    s->kind = StepKind::kRenderReply;
    KOLIBRI_RETURN_IF_ERROR(r_.Keys(n, {"id", "kind", "reply_id", "none_label", "fields", "on_missing_required"}, where));
    if (!n["reply_id"] || !n["fields"]) return r_.Error(n, where + " (render_reply) needs reply_id and fields");
    if (c.replies_dir.empty()) return r_.Error(n, where + " renders replies, but the worker names no replies: directory");
    KOLIBRI_ASSIGN_OR_RETURN(s->reply_id_template, Str(n["reply_id"], "reply_id"));
    KOLIBRI_RETURN_IF_ERROR(TemplateRefs(n["reply_id"], s->reply_id_template, before));
    KOLIBRI_ASSIGN_OR_RETURN(s->fields, Ref(n["fields"], "fields", before));
    if (n["none_label"]) {
      KOLIBRI_ASSIGN_OR_RETURN(s->none_label, Str(n["none_label"], "none_label"));
    }
    if (n["on_missing_required"]) {
      KOLIBRI_ASSIGN_OR_RETURN(std::string m, Str(n["on_missing_required"], "on_missing_required"));
      if (m != "review" && m != "omit") {
        return r_.Error(n["on_missing_required"], "on_missing_required must be review or omit, got '" + m + "'");
      }
      s->missing_required_to_review = m == "review";
    }
    return Status::Ok();
  }
  if (kind != "task") return r_.Error(n["kind"], "step kind must be task or render_reply, got '" + kind + "'");
  KOLIBRI_RETURN_IF_ERROR(r_.Keys(n, {"id", "kind", "task", "input", "context", "cascade"}, where));
  if (!n["task"]) return r_.Error(n, where + " needs a task (or kind: render_reply)");
  KOLIBRI_ASSIGN_OR_RETURN(s->task, Str(n["task"], "task"));
  auto def = c.tasks.Find(s->task);
  if (!def.ok()) return r_.Error(n["task"], "unknown task '" + s->task + "': " + def.status().message());
  if (n["input"]) {
    KOLIBRI_ASSIGN_OR_RETURN(s->input, Ref(n["input"], "input", before));
  } else {
    s->input = {"input.text", "input", "", "text"};
  }
  if (const YAML::Node ctx = n["context"]) {
    if (!ctx.IsMap()) return r_.Error(ctx, "context must map names to values (e.g. category: steps.category.label)");
    if ((*def)->kind == tasks::TaskKind::kExtract) {
      return r_.Error(ctx, where + " extracts: its input is the evidence, so it takes no context");
    }
    for (const auto& e : ctx) {
      KOLIBRI_ASSIGN_OR_RETURN(ValueRef ref, Ref(e.second, "context value", before));
      s->context.emplace_back(e.first.Scalar(), std::move(ref));
    }
  }
  if (!n["cascade"]) return r_.Error(n, where + " needs a cascade (tiers in order)");
  const YAML::Node cascade = n["cascade"];
  if (!cascade.IsSequence() || cascade.size() == 0) return r_.Error(cascade, "cascade must be a list of tiers");
  bool after_review = false;
  for (const auto& t : cascade) {
    if (!t.IsMap()) return r_.Error(t, "a cascade tier is a mapping {tier: ALIAS, threshold: 0..1}");
    KOLIBRI_RETURN_IF_ERROR(r_.Keys(t, {"tier", "threshold"}, "a cascade tier"));
    if (!t["tier"]) return r_.Error(t, "a cascade tier needs tier (a model alias)");
    CascadeTier tier;
    KOLIBRI_ASSIGN_OR_RETURN(tier.model, Str(t["tier"], "tier"));
    auto it = c.models.find(tier.model);
    if (it == c.models.end()) {
      std::string names;
      for (const auto& [name, m] : c.models) names += (names.empty() ? "" : ", ") + name;
      return r_.Error(t["tier"], "unknown model alias '" + tier.model + "' (models: " + names + ")");
    }
    if (after_review) return r_.Error(t, "the review tier must be the last one");
    if (it->second.kind == ModelKind::kRouter && (*def)->kind != tasks::TaskKind::kClassify) {
      return r_.Error(t["tier"], "a router only classifies; task '" + s->task + "' is an extract task");
    }
    if (t["threshold"]) {
      if (it->second.kind == ModelKind::kReview) return r_.Error(t["threshold"], "the review tier takes no threshold");
      KOLIBRI_ASSIGN_OR_RETURN(tier.threshold, Threshold(t["threshold"], "threshold"));
    }
    after_review = it->second.kind == ModelKind::kReview;
    s->cascade.push_back(std::move(tier));
  }
  return Status::Ok();
}

Status Parser::Steps(const YAML::Node& n, WorkerConfig* c) const {
  if (!n.IsSequence() || n.size() == 0) return r_.Error(n, "steps must be a non-empty list");
  std::set<std::string> before;
  for (const auto& item : n) {
    if (!item.IsMap()) return r_.Error(item, "a step must be a mapping");
    StepConfig s;
    KOLIBRI_RETURN_IF_ERROR(Step(item, *c, before, &s));
    before.insert(s.id);
    c->steps.push_back(std::move(s));
  }
  return Status::Ok();
}

Status Parser::Quality(const YAML::Node& n, WorkerConfig* c) const {
  if (!n.IsMap()) return r_.Error(n, "quality must be a mapping of step ids to bars");
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    if (key == "max_escalation_rate") {
      KOLIBRI_ASSIGN_OR_RETURN(c->max_escalation_rate, Threshold(kv.second, key));
      continue;
    }
    if (c->FindStep(key) == nullptr) return r_.Error(kv.first, "quality bar for unknown step '" + key + "'");
    const YAML::Node& v = kv.second;
    if (!v.IsMap()) return r_.Error(v, "a quality bar must be a mapping");
    KOLIBRI_RETURN_IF_ERROR(r_.Keys(v, {"gold", "min_accuracy", "min_macro_f1", "min_field_f1",
                                        "min_schema_valid_rate", "max_evidence_violations"},
                                    "a quality bar"));
    QualityBar q;
    q.step = key;
    if (!v["gold"]) return r_.Error(v, "a quality bar needs gold (the key in the gold JSONL)");
    KOLIBRI_ASSIGN_OR_RETURN(q.gold, Str(v["gold"], "gold"));
    for (auto [name, field] : {std::pair{"min_accuracy", &q.min_accuracy}, std::pair{"min_macro_f1", &q.min_macro_f1},
                               std::pair{"min_field_f1", &q.min_field_f1},
                               std::pair{"min_schema_valid_rate", &q.min_schema_valid_rate}}) {
      if (v[name]) {
        KOLIBRI_ASSIGN_OR_RETURN(*field, Threshold(v[name], name));
      }
    }
    if (v["max_evidence_violations"]) {
      KOLIBRI_ASSIGN_OR_RETURN(q.max_evidence_violations,
                               r_.Int(v["max_evidence_violations"], "max_evidence_violations", 0, INT64_MAX));
    }
    c->quality.push_back(std::move(q));
  }
  return Status::Ok();
}

Status Parser::Parse(const YAML::Node& root, WorkerConfig* c) {
  if (!root.IsMap()) return r_.Error(root, "a worker file must be a mapping");
  KOLIBRI_RETURN_IF_ERROR(r_.Keys(root, {"name", "version", "tasks_file", "schema", "replies", "models", "input",
                                         "steps", "record", "output", "quality"},
                                  "the worker file"));
  if (root["name"]) {
    KOLIBRI_ASSIGN_OR_RETURN(c->name, Str(root["name"], "name"));
  }
  if (root["version"]) {
    KOLIBRI_ASSIGN_OR_RETURN(int64_t v, r_.Int(root["version"], "version", 1, 1));
    c->version = static_cast<int32_t>(v);
  }
  if (!root["tasks_file"]) return r_.Error(root, "the worker file needs tasks_file");
  KOLIBRI_ASSIGN_OR_RETURN(std::string tasks, Str(root["tasks_file"], "tasks_file"));
  c->tasks_path = Resolve(tasks);
  auto task_file = tasks::LoadTaskFile(c->tasks_path);
  if (!task_file.ok()) {
    if (task_file.status().code() == ErrorCode::kNotFound) {
      return Status::NotFound(r_.Error(root["tasks_file"], task_file.status().message()).message());
    }
    return task_file.status();
  }
  c->tasks = std::move(task_file).value();
  if (root["schema"]) {
    KOLIBRI_ASSIGN_OR_RETURN(std::string schema, Str(root["schema"], "schema"));
    c->schema_path = Resolve(schema);
    auto text = ReadText(c->schema_path);
    if (!text.ok()) return r_.Error(root["schema"], "cannot read schema " + c->schema_path);
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded()) return r_.Error(root["schema"], c->schema_path + " is not JSON");
    auto v = JsonSchemaValidator::Compile(j);
    if (!v.ok()) return r_.Error(root["schema"], "invalid schema: " + v.status().message());
    c->schema = j.dump();
  }
  if (root["replies"]) {
    KOLIBRI_ASSIGN_OR_RETURN(std::string replies, Str(root["replies"], "replies"));
    c->replies_dir = Resolve(replies);
    if (!fs::is_directory(c->replies_dir)) return r_.Error(root["replies"], c->replies_dir + " is not a directory");
  }
  if (!root["models"]) return r_.Error(root, "the worker file needs models");
  KOLIBRI_RETURN_IF_ERROR(Models(root["models"], c));
  if (const YAML::Node in = root["input"]) {
    if (!in.IsMap()) return r_.Error(in, "input must be a mapping");
    KOLIBRI_RETURN_IF_ERROR(r_.Keys(in, {"max_body_chars", "text"}, "input"));
    if (in["max_body_chars"]) {
      KOLIBRI_ASSIGN_OR_RETURN(int64_t m, r_.Int(in["max_body_chars"], "max_body_chars", 16, 1 << 24));
      c->max_body_chars = static_cast<int32_t>(m);
    }
    if (in["text"]) {
      KOLIBRI_ASSIGN_OR_RETURN(c->input_template, Str(in["text"], "text"));
      KOLIBRI_RETURN_IF_ERROR(TemplateRefs(in["text"], c->input_template, {}));
      if (c->input_template.find("{{input.text}}") != std::string::npos) {
        return r_.Error(in["text"], "input.text cannot refer to itself");
      }
    }
  }
  if (!root["steps"]) return r_.Error(root, "the worker file needs steps");
  KOLIBRI_RETURN_IF_ERROR(Steps(root["steps"], c));
  std::set<std::string> all_steps;
  for (const auto& s : c->steps) all_steps.insert(s.id);
  if (const YAML::Node rec = root["record"]) {
    if (!rec.IsMap()) return r_.Error(rec, "record must map record keys to values");
    for (const auto& kv : rec) {
      KOLIBRI_ASSIGN_OR_RETURN(ValueRef ref, Ref(kv.second, "record value", all_steps));
      c->record.emplace_back(kv.first.Scalar(), std::move(ref));
    }
  }
  if (const YAML::Node out = root["output"]) {
    if (!out.IsMap()) return r_.Error(out, "output must be a mapping");
    KOLIBRI_RETURN_IF_ERROR(r_.Keys(out, {"results", "state"}, "output"));
    if (out["results"]) {
      KOLIBRI_ASSIGN_OR_RETURN(std::string p, Str(out["results"], "results"));
      c->results_path = Resolve(p);
    }
    if (out["state"]) {
      KOLIBRI_ASSIGN_OR_RETURN(std::string p, Str(out["state"], "state"));
      c->state_path = Resolve(p);
    }
  }
  if (root["quality"]) KOLIBRI_RETURN_IF_ERROR(Quality(root["quality"], c));
  return Status::Ok();
}

}  // namespace

Result<WorkerConfig> LoadWorkerFile(const std::string& path) {
  KOLIBRI_ASSIGN_OR_RETURN(std::string text, ReadText(path));
  std::error_code ec;
  const fs::path abs = fs::absolute(path, ec);
  WorkerConfig c;
  c.path = path;
  c.dir = abs.parent_path().lexically_normal().string();
  Parser parser(path, c.dir);
  try {
    const YAML::Node root = YAML::Load(text);
    KOLIBRI_RETURN_IF_ERROR(parser.Parse(root, &c));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return c;
}

}  // namespace kolibri::worker
