#include "kolibri/grammar/constraints.h"

#include <map>

#include "grammar/json_primitives.h"

namespace kolibri::grammar {

Result<Grammar> LabelsToGrammar(const std::vector<std::string>& labels, const LabelOptions& options) {
  if (labels.empty()) return Status::InvalidArgument("the label set is empty");
  Grammar g;
  const int root = g.AddRule("root");
  std::vector<ExprId> alts;
  for (const std::string& label : labels) alts.push_back(g.Literal(options.json_string ? JsonQuote(label) : label));
  g.SetBody(root, g.Alt(std::move(alts)));
  g.SetRoot(root);
  return g;
}

namespace {

struct SamState {
  int32_t len = 0;
  int32_t link = -1;
  std::map<uint32_t, int32_t> next;
};

std::vector<uint32_t> DecodeUtf8Lenient(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; ok && k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      ok = (d >> 6) == 2;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (!ok) {
      out.push_back(0xFFFD);  // invalid bytes cannot be quoted as text; stands in for them
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

}  // namespace

ExprId AddSubstringOf(Grammar* g, std::string_view text, RegexEncoding encoding, SubstringEmpty empty) {
  const std::vector<uint32_t> cps = DecodeUtf8Lenient(text);
  std::vector<SamState> st(1);
  st.reserve(cps.size() * 2 + 1);
  int32_t last = 0;
  for (uint32_t c : cps) {
    const int32_t cur = static_cast<int32_t>(st.size());
    st.push_back(SamState{st[last].len + 1, -1, {}});
    int32_t p = last;
    while (p != -1 && !st[p].next.count(c)) {
      st[p].next[c] = cur;
      p = st[p].link;
    }
    if (p == -1) {
      st[cur].link = 0;
    } else {
      const int32_t q = st[p].next[c];
      if (st[p].len + 1 == st[q].len) {
        st[cur].link = q;
      } else {
        const int32_t clone = static_cast<int32_t>(st.size());
        SamState copy = st[q];
        copy.len = st[p].len + 1;
        st.push_back(std::move(copy));
        while (p != -1 && st[p].next[c] == q) {
          st[p].next[c] = clone;
          p = st[p].link;
        }
        st[q].link = clone;
        st[cur].link = clone;
      }
    }
    last = cur;
  }
  const int base = static_cast<int>(g->rules().size());
  for (size_t i = 0; i < st.size(); ++i) g->AddRule("substring_" + std::to_string(base) + "_" + std::to_string(i));
  std::map<uint32_t, ExprId> encoded;
  for (size_t i = 0; i < st.size(); ++i) {
    // Every automaton state ends a substring; only the start state's end is the empty one.
    std::vector<ExprId> alts;
    if (i != 0 || empty == SubstringEmpty::kAllowed) alts.push_back(g->Empty());
    for (auto [c, to] : st[i].next) {
      auto it = encoded.find(c);
      if (it == encoded.end()) it = encoded.emplace(c, AddCharSet(g, {{c, c}}, encoding)).first;
      alts.push_back(g->Seq({it->second, g->Ref(base + to)}));
    }
    g->SetBody(base + static_cast<int>(i), g->Alt(std::move(alts)));
  }
  return g->Ref(base);
}

Grammar SubstringGrammar(std::string_view text, RegexEncoding encoding) {
  Grammar g;
  const int root = g.AddRule("root");
  const ExprId sub = AddSubstringOf(&g, text, encoding);
  g.SetBody(root, encoding == RegexEncoding::kJsonString ? g.Seq({g.Byte('"'), sub, g.Byte('"')}) : sub);
  g.SetRoot(root);
  return g;
}

}  // namespace kolibri::grammar
