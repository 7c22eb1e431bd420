// `kolibri schema check SCHEMA.json` and `kolibri schema validate SCHEMA.json INSTANCE.json`:
// the schema author's view of what constrained decoding will do with a schema (which
// keyword the grammar enforces, which the validator checks after generation, which is an
// ignored annotation, which is rejected) and a validator on the command line.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/grammar/json_schema_converter.h"
#include "kolibri/json_schema_validator.h"

namespace kolibri::cli {
namespace {

using grammar::KeywordHandling;

// Files larger than this are refused before parsing: an "enormous schema" must fail fast.
constexpr size_t kMaxFileBytes = 64u << 20;

Result<std::string> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return Status::NotFound("'" + path + "' does not exist or cannot be read");
  const std::streamoff size = in.tellg();
  if (size < 0) return Status::IoError("cannot read '" + path + "'");
  if (static_cast<size_t>(size) > kMaxFileBytes) {
    return Status::ResourceExhausted("'" + path + "' is larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB");
  }
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  in.read(bytes.data(), size);
  if (!in) return Status::IoError("cannot read '" + path + "'");
  return bytes;
}

// Parses JSON, naming file, line and column on error.
Result<nlohmann::ordered_json> ParseJsonFile(const std::string& path) {
  KOLIBRI_ASSIGN_OR_RETURN(std::string text, ReadFileBytes(path));
  try {
    return nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const size_t offset = e.byte == 0 ? 0 : e.byte - 1;
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    const size_t colon = what.rfind(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    return Status::InvalidArgument(path + ":" + std::to_string(line) + ":" + std::to_string(column) +
                                   ": not valid JSON: " + what);
  }
}

// What a user reads for each handling, in the strict or lenient mode asked for.
std::string HandlingLabel(KeywordHandling h, grammar::SchemaMode mode) {
  switch (h) {
    case KeywordHandling::kEnforced: return "enforced by grammar";
    case KeywordHandling::kPostChecked: return "checked after generation";
    case KeywordHandling::kAnnotation: return "annotation (ignored)";
    case KeywordHandling::kRelaxed: return mode == grammar::SchemaMode::kStrict ? "rejected" : "relaxed (ignored)";
    case KeywordHandling::kRejected: return "rejected";
  }
  return "?";
}

std::string HandlingKey(KeywordHandling h, grammar::SchemaMode mode) {
  if (h == KeywordHandling::kRelaxed && mode == grammar::SchemaMode::kStrict) return "rejected";
  return std::string(grammar::KeywordHandlingName(h));
}

// A vocabulary of the 256 single bytes plus a stop token: enough to compile the grammar's
// automaton (left recursion, emptiness, size) without a model.
std::shared_ptr<const grammar::VocabularyIndex> ByteVocabulary() {
  grammar::Vocabulary v;
  for (int b = 0; b < 256; ++b) v.token_bytes.push_back(std::string(1, static_cast<char>(b)));
  v.token_bytes.push_back("");
  v.special.assign(v.token_bytes.size(), false);
  v.stop_ids = {256};
  v.id = "kolibri-schema-check-bytes";
  return grammar::VocabularyIndex::Build(std::move(v));
}

struct CheckOptions {
  std::string schema_path;
  bool lenient = false;
  bool json = false;
};

Status RunCheck(const CheckOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(nlohmann::ordered_json schema, ParseJsonFile(o.schema_path));
  const grammar::SchemaMode mode = o.lenient ? grammar::SchemaMode::kLenient : grammar::SchemaMode::kStrict;
  // Converted leniently so the report lists every keyword; in strict mode the relaxed ones
  // are exactly those strict conversion rejects, and they are shown (and fail) as rejected.
  grammar::SchemaCompileOptions copts;
  copts.mode = grammar::SchemaMode::kLenient;
  auto converted = grammar::JsonSchemaValueToGrammar(schema, copts);
  if (!converted.ok()) {
    return converted.status().WithContext(o.schema_path);
  }
  auto compiled = grammar::CompileGrammar(converted->grammar, ByteVocabulary());
  if (!compiled.ok()) return compiled.status().WithContext(o.schema_path);
  // The validator runs after every generation; a schema it cannot compile (a pattern
  // outside its regex dialect, a malformed keyword) is refused here too. What lenient mode
  // relaxes (strict mode rejects, below) is dropped for it as well.
  nlohmann::json checked = nlohmann::json(schema);
  for (const auto& e : converted->report.entries) {
    if (e.handling != KeywordHandling::kRelaxed) continue;
    try {
      nlohmann::json& holder = checked.at(nlohmann::json::json_pointer(e.pointer));
      if (holder.is_object()) holder.erase(e.keyword);
    } catch (const nlohmann::json::exception&) {
      // A pointer into a merged or referenced copy: the validator resolves it on its own.
    }
  }
  auto validator = JsonSchemaValidator::Compile(checked);
  if (!validator.ok()) return validator.status().WithContext(o.schema_path);

  const grammar::KeywordReport& report = converted->report;
  std::map<std::string, size_t> counts;
  const grammar::KeywordReportEntry* first_rejected = nullptr;
  for (const auto& e : report.entries) {
    ++counts[HandlingKey(e.handling, mode)];
    if (first_rejected == nullptr && mode == grammar::SchemaMode::kStrict && e.handling == KeywordHandling::kRelaxed) {
      first_rejected = &e;
    }
  }
  if (o.json) {
    nlohmann::ordered_json out;
    out["schema"] = o.schema_path;
    out["mode"] = o.lenient ? "lenient" : "strict";
    out["accepted"] = first_rejected == nullptr;
    out["draft"] = std::string(DraftName(validator->draft()));
    out["grammar"] = {{"rules", converted->grammar.rules().size()},
                      {"expressions", converted->grammar.size()},
                      {"automaton_nodes", (*compiled)->node_count()},
                      {"shortest_instance_bytes", (*compiled)->MinBytesFromStart()}};
    out["counts"] = counts;
    nlohmann::ordered_json keywords = nlohmann::ordered_json::array();
    for (const auto& e : report.entries) {
      keywords.push_back({{"pointer", e.pointer}, {"keyword", e.keyword},
                          {"handling", HandlingKey(e.handling, mode)}, {"note", e.note}});
    }
    out["keywords"] = std::move(keywords);
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    size_t width = 7;
    for (const auto& e : report.entries) width = std::max(width, e.pointer.size() + e.keyword.size() + 1);
    width = std::min<size_t>(width, 60);
    for (const auto& e : report.entries) {
      const std::string place = (e.pointer.empty() ? "" : e.pointer) + "/" + e.keyword;
      std::printf("%-*s  %s%s%s\n", static_cast<int>(width), place.c_str(), HandlingLabel(e.handling, mode).c_str(),
                  e.note.empty() ? "" : ": ", e.note.c_str());
    }
    std::printf("\n%s (%s, %s): ", o.schema_path.c_str(), o.lenient ? "lenient" : "strict",
                std::string(DraftName(validator->draft())).c_str());
    bool first = true;
    for (const auto& [key, n] : counts) {
      std::printf("%s%zu %s", first ? "" : ", ", n, key.c_str());
      first = false;
    }
    std::printf("%s; grammar %zu rules, %zu automaton nodes\n", first ? "no keywords" : "",
                converted->grammar.rules().size(), (*compiled)->node_count());
  }
  std::fflush(stdout);
  if (first_rejected != nullptr) {
    return Status::Unsupported(o.schema_path + ": keyword '" + first_rejected->keyword + "' at '" +
                               first_rejected->pointer + "' can be neither enforced nor checked: " +
                               first_rejected->note + " (--lenient relaxes it)");
  }
  return Status::Ok();
}

struct ValidateOptions {
  std::string schema_path;
  std::string instance_path;
  bool json = false;
};

Status RunValidate(const ValidateOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(nlohmann::ordered_json schema, ParseJsonFile(o.schema_path));
  KOLIBRI_ASSIGN_OR_RETURN(nlohmann::ordered_json instance, ParseJsonFile(o.instance_path));
  ValidatorOptions vopts;
  vopts.max_errors = 100;
  auto validator = JsonSchemaValidator::Compile(nlohmann::json(schema), vopts);
  if (!validator.ok()) return validator.status().WithContext(o.schema_path);
  const std::vector<ValidationError> errors = validator->Validate(nlohmann::json(instance));
  if (o.json) {
    nlohmann::ordered_json out;
    out["valid"] = errors.empty();
    out["draft"] = std::string(DraftName(validator->draft()));
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& e : errors) {
      list.push_back({{"instance_pointer", e.instance_pointer}, {"schema_pointer", e.schema_pointer},
                      {"keyword", e.keyword}, {"message", e.message}});
    }
    out["errors"] = std::move(list);
    std::printf("%s\n", out.dump(2).c_str());
  } else if (errors.empty()) {
    std::printf("%s: valid\n", o.instance_path.c_str());
  } else {
    for (const auto& e : errors) std::printf("%s  (schema %s)\n", e.ToString().c_str(), e.schema_pointer.c_str());
  }
  std::fflush(stdout);
  if (!errors.empty()) {
    return Status::FailedPrecondition(o.instance_path + " does not match " + o.schema_path + ": " +
                                      std::to_string(errors.size()) + (errors.size() == 1 ? " violation" : " violations") +
                                      ", first " + errors.front().ToString());
  }
  return Status::Ok();
}

}  // namespace

void RegisterSchemaCommand(CLI::App& root, CommandFn* run) {
  CLI::App* schema = root.add_subcommand("schema", "Inspect JSON Schemas for constrained decoding; validate instances");
  schema->require_subcommand(1);

  auto check = std::make_shared<CheckOptions>();
  CLI::App* c = schema->add_subcommand(
      "check", "List per keyword (with its JSON pointer) whether the grammar enforces it, the validator checks it "
               "after generation, it is an ignored annotation, or it is rejected; exit 4 when strict mode rejects");
  c->add_option("schema", check->schema_path, "JSON Schema file")->required();
  c->add_flag("--lenient", check->lenient, "Relax what can be neither enforced nor checked (e.g. a remote $ref)");
  c->add_flag("--json", check->json, "Machine-readable output");
  c->callback([run, check] { *run = [check] { return RunCheck(*check); }; });

  auto validate = std::make_shared<ValidateOptions>();
  CLI::App* v = schema->add_subcommand(
      "validate", "Validate a JSON instance against a JSON Schema; print violations located by JSON pointer, exit 1 "
                  "when invalid");
  v->add_option("schema", validate->schema_path, "JSON Schema file")->required();
  v->add_option("instance", validate->instance_path, "JSON instance file")->required();
  v->add_flag("--json", validate->json, "Machine-readable output");
  v->callback([run, validate] { *run = [validate] { return RunValidate(*validate); }; });
}

}  // namespace kolibri::cli
