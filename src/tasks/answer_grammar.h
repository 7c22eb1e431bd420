// The grammar of a grounded answer, built at the grammar IR level for one question's
// retrieved chunks:
//
//   {"status":"answered","answer":<string>,"citations":[<citation>(,<citation>){0,max-1}]}
// | {"status":"not_in_sources","answer":<string>,"citations":[]}
//
//   <citation> ::= {"chunk":"<id 1>","quote":"<non-empty substring of chunk 1's text>"}
//                | {"chunk":"<id 2>","quote":"<non-empty substring of chunk 2's text>"} | ...
//
// The citation is an alternation over the chunks, each alternative fixing the id and the
// substring automaton of that chunk's own text, so a quote can only come from the chunk it
// names (a JSON-Schema enum plus one substring set could pair an id with another chunk's
// text). "answered" needs at least one citation; with no chunks only "not_in_sources" is
// left. Strings are compact JSON (escapes as nlohmann::json dumps them). The answer string is
// unbounded (a bounded repetition would give every position its own automaton node and
// token mask); max_tokens bounds it, and the scheduler's budget mode closes the object in
// time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kolibri/grammar/grammar.h"

namespace kolibri::tasks {

struct AnswerSource {
  std::string chunk_id;  // JSON-safe id (the store's hex ids)
  std::string text;      // non-empty
};

struct AnswerGrammarOptions {
  int32_t max_citations = 3;      // >= 1
};

grammar::Grammar BuildAnswerGrammar(const std::vector<AnswerSource>& sources, const AnswerGrammarOptions& options);

}  // namespace kolibri::tasks
