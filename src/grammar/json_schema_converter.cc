#include "kolibri/grammar/json_schema_converter.h"

#include <algorithm>

#include "grammar/schema_converter.h"

namespace kolibri::grammar {
namespace {

const std::set<std::string>& AnnotationKeywordSet() {
  static const std::set<std::string> k = {
      "title", "description", "examples", "default", "$comment", "$schema", "$id", "id", "$anchor",
      "$dynamicAnchor", "$recursiveAnchor", "deprecated", "readOnly", "writeOnly", "contentMediaType",
      "contentEncoding", "contentSchema", "$vocabulary", "example", "discriminator", "xml", "externalDocs"};
  return k;
}

const std::set<std::string>& VocabularyKeywords() {
  static const std::set<std::string> k = {
      "type", "enum", "const", "properties", "required", "additionalProperties", "patternProperties",
      "propertyNames", "minProperties", "maxProperties", "dependentRequired", "dependentSchemas",
      "dependencies", "items", "prefixItems", "additionalItems", "contains", "minContains", "maxContains",
      "minItems", "maxItems", "uniqueItems", "unevaluatedItems", "unevaluatedProperties", "minLength",
      "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
      "multipleOf", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "$ref", "$dynamicRef",
      "$recursiveRef", "nullable", "$defs", "definitions"};
  return k;
}

bool HasConstraints(const OJson& s) {
  if (!s.is_object()) return !s.is_boolean() || !s.get<bool>();
  for (auto it = s.begin(); it != s.end(); ++it) {
    if (VocabularyKeywords().count(it.key()) && it.key() != "$defs" && it.key() != "definitions") return true;
  }
  return false;
}

std::string Unescape(const std::string& token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size()) {
      out.push_back(token[i + 1] == '1' ? '/' : '~');
      ++i;
    } else if (token[i] == '%' && i + 2 < token.size() && isxdigit(static_cast<unsigned char>(token[i + 1])) &&
               isxdigit(static_cast<unsigned char>(token[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(token.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(token[i]);
    }
  }
  return out;
}

const OJson* FindAnchor(const OJson& node, const std::string& name, const std::string& ptr, std::string* out_ptr,
                        int depth) {
  if (depth > 64 || !node.is_object()) return nullptr;
  auto a = node.find("$anchor");
  if (a != node.end() && a->is_string() && a->get<std::string>() == name) {
    *out_ptr = ptr;
    return &node;
  }
  auto id = node.find("$id");
  if (id != node.end() && id->is_string() && id->get<std::string>() == "#" + name) {
    *out_ptr = ptr;
    return &node;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->is_object()) {
      if (auto* r = FindAnchor(*it, name, ptr + "/" + PointerEscape(it.key()), out_ptr, depth + 1)) return r;
    }
  }
  return nullptr;
}

}  // namespace

Status AdmitsNoValue(const std::string& ptr, const std::string& why) {
  return Status::InvalidArgument("schema at '" + ptr + "' admits no value (" + why + ")");
}

bool IsAdmitsNoValue(const Status& status) {
  return status.code() == ErrorCode::kInvalidArgument && status.message().find("' admits no value (") != std::string::npos;
}

std::string PointerEscape(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

std::string_view KeywordHandlingName(KeywordHandling h) {
  switch (h) {
    case KeywordHandling::kEnforced: return "enforced";
    case KeywordHandling::kPostChecked: return "post_checked";
    case KeywordHandling::kAnnotation: return "annotation";
    case KeywordHandling::kRelaxed: return "relaxed";
    case KeywordHandling::kRejected: return "rejected";
  }
  return "?";
}

size_t KeywordReport::Count(KeywordHandling h) const {
  return static_cast<size_t>(std::count_if(entries.begin(), entries.end(), [&](auto& e) { return e.handling == h; }));
}

nlohmann::json KeywordReport::ToJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : entries) {
    out.push_back({{"pointer", e.pointer}, {"keyword", e.keyword},
                   {"handling", std::string(KeywordHandlingName(e.handling))}, {"note", e.note}});
  }
  return out;
}

SchemaConverter::SchemaConverter(const OJson& root, const SchemaCompileOptions& options)
    : root_(root), options_(options) {}

void SchemaConverter::Mark(const std::string& ptr, const std::string& keyword, KeywordHandling h, std::string note) {
  auto key = std::make_pair(ptr, keyword);
  auto it = report_index_.find(key);
  if (it == report_index_.end()) {
    report_index_.emplace(key, report_.entries.size());
    report_.entries.push_back({ptr, keyword, h, std::move(note)});
    return;
  }
  KeywordReportEntry& e = report_.entries[it->second];
  if (e.handling == KeywordHandling::kEnforced && h != KeywordHandling::kEnforced) {
    e.handling = h;
    e.note = std::move(note);
  }
}

Status SchemaConverter::Reject(const std::string& ptr, const std::string& keyword, const std::string& why) {
  if (options_.mode == SchemaMode::kStrict) {
    Mark(ptr, keyword, KeywordHandling::kRejected, why);
    return Status::Unsupported("schema keyword '" + keyword + "' at '" + ptr + "' can be neither enforced nor checked: " +
                               why + " (lenient mode relaxes it)");
  }
  Mark(ptr, keyword, KeywordHandling::kRelaxed, why);
  return Status::Ok();
}

Status SchemaConverter::CheckSize(const std::string& ptr) const {
  if (g_.size() > options_.max_grammar_exprs) {
    return Status::ResourceExhausted("schema too large: the grammar exceeds " +
                                     std::to_string(options_.max_grammar_exprs) + " expressions at '" + ptr + "'");
  }
  return Status::Ok();
}

const OJson* SchemaConverter::Resolve(const std::string& ref, const std::string& ptr, std::string* target_ptr,
                                      Status* error) {
  std::string r = ref;
  auto root_id = root_.is_object() ? root_.find("$id") : root_.end();
  if (root_.is_object() && root_id != root_.end() && root_id->is_string()) {
    const std::string base = root_id->get<std::string>();
    std::string base_doc = base.substr(0, base.find('#'));
    if (!base_doc.empty() && r.rfind(base_doc, 0) == 0) r = r.substr(base_doc.size());
  }
  if (r.empty()) r = "#";
  if (r[0] != '#') {
    *error = Status::Unsupported("remote $ref '" + ref + "'");
    return nullptr;
  }
  const std::string frag = r.substr(1);
  if (!frag.empty() && frag[0] != '/') {
    const OJson* found = FindAnchor(root_, Unescape(frag), "", target_ptr, 0);
    if (found == nullptr) *error = Status::InvalidArgument("unresolvable $ref '" + ref + "' at '" + ptr + "'");
    return found;
  }
  const OJson* node = &root_;
  std::string canonical;
  size_t pos = 1;
  while (pos <= frag.size() && !frag.empty()) {
    size_t next = frag.find('/', pos);
    if (next == std::string::npos) next = frag.size();
    const std::string token = Unescape(frag.substr(pos, next - pos));
    if (node->is_object() && node->contains(token)) {
      node = &(*node)[token];
    } else if (node->is_array() && !token.empty() &&
               std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
               token.size() < 10 && std::stoul(token) < node->size()) {
      node = &(*node)[std::stoul(token)];
    } else {
      *error = Status::InvalidArgument("unresolvable $ref '" + ref + "' at '" + ptr + "'");
      return nullptr;
    }
    canonical += "/" + PointerEscape(token);
    pos = next + 1;
  }
  *target_ptr = canonical;
  return node;
}

Result<ExprId> SchemaConverter::SchemaRule(const OJson& s, const std::string& ptr, int depth) {
  if (s.is_boolean() && s.get<bool>()) return g_.Ref(json_.value);
  const int rule = g_.AddRule("s" + std::to_string(g_.rules().size()));
  auto body = Schema(s, ptr, depth);
  // A rule never stays without a body: a caller may drop a part that admits no value and
  // go on, and compile would then fail on the empty rule.
  g_.SetBody(rule, body.ok() ? *body : g_.Nothing());
  if (!body.ok()) return body.status();
  return g_.Ref(rule);
}

Result<ExprId> SchemaConverter::Schema(const OJson& s, const std::string& ptr, int depth) {
  if (depth > options_.max_nesting_depth) {
    return Status::ResourceExhausted("schema nested deeper than " + std::to_string(options_.max_nesting_depth) +
                                     " at '" + ptr + "'");
  }
  KOLIBRI_RETURN_IF_ERROR(CheckSize(ptr));
  if (s.is_boolean()) return s.get<bool>() ? g_.Ref(json_.value) : g_.Nothing();
  if (!s.is_object()) return Status::InvalidArgument("schema at '" + ptr + "' must be an object or a boolean");
  auto result = SchemaInner(s, ptr, depth);
  ClassifyRest(s, ptr);
  return result;
}

void SchemaConverter::ClassifyRest(const OJson& s, const std::string& ptr) {
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string& k = it.key();
    if (report_index_.count({ptr, k})) continue;
    if (k == "$defs" || k == "definitions") {
      Mark(ptr, k, KeywordHandling::kAnnotation, "holds subschemas; enforced where referenced");
    } else if (AnnotationKeywordSet().count(k)) {
      Mark(ptr, k, KeywordHandling::kAnnotation);
    } else if (VocabularyKeywords().count(k)) {
      Mark(ptr, k, KeywordHandling::kPostChecked, "not expressed by the grammar; the validator checks it");
    } else {
      Mark(ptr, k, KeywordHandling::kAnnotation, "not a JSON Schema keyword; ignored");
    }
  }
}

Result<ExprId> SchemaConverter::SchemaInner(const OJson& s, const std::string& ptr, int depth) {
  for (const char* dyn : {"$dynamicRef", "$recursiveRef"}) {
    if (s.contains(dyn)) {
      Mark(ptr, dyn, KeywordHandling::kPostChecked, "treated as any value by the grammar");
      OJson rest = s;
      rest.erase(dyn);
      return Schema(rest, ptr, depth + 1);
    }
  }
  if (s.contains("$ref")) {
    const OJson& ref = s["$ref"];
    if (!ref.is_string()) return Status::InvalidArgument("$ref at '" + ptr + "' must be a string");
    std::string target_ptr;
    Status error;
    const OJson* target = Resolve(ref.get<std::string>(), ptr, &target_ptr, &error);
    if (target == nullptr) {
      if (error.code() != ErrorCode::kUnsupported) return error;
      KOLIBRI_RETURN_IF_ERROR(Reject(ptr, "$ref", error.message()));
      OJson rest = s;
      rest.erase("$ref");
      return Schema(rest, ptr, depth + 1);
    }
    Mark(ptr, "$ref", KeywordHandling::kEnforced);
    if (HasConstraints([&] {
          OJson rest = s;
          rest.erase("$ref");
          return rest;
        }())) {
      OJson merged = s;
      merged.erase("$ref");
      OJson all = merged.contains("allOf") && merged["allOf"].is_array() ? merged["allOf"] : OJson::array();
      all.insert(all.begin(), OJson{{"$ref", ref}});
      merged["allOf"] = all;
      KOLIBRI_ASSIGN_OR_RETURN(OJson m, MergeAllOf(merged, ptr, depth));
      return Schema(m, ptr, depth + 1);
    }
    auto it = ref_rules_.find(target_ptr);
    if (it != ref_rules_.end()) return g_.Ref(it->second);
    const int rule = g_.AddRule("ref" + std::to_string(ref_rules_.size()));
    ref_rules_.emplace(target_ptr, rule);
    auto body = Schema(*target, target_ptr, depth + 1);
    g_.SetBody(rule, body.ok() ? *body : g_.Nothing());
    if (!body.ok()) return body.status();
    return g_.Ref(rule);
  }
  if (s.contains("allOf")) {
    if (!s["allOf"].is_array()) return Status::InvalidArgument("allOf at '" + ptr + "' must be an array");
    Mark(ptr, "allOf", KeywordHandling::kEnforced, "subschemas merged into one");
    KOLIBRI_ASSIGN_OR_RETURN(OJson m, MergeAllOf(s, ptr, depth));
    return Schema(m, ptr, depth + 1);
  }
  for (const char* comb : {"anyOf", "oneOf"}) {
    if (!s.contains(comb)) continue;
    const OJson& branches = s[comb];
    if (!branches.is_array() || branches.empty()) {
      return Status::InvalidArgument(std::string(comb) + " at '" + ptr + "' must be a non-empty array");
    }
    if (std::string(comb) == "oneOf") {
      Mark(ptr, comb, KeywordHandling::kPostChecked, "grammar admits any branch; exactly-one is checked after");
    } else {
      Mark(ptr, comb, KeywordHandling::kEnforced);
    }
    OJson base = s;
    base.erase(comb);
    const bool plain = !HasConstraints(base);
    std::vector<ExprId> alts;
    for (size_t i = 0; i < branches.size(); ++i) {
      const std::string bptr = ptr + "/" + comb + "/" + std::to_string(i);
      if (plain) {
        KOLIBRI_ASSIGN_OR_RETURN(ExprId e, Schema(branches[i], bptr, depth + 1));
        alts.push_back(e);
        continue;
      }
      OJson combo = base;
      combo["allOf"] = OJson::array({branches[i]});
      KOLIBRI_ASSIGN_OR_RETURN(OJson m, MergeAllOf(combo, bptr, depth));
      KOLIBRI_ASSIGN_OR_RETURN(ExprId e, Schema(m, bptr, depth + 1));
      alts.push_back(e);
    }
    return g_.Alt(std::move(alts));
  }

  // Types admitted.
  std::vector<std::string> types;
  if (s.contains("type")) {
    const OJson& t = s["type"];
    if (t.is_string()) {
      types.push_back(t.get<std::string>());
    } else if (t.is_array()) {
      for (const auto& x : t) {
        if (!x.is_string()) return Status::InvalidArgument("type at '" + ptr + "' must hold strings");
        types.push_back(x.get<std::string>());
      }
    } else {
      return Status::InvalidArgument("type at '" + ptr + "' must be a string or an array");
    }
    for (const auto& x : types) {
      static const std::set<std::string> kTypes = {"null", "boolean", "object", "array", "number", "integer", "string"};
      if (!kTypes.count(x)) return Status::InvalidArgument("unknown type '" + x + "' at '" + ptr + "'");
    }
    Mark(ptr, "type", KeywordHandling::kEnforced);
  } else {
    types = {"null", "boolean", "object", "array", "number", "string"};
  }
  if (s.contains("nullable")) {
    Mark(ptr, "nullable", KeywordHandling::kEnforced);
    if (s["nullable"] == true && std::find(types.begin(), types.end(), "null") == types.end()) types.push_back("null");
  }
  auto has_type = [&](const std::string& t) { return std::find(types.begin(), types.end(), t) != types.end(); };
  auto type_of = [](const OJson& v) -> std::string {
    if (v.is_null()) return "null";
    if (v.is_boolean()) return "boolean";
    if (v.is_object()) return "object";
    if (v.is_array()) return "array";
    if (v.is_number_integer() || (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>()))))
      return "integer";
    if (v.is_number()) return "number";
    return "string";
  };
  auto admitted = [&](const OJson& v) {
    const std::string t = type_of(v);
    return has_type(t) || (t == "integer" && has_type("number"));
  };
  if (s.contains("const")) {
    Mark(ptr, "const", KeywordHandling::kEnforced);
    if (!admitted(s["const"])) return AdmitsNoValue(ptr, "const vs type");
    return g_.Literal(s["const"].dump());
  }
  if (s.contains("enum")) {
    if (!s["enum"].is_array()) return Status::InvalidArgument("enum at '" + ptr + "' must be an array");
    Mark(ptr, "enum", KeywordHandling::kEnforced);
    std::vector<ExprId> alts;
    std::set<std::string> seen;
    for (const auto& v : s["enum"]) {
      std::string lit = v.dump();
      if (admitted(v) && seen.insert(lit).second) alts.push_back(g_.Literal(lit));
    }
    if (alts.empty()) return AdmitsNoValue(ptr, "empty enum");
    return g_.Alt(std::move(alts));
  }
  std::vector<ExprId> alts;
  for (const std::string& t : types) {
    if (t == "null") alts.push_back(g_.Literal("null"));
    if (t == "boolean") alts.push_back(g_.Alt({g_.Literal("true"), g_.Literal("false")}));
    if (t == "integer" && !has_type("number")) {
      KOLIBRI_ASSIGN_OR_RETURN(ExprId e, IntegerExpr(s, ptr));
      alts.push_back(e);
    }
    if (t == "number") {
      KOLIBRI_ASSIGN_OR_RETURN(ExprId e, NumberExpr(s, ptr));
      alts.push_back(e);
    }
    if (t == "string") {
      KOLIBRI_ASSIGN_OR_RETURN(ExprId e, StringExpr(s, ptr, depth));
      alts.push_back(e);
    }
    if (t == "array") {
      KOLIBRI_ASSIGN_OR_RETURN(ExprId e, ArrayExpr(s, ptr, depth));
      alts.push_back(e);
    }
    if (t == "object") {
      KOLIBRI_ASSIGN_OR_RETURN(ExprId e, ObjectExpr(s, ptr, depth));
      alts.push_back(e);
    }
  }
  return g_.Alt(std::move(alts));
}

Result<SchemaGrammar> SchemaConverter::Run() {
  json_ = AddJsonRules(&g_);
  const int root = g_.AddRule("root");
  g_.SetRoot(root);
  KOLIBRI_ASSIGN_OR_RETURN(ExprId body, Schema(root_, "", 0));
  g_.SetBody(root, body);
  return SchemaGrammar{std::move(g_), std::move(report_)};
}

Result<SchemaGrammar> JsonSchemaValueToGrammar(const OJson& schema, const SchemaCompileOptions& options) {
  try {
    SchemaConverter converter(schema, options);
    return converter.Run();
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("malformed schema: ") + e.what());
  }
}

Result<SchemaGrammar> JsonSchemaToGrammar(std::string_view schema_json, const SchemaCompileOptions& options) {
  OJson schema;
  try {
    schema = OJson::parse(schema_json);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("schema is not valid JSON: ") + e.what());
  }
  return JsonSchemaValueToGrammar(schema, options);
}

Grammar AnyJsonValueGrammar() {
  Grammar g;
  JsonRules r = AddJsonRules(&g);
  g.SetRoot(r.value);
  return g;
}

void PrecomputeJsonMasks(const std::shared_ptr<const VocabularyIndex>& vocabulary) {
  auto compiled = CompileGrammar(AnyJsonValueGrammar(), vocabulary);
  KOLIBRI_CHECK(compiled.ok());
  (*compiled)->PrecomputeNodeMasks();
}

Grammar AnyJsonObjectGrammar() {
  Grammar g;
  JsonRules r = AddJsonRules(&g);
  g.SetRoot(r.object);
  return g;
}

}  // namespace kolibri::grammar
