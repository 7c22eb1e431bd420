#include "kolibri/json_schema_validator.h"

#include "schema/compiled_schema.h"
#include "schema/evaluator.h"

namespace kolibri {

std::string ValidationError::ToString() const {
  return (instance_pointer.empty() ? "/" : instance_pointer) + ": " + message;
}

JsonSchemaValidator::JsonSchemaValidator(std::shared_ptr<const CompiledSchema> compiled)
    : compiled_(std::move(compiled)) {}

Result<JsonSchemaValidator> JsonSchemaValidator::Compile(const nlohmann::json& schema,
                                                         const ValidatorOptions& options) {
  KOLIBRI_ASSIGN_OR_RETURN(std::shared_ptr<const CompiledSchema> compiled,
                           schema::CompileSchema(schema, options));
  return JsonSchemaValidator(std::move(compiled));
}

std::vector<ValidationError> JsonSchemaValidator::Validate(const nlohmann::json& instance) const {
  std::vector<ValidationError> errors;
  schema::Evaluator evaluator(*compiled_, &errors);
  bool valid = evaluator.Evaluate(compiled_->root(), instance, nullptr);
  // Every failing path records a violation before it returns false.
  KOLIBRI_CHECK(valid == errors.empty());
  return errors;
}

bool JsonSchemaValidator::IsValid(const nlohmann::json& instance) const {
  schema::Evaluator evaluator(*compiled_, nullptr);
  return evaluator.Evaluate(compiled_->root(), instance, nullptr);
}

Draft JsonSchemaValidator::draft() const { return compiled_->root_draft; }

}  // namespace kolibri
