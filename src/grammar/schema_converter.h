// SchemaConverter: the state of one JSON Schema → Grammar conversion (private).
// json_schema_converter.cc holds dispatch, $ref and combinators; json_schema_types.cc the
// per-type builders (objects, arrays, strings, numbers).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "grammar/json_primitives.h"
#include "kolibri/grammar/json_schema_converter.h"

namespace kolibri::grammar {

using OJson = nlohmann::ordered_json;

class SchemaConverter {
 public:
  SchemaConverter(const OJson& root, const SchemaCompileOptions& options);
  Result<SchemaGrammar> Run();

  // Expression for the schema `s` found at JSON pointer `ptr`.
  Result<ExprId> Schema(const OJson& s, const std::string& ptr, int depth);
  // Same, wrapped in a rule so it can be referenced several times without duplication.
  Result<ExprId> SchemaRule(const OJson& s, const std::string& ptr, int depth);

  // Report helpers (deduplicated by pointer and keyword; post_checked wins over enforced).
  void Mark(const std::string& ptr, const std::string& keyword, KeywordHandling h, std::string note = "");
  // Strict: Unsupported error. Lenient: recorded as relaxed, returns OK.
  Status Reject(const std::string& ptr, const std::string& keyword, const std::string& why);

  // Resolves a $ref; sets *target_ptr. nullptr with *error set when it cannot.
  const OJson* Resolve(const std::string& ref, const std::string& ptr, std::string* target_ptr, Status* error);

  // Per-type builders (json_schema_types.cc).
  Result<ExprId> ObjectExpr(const OJson& s, const std::string& ptr, int depth);
  Result<ExprId> ArrayExpr(const OJson& s, const std::string& ptr, int depth);
  Result<ExprId> StringExpr(const OJson& s, const std::string& ptr, int depth);
  Result<ExprId> IntegerExpr(const OJson& s, const std::string& ptr);
  Result<ExprId> NumberExpr(const OJson& s, const std::string& ptr);

  Grammar& g() { return g_; }
  const JsonRules& json() const { return json_; }
  const SchemaCompileOptions& options() const { return options_; }
  Status CheckSize(const std::string& ptr) const;
  ExprId OwnRule(ExprId body);

 private:
  Result<ExprId> SchemaInner(const OJson& s, const std::string& ptr, int depth);
  Result<OJson> MergeAllOf(const OJson& s, const std::string& ptr, int depth);
  void ClassifyRest(const OJson& s, const std::string& ptr);
  static bool AnnotationKeywords(const std::string& keyword);

  const OJson& root_;
  SchemaCompileOptions options_;
  Grammar g_;
  JsonRules json_;
  std::map<std::string, int> ref_rules_;  // resolved pointer → rule
  std::map<std::pair<std::string, std::string>, size_t> report_index_;
  KeywordReport report_;
  std::map<std::string, int> substring_rules_;  // text → rule
};

std::string PointerEscape(const std::string& token);

// The InvalidArgument error of a schema that admits no value (naming the pointer), and its
// test: an optional member whose schema admits none is left out instead of failing.
Status AdmitsNoValue(const std::string& ptr, const std::string& why);
bool IsAdmitsNoValue(const Status& status);

}  // namespace kolibri::grammar
