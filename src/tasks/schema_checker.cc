#include "tasks/schema_checker.h"

namespace kolibri::tasks {

namespace {

std::string Escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

bool MentionsEvidence(const nlohmann::json& j) {
  if (j.is_object()) {
    auto it = j.find("x-kolibri-evidence");
    if (it != j.end() && it->is_boolean() && it->get<bool>()) return true;
    for (const auto& [k, v] : j.items()) {
      if (MentionsEvidence(v)) return true;
    }
  } else if (j.is_array()) {
    for (const auto& v : j) {
      if (MentionsEvidence(v)) return true;
    }
  }
  return false;
}

// Whether a subschema's "type" (when present) admits `value`.
bool TypeAdmits(const nlohmann::json& schema, const nlohmann::json& value) {
  auto it = schema.find("type");
  if (it == schema.end()) return true;
  auto admits = [&](const std::string& t) {
    if (t == "string") return value.is_string();
    if (t == "null") return value.is_null();
    if (t == "boolean") return value.is_boolean();
    if (t == "object") return value.is_object();
    if (t == "array") return value.is_array();
    if (t == "integer") return value.is_number_integer() || value.is_number_unsigned();
    if (t == "number") return value.is_number();
    return false;
  };
  if (it->is_string()) return admits(it->get<std::string>());
  if (it->is_array()) {
    for (const auto& t : *it) {
      if (t.is_string() && admits(t.get<std::string>())) return true;
    }
  }
  return false;
}

}  // namespace

Result<std::shared_ptr<const SchemaChecker>> SchemaChecker::Create(const std::string& schema_text) {
  auto schema = nlohmann::json::parse(schema_text, nullptr, false);
  if (schema.is_discarded()) return Status::InvalidArgument("the schema is not valid JSON");
  KOLIBRI_ASSIGN_OR_RETURN(JsonSchemaValidator v, JsonSchemaValidator::Compile(schema));
  const bool evidence = MentionsEvidence(schema);
  return std::shared_ptr<const SchemaChecker>(new SchemaChecker(std::move(schema), std::move(v), evidence));
}

std::vector<std::string> SchemaChecker::Check(const nlohmann::json& record, std::string_view input) const {
  std::vector<std::string> out;
  for (const auto& e : validator_.Validate(record)) out.push_back(e.ToString());
  for (auto& e : CheckEvidence(record, input)) out.push_back(std::move(e));
  return out;
}

std::vector<std::string> SchemaChecker::CheckEvidence(const nlohmann::json& record, std::string_view input) const {
  std::vector<std::string> out;
  if (has_evidence_) Walk(schema_, record, "", input, 0, &out);
  return out;
}

void SchemaChecker::Walk(const nlohmann::json& schema, const nlohmann::json& value, const std::string& pointer,
                         std::string_view input, int depth, std::vector<std::string>* errors) const {
  if (!schema.is_object() || depth > 64) return;
  if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
    const std::string r = ref->get<std::string>();
    if (r.rfind("#", 0) == 0) {
      try {
        const nlohmann::json& target = schema_.at(nlohmann::json::json_pointer(r.substr(1)));
        Walk(target, value, pointer, input, depth + 1, errors);
      } catch (const nlohmann::json::exception&) {
        // Not a JSON pointer (an anchor): the validator resolved it; nothing to add here.
      }
    }
  }
  auto ev = schema.find("x-kolibri-evidence");
  if (ev != schema.end() && ev->is_boolean() && ev->get<bool>() && value.is_string()) {
    const std::string s = value.get<std::string>();
    if (input.find(s) == std::string_view::npos) {
      errors->push_back((pointer.empty() ? "/" : pointer) + ": " + nlohmann::json(s).dump() +
                        " does not occur in the input; copy it verbatim from the input");
    }
  }
  if (value.is_object()) {
    const auto props = schema.find("properties");
    for (const auto& [k, v] : value.items()) {
      const std::string at = pointer + "/" + Escape(k);
      if (props != schema.end() && props->is_object() && props->contains(k)) {
        Walk((*props)[k], v, at, input, depth + 1, errors);
      } else if (auto add = schema.find("additionalProperties"); add != schema.end()) {
        Walk(*add, v, at, input, depth + 1, errors);
      }
    }
  }
  if (value.is_array()) {
    size_t first = 0;
    if (auto pre = schema.find("prefixItems"); pre != schema.end() && pre->is_array()) {
      for (; first < pre->size() && first < value.size(); ++first) {
        Walk((*pre)[first], value[first], pointer + "/" + std::to_string(first), input, depth + 1, errors);
      }
    }
    if (auto items = schema.find("items"); items != schema.end() && items->is_object()) {
      for (size_t i = first; i < value.size(); ++i) {
        Walk(*items, value[i], pointer + "/" + std::to_string(i), input, depth + 1, errors);
      }
    }
  }
  if (auto all = schema.find("allOf"); all != schema.end() && all->is_array()) {
    for (const auto& s : *all) Walk(s, value, pointer, input, depth + 1, errors);
  }
  for (const char* key : {"anyOf", "oneOf"}) {
    auto alt = schema.find(key);
    if (alt == schema.end() || !alt->is_array()) continue;
    // The value passes when some branch of its type has nothing to say against it.
    std::vector<std::string> first_errors;
    bool some_branch_ok = false, some_branch = false;
    for (const auto& s : *alt) {
      if (!s.is_object() || !TypeAdmits(s, value)) continue;
      std::vector<std::string> e;
      Walk(s, value, pointer, input, depth + 1, &e);
      if (!some_branch) first_errors = e;
      some_branch = true;
      if (e.empty()) some_branch_ok = true;
    }
    if (some_branch && !some_branch_ok) errors->insert(errors->end(), first_errors.begin(), first_errors.end());
  }
}

}  // namespace kolibri::tasks
