// Object keywords: properties, patternProperties, additionalProperties, required,
// maxProperties, minProperties, propertyNames, dependencies, dependentRequired,
// dependentSchemas.
#include "schema/evaluator.h"
#include "schema/json_value.h"

namespace kolibri::schema {
namespace {

std::string Quote(const std::string& name) { return Summarize(Json(name), 60); }

std::string Properties(size_t n) { return std::to_string(n) + (n == 1 ? " property" : " properties"); }

}  // namespace

bool Evaluator::EvaluateProperties(const Json& schema, const Json& instance, Annotations* annotations) {
  bool valid = true;
  auto check = [&](bool ok, std::string_view keyword, const std::string& message) {
    if (!ok) valid = Fail(keyword, message);
    return !ok && ShouldStop();
  };
  auto child = [&](const Json& sub, const std::string& name) {
    if (annotations != nullptr) annotations->properties.insert(name);
    if (EvaluateChild(sub, instance[name], name, nullptr)) return false;
    valid = false;
    return ShouldStop();
  };

  auto properties = schema.find("properties");
  auto pattern_properties = schema.find("patternProperties");
  auto additional = schema.find("additionalProperties");
  for (const auto& [name, value] : instance.items()) {
    bool covered = false;
    if (properties != schema.end()) {
      if (auto sub = properties->find(name); sub != properties->end()) {
        covered = true;
        if (child(*sub, name)) return false;
      }
    }
    if (pattern_properties != schema.end()) {
      for (const auto& [pattern, sub] : pattern_properties->items()) {
        switch (compiled_.Regex(pattern).Search(name, compiled_.max_pattern_subject_length)) {
          case EcmaRegex::Outcome::kMatch:
            covered = true;
            if (child(sub, name)) return false;
            break;
          case EcmaRegex::Outcome::kNoMatch:
            break;
          case EcmaRegex::Outcome::kTooLong:
          case EcmaRegex::Outcome::kFailed:
            if (check(false, "patternProperties",
                      "property name " + Quote(name) + " could not be checked against the pattern " + pattern)) {
              return false;
            }
            break;
        }
      }
    }
    if (!covered && additional != schema.end()) {
      if (*additional == false) {
        if (check(false, "additionalProperties", "property " + Quote(name) + " is not allowed")) return false;
      } else if (child(*additional, name)) {
        return false;
      }
    }
  }

  if (auto required = schema.find("required"); required != schema.end()) {
    for (const Json& name : *required) {
      if (check(instance.contains(name.get_ref<const std::string&>()), "required",
                "missing required property " + Quote(name.get<std::string>()))) {
        return false;
      }
    }
  }
  if (auto min = schema.find("minProperties"); min != schema.end()) {
    if (check(static_cast<double>(instance.size()) >= min->get<double>(), "minProperties",
              "object has " + Properties(instance.size()) + ", fewer than minProperties " + Summarize(*min))) {
      return false;
    }
  }
  if (auto max = schema.find("maxProperties"); max != schema.end()) {
    if (check(static_cast<double>(instance.size()) <= max->get<double>(), "maxProperties",
              "object has " + Properties(instance.size()) + ", more than maxProperties " + Summarize(*max))) {
      return false;
    }
  }
  if (node_->draft >= Draft::k6) {
    if (auto names = schema.find("propertyNames"); names != schema.end()) {
      for (const auto& [name, value] : instance.items()) {
        std::string reason;
        if (!Probe(*names, Json(name), nullptr, errors_ != nullptr ? &reason : nullptr)) {
          size_t colon = reason.find(": ");
          if (colon != std::string::npos) reason = reason.substr(colon + 2);
          if (check(false, "propertyNames", "property name " + Quote(name) + " is invalid: " + reason)) return false;
        }
      }
    }
  }

  // Dependencies: when the key property is present, further properties are required or
  // the whole object must match a further schema.
  auto dependencies = [&](std::string_view keyword, bool lists, bool schemas) {
    auto deps = schema.find(keyword);
    if (deps == schema.end()) return false;
    for (const auto& [name, dependency] : deps->items()) {
      if (!instance.contains(name)) continue;
      if (dependency.is_array() && lists) {
        for (const Json& needed : dependency) {
          if (check(instance.contains(needed.get_ref<const std::string&>()), keyword,
                    "property " + Quote(name) + " requires property " + Quote(needed.get<std::string>()))) {
            return true;
          }
        }
      } else if (!dependency.is_array() && schemas) {
        if (!Evaluate(dependency, instance, annotations)) {
          valid = false;
          if (ShouldStop()) return true;
        }
      }
    }
    return false;
  };
  if (dependencies("dependencies", true, true)) return false;
  if (node_->draft >= Draft::k2019_09) {
    if (dependencies("dependentRequired", true, false)) return false;
    if (dependencies("dependentSchemas", false, true)) return false;
  }
  return valid;
}

}  // namespace kolibri::schema
