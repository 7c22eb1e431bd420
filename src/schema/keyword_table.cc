// Which keywords each draft evaluates, where its subschemas sit, and what shape their
// values must have. One table so that the validator, the shape checks and
// IsValidatorKeyword() cannot drift apart.
#include <array>
#include <string_view>

#include "schema/compiled_schema.h"
#include "schema/format_checker.h"
#include "schema/json_value.h"
#include "schema/uri.h"

namespace kolibri {
namespace {

struct KeywordSpec {
  std::string_view name;
  Draft first;  // first draft that evaluates it
  Draft last;   // last draft that evaluates it
};

// Compatibility extensions (header comment) keep "dependencies" and "additionalItems" alive
// in later drafts.
constexpr std::array<KeywordSpec, 43> kKeywords = {{
    {"$ref", Draft::k4, Draft::k2020_12},
    {"$recursiveRef", Draft::k2019_09, Draft::k2019_09},
    {"$dynamicRef", Draft::k2020_12, Draft::k2020_12},
    {"type", Draft::k4, Draft::k2020_12},
    {"enum", Draft::k4, Draft::k2020_12},
    {"const", Draft::k6, Draft::k2020_12},
    {"multipleOf", Draft::k4, Draft::k2020_12},
    {"maximum", Draft::k4, Draft::k2020_12},
    {"exclusiveMaximum", Draft::k4, Draft::k2020_12},
    {"minimum", Draft::k4, Draft::k2020_12},
    {"exclusiveMinimum", Draft::k4, Draft::k2020_12},
    {"maxLength", Draft::k4, Draft::k2020_12},
    {"minLength", Draft::k4, Draft::k2020_12},
    {"pattern", Draft::k4, Draft::k2020_12},
    {"format", Draft::k4, Draft::k2020_12},
    {"items", Draft::k4, Draft::k2020_12},
    {"prefixItems", Draft::k2020_12, Draft::k2020_12},
    {"additionalItems", Draft::k4, Draft::k2020_12},
    {"unevaluatedItems", Draft::k2019_09, Draft::k2020_12},
    {"maxItems", Draft::k4, Draft::k2020_12},
    {"minItems", Draft::k4, Draft::k2020_12},
    {"uniqueItems", Draft::k4, Draft::k2020_12},
    {"contains", Draft::k6, Draft::k2020_12},
    {"minContains", Draft::k2019_09, Draft::k2020_12},
    {"maxContains", Draft::k2019_09, Draft::k2020_12},
    {"maxProperties", Draft::k4, Draft::k2020_12},
    {"minProperties", Draft::k4, Draft::k2020_12},
    {"required", Draft::k4, Draft::k2020_12},
    {"properties", Draft::k4, Draft::k2020_12},
    {"patternProperties", Draft::k4, Draft::k2020_12},
    {"additionalProperties", Draft::k4, Draft::k2020_12},
    {"unevaluatedProperties", Draft::k2019_09, Draft::k2020_12},
    {"propertyNames", Draft::k6, Draft::k2020_12},
    {"dependencies", Draft::k4, Draft::k2020_12},
    {"dependentRequired", Draft::k2019_09, Draft::k2020_12},
    {"dependentSchemas", Draft::k2019_09, Draft::k2020_12},
    {"allOf", Draft::k4, Draft::k2020_12},
    {"anyOf", Draft::k4, Draft::k2020_12},
    {"oneOf", Draft::k4, Draft::k2020_12},
    {"not", Draft::k4, Draft::k2020_12},
    {"if", Draft::k7, Draft::k2020_12},
    {"then", Draft::k7, Draft::k2020_12},
    {"else", Draft::k7, Draft::k2020_12},
}};

bool Evaluates(std::string_view keyword, Draft draft) {
  for (const KeywordSpec& spec : kKeywords) {
    if (spec.name == keyword) return draft >= spec.first && draft <= spec.last;
  }
  return false;
}

Status ShapeError(const std::string& location, std::string_view keyword, std::string_view want) {
  return Status::InvalidArgument("schema keyword '" + std::string(keyword) + "' at " +
                                 (location.empty() ? "the root" : location) + " must be " +
                                 std::string(want));
}

bool IsSchemaValue(const Json& value) { return value.is_object() || value.is_boolean(); }

bool IsStringArray(const Json& value) {
  if (!value.is_array()) return false;
  for (const Json& item : value) {
    if (!item.is_string()) return false;
  }
  return true;
}

bool IsTypeName(const Json& value) {
  static constexpr std::array<std::string_view, 7> kTypes = {"null",  "boolean", "object", "array",
                                                             "number", "string", "integer"};
  if (!value.is_string()) return false;
  for (std::string_view type : kTypes) {
    if (value.get_ref<const std::string&>() == type) return true;
  }
  return false;
}

}  // namespace

std::string_view DraftName(Draft draft) {
  switch (draft) {
    case Draft::k4: return "draft-04";
    case Draft::k6: return "draft-06";
    case Draft::k7: return "draft-07";
    case Draft::k2019_09: return "2019-09";
    case Draft::k2020_12: return "2020-12";
  }
  return "unknown";
}

std::optional<Draft> DraftFromSchemaUri(std::string_view uri) {
  if (uri.find("json-schema.org") == std::string_view::npos) return std::nullopt;
  if (uri.find("draft-04") != std::string_view::npos) return Draft::k4;
  if (uri.find("draft-06") != std::string_view::npos) return Draft::k6;
  if (uri.find("draft-07") != std::string_view::npos) return Draft::k7;
  if (uri.find("2019-09") != std::string_view::npos) return Draft::k2019_09;
  if (uri.find("2020-12") != std::string_view::npos) return Draft::k2020_12;
  return std::nullopt;
}

bool IsValidatorKeyword(std::string_view keyword, Draft draft) { return Evaluates(keyword, draft);
}

bool IsValidatorFormat(std::string_view format) { return schema::IsKnownFormat(format); }

namespace schema {

std::vector<Subschema> Subschemas(const Json& node, Draft draft) {
  std::vector<Subschema> out;
  if (!node.is_object()) return out;
  auto add = [&](const Json& value, std::string suffix) {
    if (IsSchemaValue(value)) out.push_back({&value, std::move(suffix)});
  };
  auto add_map = [&](std::string_view keyword) {
    auto it = node.find(keyword);
    if (it == node.end() || !it->is_object()) return;
    for (const auto& [key, value] : it->items()) {
      add(value, "/" + std::string(keyword) + "/" + EscapePointerToken(key));
    }
  };
  auto add_list = [&](std::string_view keyword) {
    auto it = node.find(keyword);
    if (it == node.end() || !it->is_array()) return;
    for (size_t i = 0; i < it->size(); ++i) add((*it)[i], "/" + std::string(keyword) + "/" + std::to_string(i));
  };
  auto add_one = [&](std::string_view keyword) {
    auto it = node.find(keyword);
    if (it != node.end()) add(*it, "/" + std::string(keyword));
  };
  add_map("properties");
  add_map("patternProperties");
  add_map("definitions");
  add_map("$defs");
  add_map("dependencies");
  add_one("additionalProperties");
  add_one("additionalItems");
  add_one("items");
  add_list("items");
  add_list("allOf");
  add_list("anyOf");
  add_list("oneOf");
  add_one("not");
  if (draft >= Draft::k6) {
    add_one("contains");
    add_one("propertyNames");
  }
  if (draft >= Draft::k7) {
    add_one("if");
    add_one("then");
    add_one("else");
  }
  if (draft >= Draft::k2019_09) {
    add_map("dependentSchemas");
    add_one("unevaluatedProperties");
    add_one("unevaluatedItems");
    add_one("contentSchema");
  }
  if (draft >= Draft::k2020_12) add_list("prefixItems");
  return out;
}

Status CheckKeywordShapes(const Json& node, Draft draft, const std::string& location) {
  if (!node.is_object()) return Status::Ok();
  for (const auto& [keyword, value] : node.items()) {
    if (!Evaluates(keyword, draft)) continue;
    if (keyword == "maxLength" || keyword == "minLength" || keyword == "maxItems" ||
        keyword == "minItems" || keyword == "maxProperties" || keyword == "minProperties" ||
        keyword == "minContains" || keyword == "maxContains") {
      if (!IsInteger(value, true) || value.get<double>() < 0) {
        return ShapeError(location, keyword, "a non-negative integer");
      }
    } else if (keyword == "maximum" || keyword == "minimum") {
      if (!value.is_number()) return ShapeError(location, keyword, "a number");
    } else if (keyword == "exclusiveMaximum" || keyword == "exclusiveMinimum") {
      if (!value.is_number() && !value.is_boolean()) return ShapeError(location, keyword, "a number");
    } else if (keyword == "multipleOf") {
      if (!value.is_number() || value.get<double>() <= 0) {
        return ShapeError(location, keyword, "a number greater than 0");
      }
    } else if (keyword == "type") {
      bool ok = IsTypeName(value);
      if (value.is_array()) {
        ok = true;
        for (const Json& type : value) ok = ok && IsTypeName(type);
      }
      if (!ok) return ShapeError(location, keyword, "a type name or an array of type names");
    } else if (keyword == "enum") {
      if (!value.is_array()) return ShapeError(location, keyword, "an array");
    } else if (keyword == "required") {
      if (!IsStringArray(value)) return ShapeError(location, keyword, "an array of strings");
    } else if (keyword == "pattern" || keyword == "format" || keyword == "$ref" ||
               keyword == "$dynamicRef" || keyword == "$recursiveRef") {
      if (!value.is_string()) return ShapeError(location, keyword, "a string");
    } else if (keyword == "uniqueItems") {
      if (!value.is_boolean()) return ShapeError(location, keyword, "a boolean");
    } else if (keyword == "properties" || keyword == "patternProperties" ||
               keyword == "dependentSchemas") {
      if (!value.is_object()) return ShapeError(location, keyword, "an object of schemas");
      for (const auto& [name, sub] : value.items()) {
        if (!IsSchemaValue(sub)) return ShapeError(location, keyword, "an object of schemas");
      }
    } else if (keyword == "dependentRequired") {
      if (!value.is_object()) return ShapeError(location, keyword, "an object of string arrays");
      for (const auto& [name, sub] : value.items()) {
        if (!IsStringArray(sub)) return ShapeError(location, keyword, "an object of string arrays");
      }
    } else if (keyword == "dependencies") {
      if (!value.is_object()) return ShapeError(location, keyword, "an object");
      for (const auto& [name, sub] : value.items()) {
        if (!IsSchemaValue(sub) && !IsStringArray(sub)) {
          return ShapeError(location, keyword, "an object of schemas or string arrays");
        }
      }
    } else if (keyword == "allOf" || keyword == "anyOf" || keyword == "oneOf" ||
               keyword == "prefixItems") {
      if (!value.is_array() || (value.empty() && keyword != "prefixItems")) {
        return ShapeError(location, keyword, "a non-empty array of schemas");
      }
      for (const Json& sub : value) {
        if (!IsSchemaValue(sub)) return ShapeError(location, keyword, "an array of schemas");
      }
    } else if (keyword == "items") {
      bool ok = IsSchemaValue(value);
      if (value.is_array()) {
        ok = true;
        for (const Json& sub : value) ok = ok && IsSchemaValue(sub);
      }
      if (!ok) return ShapeError(location, keyword, "a schema or an array of schemas");
    } else if (keyword == "additionalItems" || keyword == "additionalProperties" ||
               keyword == "unevaluatedItems" || keyword == "unevaluatedProperties" ||
               keyword == "contains" || keyword == "propertyNames" || keyword == "not" ||
               keyword == "if" || keyword == "then" || keyword == "else") {
      if (!IsSchemaValue(value)) return ShapeError(location, keyword, "a schema (object or boolean)");
    }
  }
  return Status::Ok();
}

}  // namespace schema
}  // namespace kolibri
