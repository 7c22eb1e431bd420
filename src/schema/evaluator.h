// Evaluator: one validation of one instance against a CompiledSchema. Walks the schema JSON
// and the instance together, keyword family by keyword family (one .cc file each), and
// records violations with their instance and schema pointers.
//
// Two modes: collecting (errors go to a vector, up to a limit, and evaluation continues to
// find them all) and probing (no vector: the first violation ends the walk). Subschemas whose
// failure is not itself an error (anyOf branches, "not", "if", "contains") are probed.
//
// Not thread-safe; cheap to create, one per Validate() call.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "schema/compiled_schema.h"

namespace kolibri::schema {

// What a schema evaluated of an object or array, for unevaluatedProperties/Items.
struct Annotations {
  std::set<std::string> properties;  // evaluated property names
  size_t items_prefix = 0;           // items [0, items_prefix) evaluated
  bool all_items = false;            // every item evaluated
  std::set<size_t> contained;        // items that matched "contains" (2020-12)

  void Merge(const Annotations& other);
  bool ItemEvaluated(size_t index) const;
};

class Evaluator {
 public:
  // `errors` null: probing mode (stop at the first violation).
  Evaluator(const CompiledSchema& compiled, std::vector<ValidationError>* errors);

  // True when `instance` is valid against `schema` (a node of `compiled`). When
  // `annotations` is not null and the schema holds, they receive what it evaluated.
  bool Evaluate(const Json& schema, const Json& instance, Annotations* annotations);

 private:
  // Keyword families; each returns false when the instance violates one of its keywords.
  bool EvaluateObject(const Json& schema, const Json& instance, Annotations* annotations);
  bool EvaluateReferences(const Json& schema, const Json& instance, Annotations* annotations);
  bool EvaluateGeneric(const Json& schema, const Json& instance);       // type, enum, const
  bool EvaluateNumber(const Json& schema, const Json& instance);        // keywords_scalar.cc
  bool EvaluateString(const Json& schema, const Json& instance);        // keywords_scalar.cc
  bool EvaluateArray(const Json& schema, const Json& instance, Annotations* annotations);
  bool EvaluateProperties(const Json& schema, const Json& instance, Annotations* annotations);
  bool EvaluateApplicators(const Json& schema, const Json& instance, Annotations* annotations);
  bool EvaluateUnevaluated(const Json& schema, const Json& instance, Annotations* annotations);

  // Evaluates `schema` against `instance[token]` with the instance path extended.
  bool EvaluateChild(const Json& schema, const Json& child, const std::string& token,
                     Annotations* annotations);
  // Probes `schema` against `instance`: true when valid; the first violation's text goes to
  // `first_error` when it is not null.
  bool Probe(const Json& schema, const Json& instance, Annotations* annotations,
             std::string* first_error);
  // Records a violation of `keyword` at the current locations; returns false.
  bool Fail(std::string_view keyword, std::string message);
  // True when evaluation may stop: probing, or the error limit is reached.
  bool ShouldStop() const;
  std::string InstancePointer() const;
  const Json* ResolveDynamic(const DynamicReference& reference) const;

  const CompiledSchema& compiled_;
  std::vector<ValidationError>* errors_;
  size_t error_limit_;
  std::vector<std::string> instance_path_;
  const SchemaNode* node_ = nullptr;       // the schema being evaluated
  std::vector<const Json*> dynamic_scope_;  // resources entered, outermost first
  int depth_ = 0;
};

}  // namespace kolibri::schema
