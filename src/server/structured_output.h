// StructuredOutput: an OpenAI response_format turned into what constrains and checks an
// answer — a compiled grammar for the scheduler (token masks) and the JSON Schema
// validator that checks the finished text for the keywords the grammar only post-checks
// (uniqueItems, not, multipleOf on numbers, ...).
//
//   json_object  → any JSON object (the grammar enforces everything)
//   json_schema  → grammar::JsonSchemaToGrammar + CompileGrammar through one shared
//                  grammar::GrammarCompileCache, plus a JsonSchemaValidator of the schema
//
// Errors from Compile are ApiErrors (400) naming the request field and, for schemas, the
// JSON pointer inside the schema. Thread-safe: handlers compile concurrently; compiled
// grammars and validators are shared and immutable.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kolibri/grammar/compile_cache.h"
#include "kolibri/json_schema_validator.h"
#include "kolibri/model.h"
#include "server/api_error.h"
#include "server/openai_request.h"

namespace kolibri::server {

struct OutputConstraint {
  std::shared_ptr<const grammar::CompiledGrammar> grammar;
  std::optional<JsonSchemaValidator> validator;  // json_schema only
  bool json = true;  // false for a GBNF grammar: the grammar is the whole contract
  // Some keyword is checked only after generation: a streamed answer must be held back
  // until it is validated.
  bool post_checked = false;
  std::vector<std::string> relaxed;  // lenient compile: "pointer keyword" of each relaxed keyword

  // Violations of a finished answer, each "pointer: message" (empty: valid). Text that is
  // not JSON, or (json_object) not an object, is one violation.
  std::vector<std::string> Check(std::string_view text) const;
};

struct StructuredOutputOptions {
  size_t grammar_cache_capacity = 64;    // compiled grammars kept (LRU)
  size_t validator_cache_capacity = 64;  // compiled validators kept (cleared when full)
  // See grammar::SchemaCompileOptions. Bounds up to this (e.g. maxLength 40) are enforced by
  // the grammar instead of post-checked: a noisy small model writes long strings, and a
  // post-checked bound then costs resamples or a 422.
  int max_expanded_repeat = 128;
};

class StructuredOutput {
 public:
  StructuredOutput(const Model& model, StructuredOutputOptions options = {});

  // The constraint for `format` (kind != kText). `raw_body` is the request body as sent:
  // the schema is re-read from it so the output keeps the schema's property order.
  std::variant<std::shared_ptr<const OutputConstraint>, ApiError> Compile(const ResponseFormat& format,
                                                                          std::string_view raw_body);

  // Builds the model's grammar vocabulary and the shared JSON masks now (about a second at a
  // 150k vocabulary) so that the first structured request does not pay for them.
  void Warmup();

  uint64_t grammar_cache_hits() const { return grammars_.hits(); }
  uint64_t grammar_cache_misses() const { return grammars_.misses(); }

 private:
  std::variant<JsonSchemaValidator, ApiError> Validator(const std::string& schema_text);

  const Model& model_;
  StructuredOutputOptions options_;
  grammar::GrammarCompileCache grammars_;
  std::mutex mutex_;
  std::map<std::string, JsonSchemaValidator> validators_;
};

}  // namespace kolibri::server
