// GrammarCompileCache: a small LRU of compiled constraints, so a server does not recompile
// the same schema for every request. Keyed by (constraint kind, text, options, vocabulary
// id). Thread-safe; entries are shared, immutable CompiledGrammars. Failed compiles are not
// cached (errors are cheap to reproduce and should stay visible).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/grammar/json_schema_converter.h"

namespace kolibri::grammar {

struct CompiledConstraint {
  std::shared_ptr<const CompiledGrammar> grammar;
  KeywordReport report;  // empty for non-schema constraints
};

class GrammarCompileCache {
 public:
  explicit GrammarCompileCache(size_t capacity = 128) : capacity_(capacity) {}

  // JSON Schema text → compiled grammar (see JsonSchemaToGrammar for errors).
  Result<std::shared_ptr<const CompiledConstraint>> JsonSchema(
      std::string_view schema, const SchemaCompileOptions& options,
      const std::shared_ptr<const VocabularyIndex>& vocabulary);
  // Any JSON object (response_format json_object).
  Result<std::shared_ptr<const CompiledConstraint>> JsonObject(const std::shared_ptr<const VocabularyIndex>& vocabulary);
  // A full-match regex (raw UTF-8).
  Result<std::shared_ptr<const CompiledConstraint>> Regex(std::string_view pattern,
                                                          const std::shared_ptr<const VocabularyIndex>& vocabulary);

  uint64_t hits() const;
  uint64_t misses() const;
  size_t size() const;

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const CompiledConstraint>>;
  std::shared_ptr<const CompiledConstraint> Find(const std::string& key);
  void Insert(const std::string& key, std::shared_ptr<const CompiledConstraint> value);

  size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front = most recent
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace kolibri::grammar
