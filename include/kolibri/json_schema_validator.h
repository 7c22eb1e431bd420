// JsonSchemaValidator: checks JSON instances against a JSON Schema and reports every
// violation located by JSON pointer, in words short enough to feed back to a small model
// ("/items/2/price: 12.5 is not a multiple of 0.2").
//
// Semantics are those of draft 2020-12; drafts 4, 6, 7 and 2019-09 are accepted and chosen
// by the schema's "$schema" (ValidatorOptions::default_draft when absent or unknown). Draft 3
// is not supported. The draft-04/06/07 meta-schemas are bundled, so a "$ref" to one resolves. Compatibility extensions, because real-world schemas mix drafts:
//   - under 2019-09/2020-12, "dependencies" (draft 7) is still honoured and "definitions"
//     is still a place where "$id"s are found;
//   - under 2020-12, an array-valued "items" keeps its draft-7 meaning (a tuple, with
//     "additionalItems" for the rest);
//   - a boolean "exclusiveMaximum"/"exclusiveMinimum" keeps its draft-4 meaning in any draft.
//
// Compile() does all the expensive and fallible work once: it resolves every "$ref"
// ("#/json/pointer", "$defs", "$id" and "$anchor" URIs, relative URIs against "$id" bases,
// recursion, "$dynamicRef"/"$recursiveRef"), compiles every "pattern", and checks the shape
// of every keyword it evaluates. Validate() cannot fail: it only reports violations.
//
// Limits (documented gaps): "pattern" uses std::wregex (ECMAScript flavour) over UTF-32, so
// "." and classes see code points and "\d"/"\w" are ASCII as ECMAScript wants, but Unicode
// property escapes ("\p{L}"), lookbehind and named groups are rejected at Compile(); strings
// longer than ValidatorOptions::max_pattern_subject_length are reported as violations rather
// than matched, to bound recursion and time. "contentEncoding"/"contentMediaType" are annotations.
//
// Thread safety: a compiled validator is immutable; Validate() and IsValid() may be called
// from many threads at once. Values are cheap to move and copy (shared immutable state).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolibri/status.h"

namespace kolibri {

enum class Draft {
  k4,
  k6,
  k7,
  k2019_09,
  k2020_12,
};

// "draft-04", "draft-06", "draft-07", "2019-09", "2020-12".
std::string_view DraftName(Draft draft);

// The draft named by a "$schema" URI ("http://json-schema.org/draft-07/schema#"), or
// nullopt when the URI names no draft this validator knows (draft 3 included).
std::optional<Draft> DraftFromSchemaUri(std::string_view uri);

// True when the validator evaluates `keyword` under `draft` (an assertion or applicator such
// as "uniqueItems" or "unevaluatedProperties", or "format" when formats are validated, or a
// core keyword such as "$ref"). Annotations ("title", "default", "examples", ...) and unknown
// keywords give false. The grammar compiler uses this to say honestly which keywords it
// leaves to the validator ("post_checked").
bool IsValidatorKeyword(std::string_view keyword, Draft draft);

// True when the validator checks "format": `format` (e.g. "date-time", "uuid"). Unknown
// formats are annotations and are not checked.
bool IsValidatorFormat(std::string_view format);

struct ValidatorOptions {
  // Draft used when the root schema has no "$schema".
  Draft default_draft = Draft::k2020_12;
  // Treat "format" as an assertion for the formats IsValidatorFormat() knows: date, time,
  // date-time, duration, email, idn-email, hostname, idn-hostname, ipv4, ipv6, uri,
  // uri-reference, iri, iri-reference, uri-template, uuid, regex, json-pointer,
  // relative-json-pointer. False: "format" is an annotation only.
  bool validate_formats = true;
  // Validate() stops after this many violations (0: no limit).
  size_t max_errors = 20;
  // Strings longer than this (in code points) are reported as violating "pattern" /
  // "patternProperties" instead of being matched: std::regex recurses per character, so
  // subjects over 1000 code points are matched on a helper thread with a stack reserved
  // for this bound (8 KiB per code point, committed only as used).
  size_t max_pattern_subject_length = 65536;
  // Documents that "$ref" may reach by absolute URI, keyed by URI without fragment
  // ("http://localhost:1234/integer.json"). Any other URI outside the schema gives
  // Status::Unsupported at Compile(): the validator never fetches anything.
  std::map<std::string, nlohmann::json> documents;
};

// One violation. Pointers are RFC 6901 JSON pointers ("" is the whole instance).
struct ValidationError {
  std::string instance_pointer;  // where in the instance ("/items/2/price")
  std::string schema_pointer;    // the failing keyword in the schema ("/$defs/price/multipleOf");
                                 // prefixed with the document URI for preloaded documents
  std::string keyword;           // "multipleOf", or "false" for a false schema
  std::string message;           // "12.5 is not a multiple of 0.2"

  // "/items/2/price: 12.5 is not a multiple of 0.2" (the root shows as "/").
  std::string ToString() const;
};

class CompiledSchema;  // private to src/schema

class JsonSchemaValidator {
 public:
  // Resolves and checks `schema` once. Errors (InvalidArgument unless noted) name the
  // schema pointer: an unresolvable "$ref", a "$ref" to an unknown absolute URI
  // (Unsupported), an invalid or unsupported "pattern", a keyword whose value has the wrong
  // shape, a draft-03 "$schema" (Unsupported). A "$schema" naming no known draft (a custom
  // meta-schema) falls back to options.default_draft.
  static Result<JsonSchemaValidator> Compile(const nlohmann::json& schema,
                                             const ValidatorOptions& options = {});

  // Every violation of `instance`, at most options.max_errors; empty means valid.
  std::vector<ValidationError> Validate(const nlohmann::json& instance) const;

  // Same verdict as Validate().empty(), faster: stops at the first violation.
  bool IsValid(const nlohmann::json& instance) const;

  // The draft the root schema is evaluated under.
  Draft draft() const;

 private:
  explicit JsonSchemaValidator(std::shared_ptr<const CompiledSchema> compiled);
  std::shared_ptr<const CompiledSchema> compiled_;
};

}  // namespace kolibri
