// Compile(): indexes every schema resource ($id, $anchor, $dynamicAnchor) of the root and
// the preloaded documents, then walks what the root can reach, resolving references,
// compiling patterns and checking keyword shapes, so that evaluation never fails.
#include <deque>

#include "schema/compiled_schema.h"
#include "schema/metaschemas.h"
#include "schema/uri.h"

namespace kolibri {

const SchemaNode& CompiledSchema::Node(const Json& schema) const {
  auto it = nodes.find(&schema);
  KOLIBRI_CHECK(it != nodes.end());
  return it->second;
}

const schema::EcmaRegex& CompiledSchema::Regex(const std::string& pattern) const {
  auto it = regexes.find(pattern);
  KOLIBRI_CHECK(it != regexes.end());
  return it->second;
}

namespace schema {
namespace {

// Base URI of a root schema without "$id". The reserved ".invalid" host can never name a
// real document, so a reference that misses inside it is a schema error, not a remote one.
constexpr std::string_view kDefaultBase = "https://kolibri.invalid/schema.json";
constexpr std::string_view kInternalHost = "https://kolibri.invalid/";

class Compiler {
 public:
  Compiler(CompiledSchema* out, const ValidatorOptions& options) : out_(out), options_(options) {}

  Status Run(const Json& root) {
    out_->documents.push_back(std::make_unique<Json>(root));
    for (const auto& [uri, document] : options_.documents) {
      out_->documents.push_back(std::make_unique<Json>(document));
    }
    KOLIBRI_ASSIGN_OR_RETURN(out_->root_draft, DocumentDraft(root, options_.default_draft));
    resources_.emplace(std::string(kDefaultBase), out_->documents[0].get());
    Index(*out_->documents[0], std::string(kDefaultBase), out_->root_draft, "", nullptr);
    size_t i = 1;
    for (const auto& [uri, document] : options_.documents) {
      std::string base, fragment;
      SplitFragment(uri, &base, &fragment);
      KOLIBRI_ASSIGN_OR_RETURN(Draft draft, DocumentDraft(document, out_->root_draft));
      resources_.emplace(base, out_->documents[i].get());
      Index(*out_->documents[i], base, draft, base + "#", nullptr);
      ++i;
    }
    return Reach();
  }

 private:
  static Result<Draft> DocumentDraft(const Json& document, Draft fallback) {
    if (!document.is_object() || !document.contains("$schema") || !document["$schema"].is_string()) {
      return fallback;
    }
    const std::string& uri = document["$schema"].get_ref<const std::string&>();
    if (uri.find("draft-03") != std::string::npos) {
      return Status::Unsupported("draft-03 schemas ($schema '" + uri +
                                 "') are not supported; use draft-04 or later");
    }
    return DraftFromSchemaUri(uri).value_or(fallback);
  }

  // Records identifiers and node facts for `node` and everything below it.
  void Index(const Json& node, std::string base, Draft draft, const std::string& location,
             const Json* resource) {
    if (out_->nodes.contains(&node)) return;
    if (resource == nullptr) resource = &node;
    if (node.is_object()) {
      // An embedded resource (one with an identifier) may declare its own draft.
      auto schema_uri = node.find("$schema");
      if (schema_uri != node.end() && schema_uri->is_string() && &node != resource &&
          (node.contains("$id") || node.contains("id"))) {
        draft = DraftFromSchemaUri(schema_uri->get_ref<const std::string&>()).value_or(draft);
      }
      const char* id_keyword = draft == Draft::k4 ? "id" : "$id";
      bool ref_overrides = draft <= Draft::k7 && node.contains("$ref");
      auto id = node.find(id_keyword);
      if (id != node.end() && id->is_string() && !ref_overrides) {
        const std::string& text = id->get_ref<const std::string&>();
        std::string resolved = ResolveUri(base, text);
        std::string without_fragment, fragment;
        SplitFragment(resolved, &without_fragment, &fragment);
        if (!text.starts_with("#")) {
          base = without_fragment;
          resource = &node;
          resources_.emplace(base, &node);
        }
        if (!fragment.empty() && fragment[0] != '/') anchors_.emplace(base + "#" + fragment, &node);
      }
      if (draft >= Draft::k2019_09) {
        if (auto it = node.find("$anchor"); it != node.end() && it->is_string()) {
          anchors_.emplace(base + "#" + it->get<std::string>(), &node);
        }
        if (auto it = node.find("$dynamicAnchor"); it != node.end() && it->is_string() &&
                                                   draft >= Draft::k2020_12) {
          anchors_.emplace(base + "#" + it->get<std::string>(), &node);
          out_->dynamic_anchors[resource].emplace(it->get<std::string>(), &node);
        }
        if (auto it = node.find("$recursiveAnchor"); it != node.end() && *it == true) {
          out_->recursive_anchors.insert(resource);
        }
      }
    }
    out_->nodes.emplace(&node, SchemaNode{draft, base, location, resource});
    for (const Subschema& sub : Subschemas(node, draft)) {
      Index(*sub.schema, base, draft, location + sub.suffix, resource);
    }
  }

  // Finds the schema `reference` (written at `holder`) names.
  Result<const Json*> Resolve(const Json& holder, std::string_view keyword) {
    const SchemaNode& info = out_->Node(holder);
    const std::string& reference = holder[std::string(keyword)].get_ref<const std::string&>();
    std::string where = "$ref '" + reference + "' at " +
                        (info.location.empty() ? "the root" : info.location) + "/" + std::string(keyword);
    std::string uri, fragment;
    SplitFragment(ResolveUri(info.base_uri, reference), &uri, &fragment);
    fragment = PercentDecode(fragment);
    auto resource = resources_.find(uri);
    if (resource == resources_.end() && MetaSchemaText(uri) != nullptr) {
      out_->documents.push_back(std::make_unique<Json>(Json::parse(MetaSchemaText(uri))));
      const Json& document = *out_->documents.back();
      resources_.emplace(uri, &document);
      Index(document, uri, DraftFromSchemaUri(uri).value_or(info.draft), uri + "#", nullptr);
      resource = resources_.find(uri);
    }
    if (resource == resources_.end()) {
      if (!uri.starts_with(kInternalHost) && HasScheme(uri)) {
        return Status::Unsupported(where + " names '" + uri +
                                   "', a document the validator does not have; pass it in "
                                   "ValidatorOptions::documents");
      }
      return Status::InvalidArgument(where + " cannot be resolved: no schema has that URI");
    }
    if (fragment.empty()) return resource->second;
    if (fragment[0] != '/') {
      auto anchor = anchors_.find(uri + "#" + fragment);
      if (anchor == anchors_.end()) {
        return Status::InvalidArgument(where + " cannot be resolved: no anchor '" + fragment + "'");
      }
      return anchor->second;
    }
    Result<std::vector<std::string>> tokens = ParsePointer(fragment);
    if (!tokens.ok()) return Status::InvalidArgument(where + ": " + tokens.status().message());
    const Json* current = resource->second;
    const SchemaNode* known = &out_->Node(*current);
    for (const std::string& token : *tokens) {
      if (current->is_object() && current->contains(token)) {
        current = &(*current)[token];
      } else if (current->is_array() && !token.empty() &&
                 token.find_first_not_of("0123456789") == std::string::npos &&
                 std::stoull(token) < current->size()) {
        current = &(*current)[std::stoull(token)];
      } else {
        return Status::InvalidArgument(where + " cannot be resolved: '" + fragment +
                                       "' does not exist");
      }
      if (auto it = out_->nodes.find(current); it != out_->nodes.end()) known = &it->second;
    }
    if (!current->is_object() && !current->is_boolean()) {
      return Status::InvalidArgument(where + " points to a " + std::string(current->type_name()) +
                                     ", not a schema");
    }
    if (!out_->nodes.contains(current)) {
      // Reached through a keyword the validator does not know: index it now, with the
      // nearest known ancestor's base URI.
      const SchemaNode& root_info = out_->Node(*resource->second);
      Index(*current, known->base_uri, known->draft, root_info.location + fragment, known->resource);
    }
    return current;
  }

  Status Reach() {
    std::deque<const Json*> work = {&out_->root()};
    std::unordered_set<const Json*> seen;
    while (!work.empty()) {
      const Json* node = work.front();
      work.pop_front();
      if (!seen.insert(node).second) continue;
      const SchemaNode& info = out_->Node(*node);
      if (!node->is_object() && !node->is_boolean()) {
        return Status::InvalidArgument("schema at " + (info.location.empty() ? "the root" : info.location) +
                                       " must be an object or a boolean");
      }
      if (!node->is_object()) continue;
      KOLIBRI_RETURN_IF_ERROR(CheckKeywordShapes(*node, info.draft, info.location));
      if (node->contains("$ref")) {
        KOLIBRI_ASSIGN_OR_RETURN(const Json* target, Resolve(*node, "$ref"));
        out_->refs.emplace(node, target);
        work.push_back(target);
        if (info.draft <= Draft::k7) continue;  // siblings are ignored
      }
      if (info.draft == Draft::k2020_12 && node->contains("$dynamicRef")) {
        KOLIBRI_ASSIGN_OR_RETURN(const Json* target, Resolve(*node, "$dynamicRef"));
        std::string uri, fragment;
        SplitFragment((*node)["$dynamicRef"].get<std::string>(), &uri, &fragment);
        DynamicReference dynamic{target, fragment, false};
        auto anchor = target->is_object() ? target->find("$dynamicAnchor") : target->end();
        dynamic.dynamic = target->is_object() && anchor != target->end() && *anchor == fragment;
        out_->dynamic_refs.emplace(node, dynamic);
        work.push_back(target);
      }
      if (info.draft == Draft::k2019_09 && node->contains("$recursiveRef")) {
        KOLIBRI_ASSIGN_OR_RETURN(const Json* target, Resolve(*node, "$recursiveRef"));
        bool dynamic = target->is_object() && target->value("$recursiveAnchor", false) == true;
        out_->dynamic_refs.emplace(node, DynamicReference{target, "", dynamic});
        work.push_back(target);
      }
      KOLIBRI_RETURN_IF_ERROR(CompilePatterns(*node, info));
      if (info.draft >= Draft::k2019_09 &&
          (node->contains("unevaluatedProperties") || node->contains("unevaluatedItems"))) {
        out_->track_annotations = true;
      }
      for (const Subschema& sub : Subschemas(*node, info.draft)) work.push_back(sub.schema);
    }
    return Status::Ok();
  }

  Status CompilePattern(const std::string& pattern, const std::string& where) {
    if (out_->regexes.contains(pattern)) return Status::Ok();
    Result<EcmaRegex> regex = EcmaRegex::Compile(pattern);
    if (!regex.ok()) return regex.status().WithContext(where);
    out_->regexes.emplace(pattern, std::move(*regex));
    return Status::Ok();
  }

  Status CompilePatterns(const Json& node, const SchemaNode& info) {
    std::string at = info.location.empty() ? "the root" : info.location;
    if (auto it = node.find("pattern"); it != node.end()) {
      KOLIBRI_RETURN_IF_ERROR(CompilePattern(it->get<std::string>(), "schema at " + at + "/pattern"));
    }
    if (auto it = node.find("patternProperties"); it != node.end()) {
      for (const auto& [pattern, sub] : it->items()) {
        KOLIBRI_RETURN_IF_ERROR(CompilePattern(pattern, "schema at " + at + "/patternProperties"));
      }
    }
    return Status::Ok();
  }

  CompiledSchema* out_;
  const ValidatorOptions& options_;
  std::unordered_map<std::string, const Json*> resources_;  // absolute URI → resource root
  std::unordered_map<std::string, const Json*> anchors_;    // "uri#name" → schema
};

}  // namespace

Result<std::shared_ptr<const CompiledSchema>> CompileSchema(const Json& schema,
                                                            const ValidatorOptions& options) {
  auto compiled = std::make_shared<CompiledSchema>();
  compiled->validate_formats = options.validate_formats;
  compiled->max_errors = options.max_errors;
  compiled->max_pattern_subject_length = options.max_pattern_subject_length;
  Compiler compiler(compiled.get(), options);
  try {
    KOLIBRI_RETURN_IF_ERROR(compiler.Run(schema));
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("malformed schema: ") + e.what());
  }
  return std::shared_ptr<const CompiledSchema>(std::move(compiled));
}

}  // namespace schema
}  // namespace kolibri
