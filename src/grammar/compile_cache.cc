#include "kolibri/grammar/compile_cache.h"

#include "kolibri/grammar/regex_parser.h"

namespace kolibri::grammar {
namespace {

std::string Key(std::string_view kind, std::string_view text, std::string_view options, const VocabularyIndex& v) {
  std::string key;
  for (std::string_view part : {kind, text, options, std::string_view(v.vocabulary().id)}) {
    key += std::to_string(part.size());
    key.push_back(':');
    key.append(part);
  }
  // Vocabularies without an id are told apart by identity.
  key += std::to_string(reinterpret_cast<uintptr_t>(&v));
  return key;
}

}  // namespace

std::shared_ptr<const CompiledConstraint> GrammarCompileCache::Find(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void GrammarCompileCache::Insert(const std::string& key, std::shared_ptr<const CompiledConstraint> value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (index_.count(key) || capacity_ == 0) return;
  lru_.emplace_front(key, std::move(value));
  index_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

Result<std::shared_ptr<const CompiledConstraint>> GrammarCompileCache::JsonSchema(
    std::string_view schema, const SchemaCompileOptions& options, const std::shared_ptr<const VocabularyIndex>& vocabulary) {
  const std::string opts = std::string(options.mode == SchemaMode::kStrict ? "strict" : "lenient") + "|" +
                           std::to_string(options.max_expanded_repeat) + "|" + std::to_string(options.max_expanded_length) + "|" +
                           std::to_string(options.max_grammar_exprs) +
                           "|" + std::to_string(options.max_nesting_depth) + "|" + options.evidence_text;
  const std::string key = Key("json_schema", schema, opts, *vocabulary);
  if (auto hit = Find(key)) return hit;
  KOLIBRI_ASSIGN_OR_RETURN(SchemaGrammar sg, JsonSchemaToGrammar(schema, options));
  KOLIBRI_ASSIGN_OR_RETURN(auto compiled, CompileGrammar(sg.grammar, vocabulary));
  auto entry = std::make_shared<const CompiledConstraint>(CompiledConstraint{std::move(compiled), std::move(sg.report)});
  Insert(key, entry);
  return entry;
}

Result<std::shared_ptr<const CompiledConstraint>> GrammarCompileCache::JsonObject(
    const std::shared_ptr<const VocabularyIndex>& vocabulary) {
  const std::string key = Key("json_object", "", "", *vocabulary);
  if (auto hit = Find(key)) return hit;
  KOLIBRI_ASSIGN_OR_RETURN(auto compiled, CompileGrammar(AnyJsonObjectGrammar(), vocabulary));
  auto entry = std::make_shared<const CompiledConstraint>(CompiledConstraint{std::move(compiled), {}});
  Insert(key, entry);
  return entry;
}

Result<std::shared_ptr<const CompiledConstraint>> GrammarCompileCache::Regex(
    std::string_view pattern, const std::shared_ptr<const VocabularyIndex>& vocabulary) {
  const std::string key = Key("regex", pattern, "", *vocabulary);
  if (auto hit = Find(key)) return hit;
  KOLIBRI_ASSIGN_OR_RETURN(Grammar g, RegexToGrammar(pattern));
  KOLIBRI_ASSIGN_OR_RETURN(auto compiled, CompileGrammar(g, vocabulary));
  auto entry = std::make_shared<const CompiledConstraint>(CompiledConstraint{std::move(compiled), {}});
  Insert(key, entry);
  return entry;
}

uint64_t GrammarCompileCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}
uint64_t GrammarCompileCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}
size_t GrammarCompileCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

}  // namespace kolibri::grammar
