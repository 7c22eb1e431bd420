#include "server/structured_output.h"

#include <nlohmann/json.hpp>

namespace kolibri::server {
namespace {

constexpr const char* kSchemaParam = "response_format.json_schema.schema";

ApiError SchemaError(const Status& status) {
  ApiError e{Status(status.code(), "invalid response_format schema: " + status.message()), kSchemaParam,
             "invalid_schema"};
  e.http_status = 400;  // also for ResourceExhausted: an oversized schema is the client's to fix
  return e;
}

// The schema as the client wrote it, keys in their order (ParseApiRequest's copy is sorted).
std::string SchemaInClientOrder(const ResponseFormat& format, std::string_view raw_body) {
  auto body = nlohmann::ordered_json::parse(raw_body, nullptr, false);
  if (!body.is_object()) return format.schema;
  auto rf = body.find("response_format");
  if (rf == body.end() || !rf->is_object()) return format.schema;
  auto spec = rf->find("json_schema");
  if (spec == rf->end() || !spec->is_object()) return format.schema;
  auto schema = spec->find("schema");
  if (schema == spec->end()) return format.schema;
  return schema->dump();
}

}  // namespace

std::vector<std::string> OutputConstraint::Check(std::string_view text) const {
  auto value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded()) return {"/: the answer is not valid JSON"};
  std::vector<std::string> violations;
  if (validator) {
    for (const auto& e : validator->Validate(value)) violations.push_back(e.ToString());
  } else if (!value.is_object()) {
    violations.push_back("/: the answer is not a JSON object");
  }
  return violations;
}

StructuredOutput::StructuredOutput(const Model& model, StructuredOutputOptions options)
    : model_(model), options_(options), grammars_(options.grammar_cache_capacity) {}

void StructuredOutput::Warmup() {
  auto vocabulary = model_.GrammarVocabulary();
  grammar::PrecomputeJsonMasks(vocabulary);
  (void)grammars_.JsonObject(vocabulary);
}

std::variant<JsonSchemaValidator, ApiError> StructuredOutput::Validator(const std::string& schema_text) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = validators_.find(schema_text); it != validators_.end()) return it->second;
  }
  auto schema = nlohmann::json::parse(schema_text, nullptr, false);
  if (schema.is_discarded()) return SchemaError(Status::InvalidArgument("the schema is not JSON"));
  auto compiled = JsonSchemaValidator::Compile(schema);
  if (!compiled.ok()) return SchemaError(compiled.status());
  std::lock_guard<std::mutex> lock(mutex_);
  if (validators_.size() >= options_.validator_cache_capacity) validators_.clear();
  validators_.emplace(schema_text, *compiled);
  return *compiled;
}

std::variant<std::shared_ptr<const OutputConstraint>, ApiError> StructuredOutput::Compile(
    const ResponseFormat& format, std::string_view raw_body) {
  auto vocabulary = model_.GrammarVocabulary();
  auto constraint = std::make_shared<OutputConstraint>();
  if (format.kind == ResponseFormat::Kind::kJsonObject) {
    auto compiled = grammars_.JsonObject(vocabulary);
    if (!compiled.ok()) return ApiError{compiled.status(), "response_format", ""};
    constraint->grammar = (*compiled)->grammar;
    return std::shared_ptr<const OutputConstraint>(std::move(constraint));
  }
  const std::string schema = SchemaInClientOrder(format, raw_body);
  grammar::SchemaCompileOptions o;
  o.mode = format.strict ? grammar::SchemaMode::kStrict : grammar::SchemaMode::kLenient;
  o.max_expanded_repeat = options_.max_expanded_repeat;
  auto compiled = grammars_.JsonSchema(schema, o, vocabulary);
  if (!compiled.ok()) return SchemaError(compiled.status());
  auto validator = Validator(schema);
  if (auto* e = std::get_if<ApiError>(&validator)) return *e;
  constraint->grammar = (*compiled)->grammar;
  constraint->validator = std::get<JsonSchemaValidator>(std::move(validator));
  for (const auto& entry : (*compiled)->report.entries) {
    if (entry.handling == grammar::KeywordHandling::kPostChecked) constraint->post_checked = true;
    if (entry.handling == grammar::KeywordHandling::kRelaxed) {
      constraint->relaxed.push_back((entry.pointer.empty() ? "/" : entry.pointer) + " " + entry.keyword);
    }
  }
  return std::shared_ptr<const OutputConstraint>(std::move(constraint));
}

}  // namespace kolibri::server
