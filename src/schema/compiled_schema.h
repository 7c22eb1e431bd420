// CompiledSchema: the immutable result of JsonSchemaValidator::Compile() — the schema
// documents plus everything resolved from them once (which node each "$ref" reaches, the
// draft and location of every reachable subschema, compiled patterns, anchors). The
// Evaluator walks the JSON of the schema itself and looks these facts up by node address,
// so the documents must never move: they live behind unique_ptrs.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolibri/json_schema_validator.h"
#include "schema/ecma_regex.h"

namespace kolibri {

using Json = nlohmann::json;

// What Compile() knows about one subschema.
struct SchemaNode {
  Draft draft = Draft::k2020_12;
  std::string base_uri;        // absolute URI that relative references resolve against
  std::string location;        // schema pointer, "uri#/pointer" outside the root document
  const Json* resource = nullptr;  // root of the enclosing schema resource ($id or document)
};

// A "$dynamicRef" (2020-12) or "$recursiveRef" (2019-09) after static resolution.
struct DynamicReference {
  const Json* target = nullptr;  // the statically resolved schema
  std::string anchor;            // $dynamicAnchor name; empty for $recursiveRef
  bool dynamic = false;          // true when the target opts in to dynamic resolution
};

class CompiledSchema {
 public:
  Draft root_draft = Draft::k2020_12;
  bool validate_formats = true;
  size_t max_errors = 20;
  size_t max_pattern_subject_length = 65536;
  // Set when some reachable schema uses unevaluatedProperties/unevaluatedItems: only then
  // does evaluation pay for tracking which properties and items were evaluated.
  bool track_annotations = false;

  std::vector<std::unique_ptr<Json>> documents;  // [0] is the root schema
  std::unordered_map<const Json*, SchemaNode> nodes;
  std::unordered_map<const Json*, const Json*> refs;  // node holding "$ref" → target
  std::unordered_map<const Json*, DynamicReference> dynamic_refs;
  // Resource root → $dynamicAnchor name → schema carrying it.
  std::unordered_map<const Json*, std::unordered_map<std::string, const Json*>> dynamic_anchors;
  std::unordered_set<const Json*> recursive_anchors;  // resource roots with $recursiveAnchor: true
  std::unordered_map<std::string, schema::EcmaRegex> regexes;  // by pattern text

  const Json& root() const { return *documents.front(); }
  const SchemaNode& Node(const Json& schema) const;  // aborts for a node Compile() never saw
  const schema::EcmaRegex& Regex(const std::string& pattern) const;
};

namespace schema {

// Builds a CompiledSchema (the work of JsonSchemaValidator::Compile()).
Result<std::shared_ptr<const CompiledSchema>> CompileSchema(const Json& schema,
                                                            const ValidatorOptions& options);

// The subschemas `node` applies under `draft`, each with the pointer suffix that reaches it
// ("/properties/a"). Keywords that a draft ≤ 7 "$ref" overrides are included: they can
// still be reached by pointer.
struct Subschema {
  const Json* schema;
  std::string suffix;
};
std::vector<Subschema> Subschemas(const Json& node, Draft draft);

// InvalidArgument when a keyword the validator evaluates has a value of the wrong shape
// (e.g. "minLength": "3"); `location` names the node in the message.
Status CheckKeywordShapes(const Json& node, Draft draft, const std::string& location);

}  // namespace schema
}  // namespace kolibri
