#include "tasks/answer_grammar.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "kolibri/grammar/constraints.h"
#include "kolibri/grammar/regex_parser.h"

namespace kolibri::tasks {

namespace {

std::string Quoted(const std::string& s) { return nlohmann::json(s).dump(); }

}  // namespace

grammar::Grammar BuildAnswerGrammar(const std::vector<AnswerSource>& sources, const AnswerGrammarOptions& options) {
  using grammar::RegexEncoding;
  grammar::Grammar g;
  const int root = g.AddRule("root");
  // Any code point but the C0 controls, JSON-escaped where needed.
  const int answer = g.AddRule("answer");
  const grammar::ExprId character = grammar::AddCharSet(&g, {{0x20, grammar::kMaxCodepoint}}, RegexEncoding::kJsonString);
  g.SetBody(answer, g.Seq({g.Byte('"'), g.Star(character), g.Byte('"')}));

  std::vector<grammar::ExprId> outcomes;
  outcomes.push_back(g.Seq({g.Literal("\"not_in_sources\",\"answer\":"), g.Ref(answer), g.Literal(",\"citations\":[]}")}));
  if (!sources.empty()) {
    const int citation = g.AddRule("citation");
    std::vector<grammar::ExprId> per_chunk;
    for (const AnswerSource& s : sources) {
      per_chunk.push_back(g.Seq({g.Literal("{\"chunk\":" + Quoted(s.chunk_id) + ",\"quote\":\""),
                                 grammar::AddSubstringOf(&g, s.text, RegexEncoding::kJsonString,
                                                         grammar::SubstringEmpty::kRejected),
                                 g.Literal("\"}")}));
    }
    g.SetBody(citation, g.Alt(std::move(per_chunk)));
    const grammar::ExprId more =
        g.Repeat(g.Seq({g.Byte(','), g.Ref(citation)}), 0, std::max(options.max_citations, 1) - 1);
    outcomes.push_back(g.Seq({g.Literal("\"answered\",\"answer\":"), g.Ref(answer), g.Literal(",\"citations\":["),
                              g.Ref(citation), more, g.Literal("]}")}));
  }
  g.SetBody(root, g.Seq({g.Literal("{\"status\":"), g.Alt(std::move(outcomes))}));
  g.SetRoot(root);
  return g;
}

}  // namespace kolibri::tasks
