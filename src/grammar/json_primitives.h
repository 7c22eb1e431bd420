// Building blocks of JSON grammars shared by the schema converter and the plain JSON modes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kolibri/grammar/grammar.h"

namespace kolibri::grammar {

// Rules for compact JSON. All share one Grammar; `value` is recursive.
struct JsonRules {
  int value = -1, object = -1, array = -1, string = -1, number = -1, integer = -1;
  int character = -1;  // one JSON string character (plain UTF-8 or an escape)
};
JsonRules AddJsonRules(Grammar* g);

// Integers in [lo, hi] (either side open), written without leading zeros or "-0".
ExprId AddIntegerRange(Grammar* g, std::optional<int64_t> lo, std::optional<int64_t> hi);

// Numbers written without an exponent ("-12", "0.50", "3.0") whose value lies within the
// bounds; a bound is an integer of magnitude below 2^53. Never "-0". Either side open.
struct DecimalBound {
  int64_t value = 0;
  bool exclusive = false;
};
ExprId AddDecimalRange(Grammar* g, std::optional<DecimalBound> lo, std::optional<DecimalBound> hi);

// ECMAScript regex (full match, on the decoded string) for a `format` the grammar enforces,
// or nullptr.
const char* FormatRegex(std::string_view format);
// Formats defined by JSON Schema drafts 4 to 2020-12 (checkable by a validator).
bool IsSpecFormat(std::string_view format);

// A pattern of the form ^LITERAL ATOM QUANTIFIER$ (ATOM: a class, \d \w \s and their
// negations, or "."; QUANTIFIER: * + {m} {m,} {m,n}) rewritten so the quantifier also
// carries the string length bounds [min_length, max_length] (code points): the same strings
// as pattern and bounds together. nullopt for any other pattern, for an empty intersection,
// or when a resulting bound exceeds `cap`.
std::optional<std::string> PatternWithLength(std::string_view pattern, std::optional<double> min_length,
                                             std::optional<double> max_length, int cap);

// The JSON string literal for `s` (quotes included, compact escaping as nlohmann::json dumps).
std::string JsonQuote(std::string_view s);

}  // namespace kolibri::grammar
