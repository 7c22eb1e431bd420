// ECMAScript regular expressions (the dialect JSON Schema `pattern` uses) → Grammar.
//
// Supported: literals, `.`, classes `[...]`/`[^...]` with ranges, escapes \d \D \w \W \s \S
// \n \r \t \v \f \0 \cX \xHH \uHHHH \u{H...} and escaped punctuation, groups `(...)`,
// `(?:...)`, `(?<name>...)`, alternation, quantifiers * + ? {n} {n,} {n,m} (lazy forms
// match the same strings), and anchors ^ $ at the start/end of top-level alternatives.
// Not supported (Unsupported status naming the construct and its offset): lookaround,
// backreferences, \b \B, \p{...}, anchors inside groups. Bounds above kMaxRepeat are
// rejected rather than expanded.
#pragma once

#include <string_view>

#include "kolibri/grammar/grammar.h"
#include "kolibri/status.h"

namespace kolibri::grammar {

enum class RegexMatchMode {
  kSearch,     // JSON Schema semantics: the pattern may match anywhere unless anchored
  kFullMatch,  // the whole string must match (as if wrapped in ^(?:...)$)
};

enum class RegexEncoding {
  kUtf8,        // matched strings are emitted as raw UTF-8
  kJsonString,  // as the inside of a JSON string: " \ and controls escaped (compact forms)
};

struct RegexOptions {
  RegexMatchMode mode = RegexMatchMode::kSearch;
  RegexEncoding encoding = RegexEncoding::kUtf8;
};

inline constexpr int kMaxRepeat = 10000;

// Adds an expression for `pattern` to `grammar` and returns it. Errors: InvalidArgument
// (does not parse), Unsupported (valid ECMAScript outside the subset above).
Result<ExprId> AddRegex(Grammar* grammar, std::string_view pattern, const RegexOptions& options = {});

// True when `pattern`, with JSON Schema's search semantics, matches every string: some
// top-level alternative is not anchored at both ends and can match "" ("", ".*", "a*$",
// "^x?"). A sufficient test only: "^[\s\S]*$" matches everything too but gives false.
Result<bool> RegexMatchesEveryString(std::string_view pattern);

// A grammar whose root rule matches the pattern (default: full match, raw UTF-8).
Result<Grammar> RegexToGrammar(std::string_view pattern,
                               const RegexOptions& options = {RegexMatchMode::kFullMatch, RegexEncoding::kUtf8});

// The code point set as an expression in the given encoding (JSON: escaped where needed).
ExprId AddCharSet(Grammar* grammar, const std::vector<CodepointRange>& ranges, RegexEncoding encoding);

}  // namespace kolibri::grammar
