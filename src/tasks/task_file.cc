#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "kolibri/grammar/json_schema_converter.h"
#include "kolibri/json_schema_validator.h"
#include "kolibri/tasks/task.h"
#include "kolibri/tasks/yaml_reader.h"

namespace kolibri::tasks {

std::string_view TaskKindName(TaskKind kind) {
  switch (kind) {
    case TaskKind::kExtract: return "extract";
    case TaskKind::kClassify: return "classify";
    case TaskKind::kAnswer: return "answer";
  }
  return "extract";
}
std::string_view LabelScoringName(LabelScoring s) { return s == LabelScoring::kRestricted ? "restricted" : "full"; }

namespace {

using Reader = YamlReader;

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound("cannot open " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) return Status::IoError("cannot read " + path);
  return ss.str();
}

// Parses, checks and compiles the schema text once, so a broken schema fails at load.
Status CheckSchema(const Reader& r, const YAML::Node& at, std::string* text) {
  auto parsed = nlohmann::ordered_json::parse(*text, nullptr, false);
  if (parsed.is_discarded()) return r.Error(at, "the schema is not valid JSON");
  if (!parsed.is_object() && !parsed.is_boolean()) return r.Error(at, "the schema must be a JSON object");
  *text = parsed.dump();
  auto validator = JsonSchemaValidator::Compile(nlohmann::json::parse(*text));
  if (!validator.ok()) return r.Error(at, "invalid schema: " + validator.status().message());
  grammar::SchemaCompileOptions o;
  o.evidence_text = "evidence placeholder 0123456789";
  auto g = grammar::JsonSchemaToGrammar(*text, o);
  if (!g.ok()) return r.Error(at, "the schema cannot be compiled to a grammar: " + g.status().message());
  return Status::Ok();
}

Status ReadSchema(const Reader& r, const YAML::Node& n, const std::string& base_dir, TaskDefinition* t) {
  if (n.IsMap()) {
    KOLIBRI_ASSIGN_OR_RETURN(auto j, r.Json(n));
    t->schema = j.dump();
    t->schema_source = "inline";
  } else if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    const size_t first = s.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && s[first] == '{') {
      t->schema = s;
      t->schema_source = "inline";
    } else {
      // "file.json#/json/pointer" names a subschema of the file (self-contained: local
      // "$ref"s inside it would resolve against the subschema, not the file).
      const size_t hash = s.find('#');
      std::filesystem::path p(s.substr(0, hash));
      if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
      auto text = ReadFile(p.string());
      if (!text.ok()) return r.Error(n, "schema file " + p.string() + " cannot be read");
      t->schema = std::move(*text);
      t->schema_source = p.string();
      if (hash != std::string::npos) {
        const std::string pointer = s.substr(hash + 1);
        auto whole = nlohmann::ordered_json::parse(t->schema, nullptr, false);
        if (whole.is_discarded()) return r.Error(n, "schema file " + p.string() + " is not valid JSON");
        try {
          t->schema = whole.at(nlohmann::ordered_json::json_pointer(pointer)).dump();
        } catch (const nlohmann::json::exception&) {
          return r.Error(n, "schema file " + p.string() + " has nothing at '#" + pointer + "'");
        }
        t->schema_source = p.string() + "#" + pointer;
      }
    }
  } else {
    return r.Error(n, "schema must be a mapping, JSON text or a file path");
  }
  return CheckSchema(r, n, &t->schema);
}

Status ReadLabels(const Reader& r, const YAML::Node& n, TaskDefinition* t) {
  if (!n.IsSequence()) return r.Error(n, "labels must be a list");
  std::map<std::string, YAML::Mark> seen;
  for (const auto& item : n) {
    TaskLabel label;
    if (item.IsScalar()) {
      label.name = item.Scalar();
    } else if (item.IsMap()) {
      KOLIBRI_RETURN_IF_ERROR(r.Keys(item, {"name", "description", "examples"}, "a label"));
      if (!item["name"]) return r.Error(item, "a label needs a name");
      KOLIBRI_ASSIGN_OR_RETURN(label.name, r.String(item["name"], "a label's name"));
      if (item["description"]) {
        KOLIBRI_ASSIGN_OR_RETURN(label.description, r.String(item["description"], "a label's description"));
      }
      if (item["examples"]) {
        KOLIBRI_ASSIGN_OR_RETURN(label.examples, r.Strings(item["examples"], "examples"));
      }
    } else {
      return r.Error(item, "a label must be a name or a mapping with name, description, examples");
    }
    if (label.name.empty()) return r.Error(item, "a label name is empty");
    auto [it, fresh] = seen.emplace(label.name, item.Mark());
    if (!fresh) {
      return r.Error(item, "duplicate label '" + label.name + "' (first at line " + std::to_string(it->second.line + 1) + ")");
    }
    t->labels.push_back(std::move(label));
  }
  if (t->labels.size() < 2) return r.Error(n, "a classify task needs at least two labels");
  return Status::Ok();
}

Status ReadAnswer(const Reader& r, const YAML::Node& n, const std::string& base_dir, TaskDefinition* t) {
  if (n["schema"]) return r.Error(n["schema"], "an answer task has a fixed answer shape, not a schema");
  if (n["labels"]) return r.Error(n["labels"], "an answer task takes an index, not labels");
  if (!n["index"]) return r.Error(n, "task '" + t->name + "' (answer) needs an index (a kolibri index file)");
  KOLIBRI_ASSIGN_OR_RETURN(t->index, r.String(n["index"], "index"));
  if (t->index.empty()) return r.Error(n["index"], "index is empty");
  std::filesystem::path p(t->index);
  if (p.is_relative() && !base_dir.empty()) t->index = (std::filesystem::path(base_dir) / p).string();
  if (n["k"]) {
    KOLIBRI_ASSIGN_OR_RETURN(t->k, r.Int(n["k"], "k", 1, 50));
  }
  if (n["max_citations"]) {
    KOLIBRI_ASSIGN_OR_RETURN(t->max_citations, r.Int(n["max_citations"], "max_citations", 1, 20));
  }
  return Status::Ok();
}

Status ReadTask(const Reader& r, const YAML::Node& n, const std::string& display, const std::string& base_dir,
                TaskDefinition* t) {
  if (!n.IsMap()) return r.Error(n, "a task must be a mapping");
  KOLIBRI_RETURN_IF_ERROR(r.Keys(n, {"name", "kind", "model", "instructions", "schema", "labels", "scoring",
                                     "thresholds", "calibration", "max_attempts", "max_tokens", "token_budget",
                                     "truncate", "temperature", "escalation", "index", "k", "max_citations"},
                                 "a task"));
  t->file = display;
  t->line = n.Mark().line + 1;
  if (!n["name"]) return r.Error(n, "a task needs a name");
  KOLIBRI_ASSIGN_OR_RETURN(t->name, r.String(n["name"], "name"));
  if (t->name.empty() || !std::all_of(t->name.begin(), t->name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
      })) {
    return r.Error(n["name"], "a task name must be letters, digits, '_', '-' or '.'");
  }
  const std::string where = "task '" + t->name + "'";
  if (!n["kind"]) return r.Error(n, where + " needs a kind (extract, classify or answer)");
  KOLIBRI_ASSIGN_OR_RETURN(std::string kind, r.String(n["kind"], "kind"));
  if (kind == "extract") t->kind = TaskKind::kExtract;
  else if (kind == "classify") t->kind = TaskKind::kClassify;
  else if (kind == "answer") t->kind = TaskKind::kAnswer;
  else return r.Error(n["kind"], "kind must be extract, classify or answer, got '" + kind + "'");
  if (n["model"]) {
    KOLIBRI_ASSIGN_OR_RETURN(t->model, r.String(n["model"], "model"));
  }
  if (n["instructions"]) {
    KOLIBRI_ASSIGN_OR_RETURN(t->instructions, r.String(n["instructions"], "instructions"));
  }
  if (n["max_attempts"]) {
    KOLIBRI_ASSIGN_OR_RETURN(t->max_attempts, r.Int(n["max_attempts"], "max_attempts", 1, 10));
  }
  if (n["max_tokens"]) {
    KOLIBRI_ASSIGN_OR_RETURN(t->max_tokens, r.Int(n["max_tokens"], "max_tokens", 1, 1 << 20));
  }
  if (n["token_budget"]) {
    KOLIBRI_ASSIGN_OR_RETURN(t->token_budget, r.Int(n["token_budget"], "token_budget", 1, 1 << 24));
  } else {
    t->token_budget = t->max_tokens * t->max_attempts;
  }
  if (t->token_budget < t->max_tokens) {
    return r.Error(n["token_budget"], "token_budget (" + std::to_string(t->token_budget) +
                                          ") must be at least max_tokens (" + std::to_string(t->max_tokens) + ")");
  }
  if (n["truncate"]) {
    KOLIBRI_ASSIGN_OR_RETURN(t->truncate, r.Bool(n["truncate"], "truncate"));
  }
  if (n["temperature"]) {
    KOLIBRI_ASSIGN_OR_RETURN(t->temperature, r.Number(n["temperature"], "temperature"));
    if (t->temperature < 0) return r.Error(n["temperature"], "temperature must be >= 0");
  }
  if (n["escalation"]) {
    KOLIBRI_ASSIGN_OR_RETURN(t->escalation, r.Strings(n["escalation"], "escalation"));
  }
  if (const YAML::Node th = n["thresholds"]) {
    if (!th.IsMap()) return r.Error(th, "thresholds must be a mapping");
    KOLIBRI_RETURN_IF_ERROR(r.Keys(th, {"min_confidence", "min_score", "min_similarity"}, "thresholds"));
    if (th["min_score"]) {
      KOLIBRI_ASSIGN_OR_RETURN(t->min_score, r.Number(th["min_score"], "min_score"));
      if (t->min_score < 0) return r.Error(th["min_score"], "min_score must be >= 0");
    }
    if (th["min_similarity"]) {
      KOLIBRI_ASSIGN_OR_RETURN(t->min_similarity, r.Number(th["min_similarity"], "min_similarity"));
      if (t->min_similarity < -1 || t->min_similarity > 1) {
        return r.Error(th["min_similarity"], "min_similarity must be between -1 and 1");
      }
    }
    if (th["min_confidence"]) {
      KOLIBRI_ASSIGN_OR_RETURN(t->min_confidence, r.Number(th["min_confidence"], "min_confidence"));
      if (t->min_confidence < 0 || t->min_confidence > 1) {
        return r.Error(th["min_confidence"], "min_confidence must be between 0 and 1");
      }
    }
  }
  if (const YAML::Node c = n["calibration"]) {
    if (!c.IsMap()) return r.Error(c, "calibration must be a mapping");
    KOLIBRI_RETURN_IF_ERROR(r.Keys(c, {"temperature"}, "calibration"));
    if (c["temperature"]) {
      KOLIBRI_ASSIGN_OR_RETURN(t->calibration.temperature, r.Number(c["temperature"], "calibration temperature"));
      if (t->calibration.temperature <= 0) return r.Error(c["temperature"], "calibration temperature must be > 0");
    }
  }
  if (n["scoring"]) {
    KOLIBRI_ASSIGN_OR_RETURN(std::string s, r.String(n["scoring"], "scoring"));
    if (s == "restricted") t->scoring = LabelScoring::kRestricted;
    else if (s == "full") t->scoring = LabelScoring::kFull;
    else return r.Error(n["scoring"], "scoring must be restricted or full, got '" + s + "'");
  }
  if (t->kind == TaskKind::kAnswer) return ReadAnswer(r, n, base_dir, t);
  for (const char* key : {"index", "k", "max_citations"}) {
    if (n[key]) return r.Error(n[key], std::string(key) + " belongs to answer tasks");
  }
  if (t->kind == TaskKind::kExtract) {
    if (n["labels"]) return r.Error(n["labels"], "an extract task takes a schema, not labels");
    if (!n["schema"]) return r.Error(n, where + " (extract) needs a schema");
    return ReadSchema(r, n["schema"], base_dir, t);
  }
  if (n["schema"]) return r.Error(n["schema"], "a classify task takes labels, not a schema");
  if (!n["labels"]) return r.Error(n, where + " (classify) needs labels");
  return ReadLabels(r, n["labels"], t);
}

Status ApplySidecar(const std::string& path, TaskFile* file) {
  const std::string sidecar = CalibrationSidecarPath(path);
  if (!std::filesystem::exists(sidecar)) return Status::Ok();
  KOLIBRI_ASSIGN_OR_RETURN(std::string text, ReadFile(sidecar));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corrupt(sidecar + " is not a JSON object");
  for (auto& t : file->tasks) {
    if (!j.contains(t.name)) continue;
    const auto& e = j[t.name];
    if (!e.is_object() || !e.contains("temperature") || !e["temperature"].is_number() ||
        e["temperature"].get<double>() <= 0) {
      return Status::Corrupt(sidecar + ": the entry for '" + t.name + "' needs a positive temperature");
    }
    t.calibration.temperature = e["temperature"].get<double>();
    t.calibration.examples = e.value("examples", 0);
    t.calibration.nll_before = e.value("nll_before", 0.0);
    t.calibration.nll_after = e.value("nll_after", 0.0);
  }
  return Status::Ok();
}

}  // namespace

Result<const TaskDefinition*> TaskFile::Find(std::string_view name) const {
  std::string names;
  for (const auto& t : tasks) {
    if (t.name == name) return &t;
    names += (names.empty() ? "" : ", ") + t.name;
  }
  return Status::NotFound("no task '" + std::string(name) + "' in " + path + " (it has: " + names + ")");
}

Result<TaskFile> ParseTaskFile(std::string_view yaml, const std::string& display_name, const std::string& base_dir) {
  Reader r(display_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return r.Error(e.mark, e.msg);
  }
  TaskFile file;
  file.path = display_name;
  try {
    YAML::Node list = root;
    if (root.IsMap()) {
      KOLIBRI_RETURN_IF_ERROR(r.Keys(root, {"tasks"}, "the task file"));
      list = root["tasks"];
    }
    if (!list || !list.IsSequence() || list.size() == 0) {
      return Status::InvalidArgument(display_name + ": expected a list of tasks (at the top or under 'tasks:')");
    }
    std::map<std::string, int32_t> names;
    for (const auto& n : list) {
      TaskDefinition t;
      KOLIBRI_RETURN_IF_ERROR(ReadTask(r, n, display_name, base_dir, &t));
      auto [it, fresh] = names.emplace(t.name, t.line);
      if (!fresh) {
        return r.Error(n, "duplicate task name '" + t.name + "' (first at line " + std::to_string(it->second) + ")");
      }
      file.tasks.push_back(std::move(t));
    }
  } catch (const YAML::Exception& e) {
    return r.Error(e.mark, e.msg);
  }
  return file;
}

Result<TaskFile> LoadTaskFile(const std::string& path) {
  KOLIBRI_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  KOLIBRI_ASSIGN_OR_RETURN(TaskFile file,
                           ParseTaskFile(text, path, std::filesystem::path(path).parent_path().string()));
  KOLIBRI_RETURN_IF_ERROR(ApplySidecar(path, &file));
  return file;
}

std::string CalibrationSidecarPath(const std::string& task_file_path) { return task_file_path + ".calibration.json"; }

Status SaveCalibration(const std::string& task_file_path, const std::string& task_name, const Calibration& c) {
  const std::string sidecar = CalibrationSidecarPath(task_file_path);
  nlohmann::json j = nlohmann::json::object();
  if (std::filesystem::exists(sidecar)) {
    KOLIBRI_ASSIGN_OR_RETURN(std::string text, ReadFile(sidecar));
    j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Status::Corrupt(sidecar + " is not a JSON object");
  }
  j[task_name] = {{"temperature", c.temperature},
                  {"examples", c.examples},
                  {"nll_before", c.nll_before},
                  {"nll_after", c.nll_after}};
  const std::string tmp = sidecar + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return Status::IoError("cannot write " + tmp);
    f << j.dump(2) << "\n";
    if (!f) return Status::IoError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, sidecar, ec);
  if (ec) return Status::IoError("cannot replace " + sidecar + ": " + ec.message());
  return Status::Ok();
}

}  // namespace kolibri::tasks
