// In-place applicators (allOf, anyOf, oneOf, not, if/then/else) and the keywords that read
// their annotations (unevaluatedProperties, unevaluatedItems).
#include "schema/evaluator.h"
#include "schema/json_value.h"

namespace kolibri::schema {
namespace {

// "0: /a: expected string, got integer; 1: ..." — the first violation of each alternative,
// short enough to feed back to a model.
std::string Alternatives(const std::vector<std::string>& reasons) {
  constexpr size_t kMaxShown = 4;
  constexpr size_t kMaxReason = 100;
  std::string out;
  for (size_t i = 0; i < reasons.size() && i < kMaxShown; ++i) {
    std::string reason = reasons[i].size() > kMaxReason ? reasons[i].substr(0, kMaxReason) + "..." : reasons[i];
    out += (i == 0 ? "" : "; ") + std::to_string(i) + ": " + reason;
  }
  if (reasons.size() > kMaxShown) out += "; ...";
  return out;
}

}  // namespace

bool Evaluator::EvaluateApplicators(const Json& schema, const Json& instance, Annotations* annotations) {
  bool valid = true;
  auto check = [&](bool ok, std::string_view keyword, const std::string& message) {
    if (!ok) valid = Fail(keyword, message);
    return !ok && ShouldStop();
  };
  const bool explain = errors_ != nullptr;

  if (auto all_of = schema.find("allOf"); all_of != schema.end()) {
    for (const Json& sub : *all_of) {
      if (!Evaluate(sub, instance, annotations)) {
        valid = false;
        if (ShouldStop()) return false;
      }
    }
  }
  if (auto any_of = schema.find("anyOf"); any_of != schema.end()) {
    bool matched = false;
    std::vector<std::string> reasons;
    for (const Json& sub : *any_of) {
      Annotations branch;
      std::string reason;
      if (Probe(sub, instance, annotations != nullptr ? &branch : nullptr, explain ? &reason : nullptr)) {
        matched = true;
        if (annotations == nullptr) break;  // no annotations to collect from the others
        annotations->Merge(branch);
      } else {
        reasons.push_back(reason);
      }
    }
    if (check(matched, "anyOf", "does not match any alternative of anyOf (" + Alternatives(reasons) + ")")) {
      return false;
    }
  }
  if (auto one_of = schema.find("oneOf"); one_of != schema.end()) {
    std::vector<size_t> matches;
    std::vector<std::string> reasons;
    Annotations matched;
    for (size_t i = 0; i < one_of->size(); ++i) {
      Annotations branch;
      std::string reason;
      if (Probe((*one_of)[i], instance, annotations != nullptr ? &branch : nullptr, explain ? &reason : nullptr)) {
        matches.push_back(i);
        matched = std::move(branch);
        if (matches.size() > 1 && !explain) break;
      } else {
        reasons.push_back(reason);
      }
    }
    if (matches.empty()) {
      if (check(false, "oneOf", "does not match any alternative of oneOf (" + Alternatives(reasons) + ")")) {
        return false;
      }
    } else if (matches.size() > 1) {
      if (check(false, "oneOf", "matches alternatives " + std::to_string(matches[0]) + " and " +
                                    std::to_string(matches[1]) + " of oneOf; exactly one must match")) {
        return false;
      }
    } else if (annotations != nullptr) {
      annotations->Merge(matched);
    }
  }
  if (auto not_schema = schema.find("not"); not_schema != schema.end()) {
    if (check(!Probe(*not_schema, instance, nullptr, nullptr), "not",
              Summarize(instance, 40) + " must not match the schema in \"not\"")) {
      return false;
    }
  }
  if (node_->draft >= Draft::k7) {
    if (auto if_schema = schema.find("if"); if_schema != schema.end()) {
      Annotations condition;
      bool holds = Probe(*if_schema, instance, annotations != nullptr ? &condition : nullptr, nullptr);
      if (holds && annotations != nullptr) annotations->Merge(condition);
      auto branch = schema.find(holds ? "then" : "else");
      if (branch != schema.end() && !Evaluate(*branch, instance, annotations)) {
        valid = false;
        if (ShouldStop()) return false;
      }
    }
  }
  return valid;
}

bool Evaluator::EvaluateUnevaluated(const Json& schema, const Json& instance, Annotations* annotations) {
  if (node_->draft < Draft::k2019_09) return true;
  bool valid = true;
  if (auto rest = schema.find("unevaluatedProperties"); rest != schema.end() && instance.is_object()) {
    for (const auto& [name, value] : instance.items()) {
      if (annotations->properties.contains(name)) continue;
      bool ok = *rest == false ? Fail("unevaluatedProperties", "property " + Summarize(Json(name), 60) + " is not allowed")
                               : EvaluateChild(*rest, value, name, nullptr);
      annotations->properties.insert(name);
      if (!ok) {
        valid = false;
        if (ShouldStop()) return false;
      }
    }
  }
  if (auto rest = schema.find("unevaluatedItems"); rest != schema.end() && instance.is_array()) {
    for (size_t i = 0; i < instance.size(); ++i) {
      if (annotations->ItemEvaluated(i)) continue;
      bool ok = *rest == false ? Fail("unevaluatedItems", "item " + std::to_string(i) + " is not allowed")
                               : EvaluateChild(*rest, instance[i], std::to_string(i), nullptr);
      if (!ok) {
        valid = false;
        if (ShouldStop()) return false;
      }
    }
    annotations->all_items = true;
  }
  return valid;
}

}  // namespace kolibri::schema
