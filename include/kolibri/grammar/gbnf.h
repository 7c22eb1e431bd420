// GBNF (llama.cpp's grammar format) → Grammar, so users can bring their llama.cpp grammars.
//
// Accepted syntax, as llama.cpp v0.5.0 parses it (src/llama-grammar.cpp, grammars/README.md):
//   rule      ::= name "::=" alternates (newline | end)
//   name      ::= [a-zA-Z0-9-]+
//   alternates ::= sequence ("|" sequence)*          (a newline may follow "|")
//   sequence  ::= item*                              (an empty sequence matches "")
//   item      ::= "literal" | [class] | [^class] | name | "(" alternates ")" | "."
//                 followed by any of * + ? {m} {m,} {m,n}
// Characters are code points (matched as UTF-8). Escapes in literals and classes: \xHH
// \uHHHH \UHHHHHHHH \t \r \n \\ \" \[ \] \-. `.` is any code point. `#` starts a comment to
// the end of the line; newlines separate rules except inside parentheses or after "|".
// The grammar starts at the rule named GbnfOptions::root_rule ("root").
//
// Differences from llama.cpp, all reported as errors instead of silently changing meaning:
// a rule defined twice (llama.cpp keeps the last), a repetition bound above
// GbnfOptions::max_repeat (llama.cpp makes a large upper bound unbounded), a range whose
// end is below its start, a surrogate or out-of-range code point, invalid UTF-8. Token
// references (<[123]>, <think>, !<...>) need a vocabulary and are Unsupported.
//
// Errors name the place as "line:column" (1-based, column in code points):
// InvalidArgument for syntax errors and undefined rules, Unsupported for token references,
// ResourceExhausted over GbnfOptions limits. Left recursion is found later, by CompileGrammar.
// Thread safety: a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "kolibri/grammar/grammar.h"
#include "kolibri/status.h"

namespace kolibri::grammar {

struct GbnfOptions {
  // The rule the grammar starts at.
  std::string root_rule = "root";
  // Largest m or n accepted in {m,n} (bounded repetitions are expanded by the compiler).
  int max_repeat = 10000;
  // Parentheses nested deeper than this are refused (bounds the parser's recursion).
  int max_nesting = 256;
  // Grammar expressions beyond this give ResourceExhausted.
  size_t max_exprs = 2'000'000;
};

Result<Grammar> GbnfToGrammar(std::string_view text, const GbnfOptions& options = {});

}  // namespace kolibri::grammar
