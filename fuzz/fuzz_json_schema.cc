// libFuzzer: JSON Schema → grammar (strict and lenient), the compiled grammar's matcher, and
// the validator on the same schema. Input: a JSON document used as the schema.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "kolibri/grammar/json_schema_converter.h"
#include "kolibri/json_schema_validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto schema = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded()) return 0;
  kolibri::grammar::SchemaCompileOptions options;
  options.mode = size % 2 ? kolibri::grammar::SchemaMode::kLenient : kolibri::grammar::SchemaMode::kStrict;
  options.max_grammar_exprs = 50000;
  options.max_nesting_depth = 64;
  options.max_expanded_repeat = 8;
  options.max_expanded_length = 16;
  auto converted = kolibri::grammar::JsonSchemaValueToGrammar(schema, options);
  if (converted.ok()) kolibri::fuzz::ExerciseGrammar(converted->grammar, text);

  kolibri::ValidatorOptions vopts;
  vopts.max_pattern_subject_length = 256;
  auto validator = kolibri::JsonSchemaValidator::Compile(nlohmann::json(schema), vopts);
  if (validator.ok()) {
    for (const nlohmann::json& instance :
         {nlohmann::json(nullptr), nlohmann::json::object(), nlohmann::json::array({1, "a", nullptr}),
          nlohmann::json("text"), nlohmann::json(-2.5)}) {
      (void)validator->Validate(instance);
    }
  }
  return 0;
}
