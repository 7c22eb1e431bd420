// JSON Schema → Grammar, with a report of how every keyword occurrence is handled.
//
// Output form (what the grammar generates and accepts): compact JSON with no free
// whitespace; object members in schema order — the declared `properties` (required or
// optional, the optional ones may be left out), then required names that are not declared,
// then, when additional properties are allowed, any other members. Strings use raw UTF-8
// except where JSON requires an escape.
//
// Honesty: the report lists each keyword occurrence with its JSON pointer and handling:
//  * enforced     — the grammar guarantees it;
//  * post_checked — the grammar cannot express it (or only approximates it, see `note`);
//                   the schema validator checks it after generation;
//  * annotation   — outside the validation vocabulary (title, x-*, unknown formats): ignored;
//  * relaxed      — lenient mode only: neither enforceable nor checkable, dropped;
//  * rejected     — strict mode: neither enforceable nor checkable (e.g. a remote $ref);
//                   compilation fails with Unsupported naming keyword and pointer.
// Nothing is dropped silently. The grammar may accept values the schema rejects only where
// a keyword is reported post_checked; it never rejects a value the schema accepts when that
// value is written in the output form above, except where a note says so.
//
// Extensions: `"x-kolibri-evidence": true` on a string schema restricts the string's
// decoded value to substrings of SchemaCompileOptions::evidence_text;
// `"x-kolibri-substring-of": "<text>"` restricts it to substrings of that text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/grammar/grammar.h"
#include "kolibri/status.h"

namespace kolibri::grammar {

enum class KeywordHandling { kEnforced, kPostChecked, kAnnotation, kRelaxed, kRejected };
std::string_view KeywordHandlingName(KeywordHandling handling);  // "enforced", ...

struct KeywordReportEntry {
  std::string pointer;  // JSON pointer of the schema object holding the keyword ("" = root)
  std::string keyword;
  KeywordHandling handling = KeywordHandling::kEnforced;
  std::string note;     // why, when not plainly enforced
};

struct KeywordReport {
  std::vector<KeywordReportEntry> entries;
  size_t Count(KeywordHandling handling) const;
  // [{"pointer","keyword","handling","note"}...]
  nlohmann::json ToJson() const;
};

enum class SchemaMode {
  kStrict,   // fail on what can be neither enforced nor checked
  kLenient,  // relax those and report them as relaxed
};

struct SchemaCompileOptions {
  SchemaMode mode = SchemaMode::kStrict;
  // Text that "x-kolibri-evidence": true strings must be substrings of.
  std::string evidence_text;
  // Bounded repetitions (minItems/maxItems, minLength/maxLength) are expanded in the
  // grammar up to this count; larger bounds are post_checked.
  int max_expanded_repeat = 32;
  // The same for string lengths (minLength/maxLength). Compiling longer expansions is cheap
  // (one rule call per character), but each position costs a cold mask (a trie walk, ~1-2 ms
  // at 150k tokens) the first time a vocabulary meets that bound: at 256 the jsonschemabench
  // mask p99 rises from ~0.08 ms to ~2.4 ms, so the default keeps the item limit.
  int max_expanded_length = 256;
  // Limits that bound time and memory on hostile schemas (ResourceExhausted beyond them).
  size_t max_grammar_exprs = 2'000'000;
  int max_nesting_depth = 256;
};

struct SchemaGrammar {
  Grammar grammar;
  KeywordReport report;
};

// Errors: InvalidArgument (not JSON, not a schema, unresolvable local $ref, a schema that
// admits no value — each naming the JSON pointer), Unsupported (strict mode: a keyword
// that can be neither enforced nor checked; the message names keyword and pointer),
// ResourceExhausted (grammar over the limits).
Result<SchemaGrammar> JsonSchemaToGrammar(std::string_view schema_json, const SchemaCompileOptions& options = {});
Result<SchemaGrammar> JsonSchemaValueToGrammar(const nlohmann::ordered_json& schema,
                                               const SchemaCompileOptions& options = {});

// Any JSON value (compact), and any JSON object: the `json_object` response format.
Grammar AnyJsonValueGrammar();
Grammar AnyJsonObjectGrammar();

// Vocabulary-level precomputation: the node masks of the JSON value/string/number rules,
// shared by every schema grammar compiled against `vocabulary` afterwards (~1 s at 150k).
void PrecomputeJsonMasks(const std::shared_ptr<const VocabularyIndex>& vocabulary);

// Serializes `value` in the output form for `schema`: compact, declared properties first in
// schema order, other members after in their original order. For tests and MaskBench.
std::string SerializeInSchemaOrder(const nlohmann::ordered_json& value, const nlohmann::ordered_json& schema);

}  // namespace kolibri::grammar
