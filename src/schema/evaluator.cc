#include "schema/evaluator.h"

#include "schema/json_value.h"
#include "schema/uri.h"

namespace kolibri::schema {
namespace {

// Deep enough for any honest schema; stops "$ref": "#" loops that make no progress.
constexpr int kMaxDepth = 256;

}  // namespace

void Annotations::Merge(const Annotations& other) {
  properties.insert(other.properties.begin(), other.properties.end());
  items_prefix = std::max(items_prefix, other.items_prefix);
  all_items = all_items || other.all_items;
  contained.insert(other.contained.begin(), other.contained.end());
}

bool Annotations::ItemEvaluated(size_t index) const {
  return all_items || index < items_prefix || contained.contains(index);
}

Evaluator::Evaluator(const CompiledSchema& compiled, std::vector<ValidationError>* errors)
    : compiled_(compiled), errors_(errors), error_limit_(compiled.max_errors) {}

bool Evaluator::ShouldStop() const {
  return errors_ == nullptr || (error_limit_ != 0 && errors_->size() >= error_limit_);
}

std::string Evaluator::InstancePointer() const {
  std::string pointer;
  for (const std::string& token : instance_path_) pointer += "/" + EscapePointerToken(token);
  return pointer;
}

bool Evaluator::Fail(std::string_view keyword, std::string message) {
  if (errors_ != nullptr && (error_limit_ == 0 || errors_->size() < error_limit_)) {
    std::string schema_pointer = node_->location;
    if (keyword != "false") schema_pointer += "/" + std::string(keyword);
    errors_->push_back({InstancePointer(), std::move(schema_pointer), std::string(keyword), std::move(message)});
  }
  return false;
}

bool Evaluator::Evaluate(const Json& schema, const Json& instance, Annotations* annotations) {
  const SchemaNode* saved = node_;
  node_ = &compiled_.Node(schema);
  bool valid;
  if (schema.is_boolean()) {
    valid = schema.get<bool>() || Fail("false", "no value is allowed here");
  } else if (depth_ >= kMaxDepth) {
    valid = Fail("$ref", "schema nesting exceeds " + std::to_string(kMaxDepth) +
                             " levels (a recursive $ref that never consumes the instance?)");
  } else {
    bool enters_resource = dynamic_scope_.empty() || dynamic_scope_.back() != node_->resource;
    if (enters_resource) dynamic_scope_.push_back(node_->resource);
    ++depth_;
    valid = EvaluateObject(schema, instance, annotations);
    --depth_;
    if (enters_resource) dynamic_scope_.pop_back();
  }
  node_ = saved;
  return valid;
}

bool Evaluator::EvaluateObject(const Json& schema, const Json& instance, Annotations* annotations) {
  if (node_->draft <= Draft::k7 && schema.contains("$ref")) {
    return EvaluateReferences(schema, instance, annotations);  // siblings are ignored
  }
  Annotations local;
  Annotations* tracked =
      compiled_.track_annotations && (instance.is_object() || instance.is_array()) ? &local : nullptr;
  bool valid = true;
  // Runs one family; true when evaluation must stop here.
  auto stop_after = [&](bool family_valid) {
    valid = valid && family_valid;
    return !family_valid && ShouldStop();
  };
  bool stopped = stop_after(EvaluateReferences(schema, instance, tracked)) ||
                 stop_after(EvaluateGeneric(schema, instance)) ||
                 (instance.is_number() && stop_after(EvaluateNumber(schema, instance))) ||
                 (instance.is_string() && stop_after(EvaluateString(schema, instance))) ||
                 (instance.is_array() && stop_after(EvaluateArray(schema, instance, tracked))) ||
                 (instance.is_object() && stop_after(EvaluateProperties(schema, instance, tracked))) ||
                 stop_after(EvaluateApplicators(schema, instance, tracked)) ||
                 (tracked != nullptr && stop_after(EvaluateUnevaluated(schema, instance, tracked)));
  if (!stopped && tracked != nullptr && annotations != nullptr) annotations->Merge(local);
  return valid;
}

const Json* Evaluator::ResolveDynamic(const DynamicReference& reference) const {
  if (!reference.dynamic) return reference.target;
  for (const Json* resource : dynamic_scope_) {
    if (reference.anchor.empty()) {
      if (compiled_.recursive_anchors.contains(resource)) return resource;
      continue;
    }
    auto anchors = compiled_.dynamic_anchors.find(resource);
    if (anchors == compiled_.dynamic_anchors.end()) continue;
    auto anchor = anchors->second.find(reference.anchor);
    if (anchor != anchors->second.end()) return anchor->second;
  }
  return reference.target;
}

bool Evaluator::EvaluateReferences(const Json& schema, const Json& instance, Annotations* annotations) {
  bool valid = true;
  if (auto it = compiled_.refs.find(&schema); it != compiled_.refs.end()) {
    valid = Evaluate(*it->second, instance, annotations);
    if (!valid && ShouldStop()) return false;
  }
  if (auto it = compiled_.dynamic_refs.find(&schema); it != compiled_.dynamic_refs.end()) {
    valid = Evaluate(*ResolveDynamic(it->second), instance, annotations) && valid;
  }
  return valid;
}

bool Evaluator::EvaluateGeneric(const Json& schema, const Json& instance) {
  bool valid = true;
  if (auto type = schema.find("type"); type != schema.end()) {
    auto matches = [&](const std::string& name) {
      if (name == "integer") return IsInteger(instance, node_->draft >= Draft::k6);
      if (name == "number") return instance.is_number();
      if (name == "string") return instance.is_string();
      if (name == "object") return instance.is_object();
      if (name == "array") return instance.is_array();
      if (name == "boolean") return instance.is_boolean();
      return name == "null" && instance.is_null();
    };
    bool ok = false;
    std::string expected;
    if (type->is_string()) {
      ok = matches(type->get_ref<const std::string&>());
      expected = type->get<std::string>();
    } else {
      for (const Json& name : *type) {
        ok = ok || matches(name.get_ref<const std::string&>());
        expected += (expected.empty() ? "" : " or ") + name.get<std::string>();
      }
    }
    if (!ok) {
      valid = Fail("type", "expected " + expected + ", got " + TypeName(instance));
      if (ShouldStop()) return false;
    }
  }
  if (auto values = schema.find("enum"); values != schema.end()) {
    bool found = false;
    for (const Json& value : *values) found = found || JsonEqual(value, instance);
    if (!found) {
      valid = Fail("enum", Summarize(instance, 40) + " is not one of " + Summarize(*values, 120));
      if (ShouldStop()) return false;
    }
  }
  if (node_->draft >= Draft::k6) {
    if (auto value = schema.find("const"); value != schema.end() && !JsonEqual(*value, instance)) {
      valid = Fail("const", Summarize(instance, 40) + " is not the constant " + Summarize(*value, 120));
    }
  }
  return valid;
}

bool Evaluator::EvaluateChild(const Json& schema, const Json& child, const std::string& token,
                              Annotations* annotations) {
  instance_path_.push_back(token);
  bool valid = Evaluate(schema, child, annotations);
  instance_path_.pop_back();
  return valid;
}

bool Evaluator::Probe(const Json& schema, const Json& instance, Annotations* annotations,
                      std::string* first_error) {
  std::vector<ValidationError>* saved_errors = errors_;
  size_t saved_limit = error_limit_;
  std::vector<ValidationError> local;
  errors_ = first_error != nullptr ? &local : nullptr;
  error_limit_ = 1;
  bool valid = Evaluate(schema, instance, annotations);
  errors_ = saved_errors;
  error_limit_ = saved_limit;
  if (!valid && first_error != nullptr && !local.empty()) *first_error = local.front().ToString();
  return valid;
}

}  // namespace kolibri::schema
