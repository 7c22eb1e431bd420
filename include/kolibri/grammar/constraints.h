// Small constraint sources: a closed set of labels and substring-of(text).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kolibri/grammar/grammar.h"
#include "kolibri/grammar/regex_parser.h"
#include "kolibri/status.h"

namespace kolibri::grammar {

struct LabelOptions {
  // Emit each label as a JSON string literal ("billing") instead of its raw bytes.
  bool json_string = false;
};

// Exactly one of `labels`. InvalidArgument when the set is empty.
Result<Grammar> LabelsToGrammar(const std::vector<std::string>& labels, const LabelOptions& options = {});

enum class SubstringEmpty { kAllowed, kRejected };

// An expression matching every substring of `text` (the empty one too unless `empty` is
// kRejected), code point aligned, in the given encoding — with kJsonString the *decoded* value is the substring
// while the bytes are JSON-escaped. Built from a suffix automaton of the text: linear in the
// text's length (one rule per automaton state), so 20,000-character texts stay cheap.
ExprId AddSubstringOf(Grammar* grammar, std::string_view text, RegexEncoding encoding,
                      SubstringEmpty empty = SubstringEmpty::kAllowed);

// A grammar whose root is a substring of `text` (raw bytes, or a quoted JSON string).
Grammar SubstringGrammar(std::string_view text, RegexEncoding encoding);

}  // namespace kolibri::grammar
