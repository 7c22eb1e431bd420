#include "kolibri/grammar/regex_parser.h"

#include <cstdio>
#include <string>
#include <vector>

namespace kolibri::grammar {
namespace {

using Ranges = std::vector<CodepointRange>;

Ranges Digits() { return {{'0', '9'}}; }
Ranges Word() { return {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}; }
Ranges Space() {
  return {{'\t', '\r'}, {' ', ' '}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A}, {0x2028, 0x2029},
          {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
}
Ranges AnyButNewline() { return ComplementRanges({{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}}); }

int HexValue(uint32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

class RegexParser {
 public:
  RegexParser(Grammar* g, std::string_view pattern, const RegexOptions& options)
      : g_(g), options_(options), pattern_(pattern) {
    for (size_t i = 0; i < pattern.size();) {
      const auto c = static_cast<unsigned char>(pattern[i]);
      int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
      if (i + len > pattern.size()) len = 1;
      uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
      for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(pattern[i + k]) & 0x3F);
      cps_.push_back(cp);
      i += len;
    }
  }

  Result<ExprId> ParseTop() {
    std::vector<ExprId> alts;
    const ExprId any = g_->Star(AddCharSet(g_, {{0, kMaxCodepoint}}, options_.encoding));
    while (true) {
      bool anchored_start = false, anchored_end = false;
      if (Peek('^')) {
        ++pos_;
        anchored_start = true;
      }
      KOLIBRI_ASSIGN_OR_RETURN(ExprId seq, ParseSequence(/*top=*/true, &anchored_end));
      if (!(anchored_start && anchored_end) && Nullable(*g_, seq, 0)) matches_every_string_ = true;
      std::vector<ExprId> parts;
      if (!anchored_start && options_.mode == RegexMatchMode::kSearch) parts.push_back(any);
      parts.push_back(seq);
      if (!anchored_end && options_.mode == RegexMatchMode::kSearch) parts.push_back(any);
      alts.push_back(g_->Seq(std::move(parts)));
      if (pos_ >= cps_.size()) break;
      if (Peek('|')) {
        ++pos_;
        continue;
      }
      return Error("unbalanced ')'");
    }
    return g_->Alt(std::move(alts));
  }

  // Set by ParseTop: with search semantics some alternative matches the empty string at
  // one end of any subject, so the pattern matches every string.
  bool matches_every_string() const { return matches_every_string_; }

 private:
  static bool Nullable(const Grammar& g, ExprId id, int depth) {
    const Expr& e = g.expr(id);
    if (depth > 200) return false;
    switch (e.kind) {
      case ExprKind::kEmpty: return true;
      case ExprKind::kNothing:
      case ExprKind::kBytes:
      case ExprKind::kRef: return false;  // conservative: regexes build no rules
      case ExprKind::kSeq:
        for (ExprId c : e.children) {
          if (!Nullable(g, c, depth + 1)) return false;
        }
        return true;
      case ExprKind::kAlt:
        for (ExprId c : e.children) {
          if (Nullable(g, c, depth + 1)) return true;
        }
        return false;
      case ExprKind::kRepeat: return e.min == 0 || Nullable(g, e.children[0], depth + 1);
    }
    return false;
  }
  bool Peek(uint32_t c) const { return pos_ < cps_.size() && cps_[pos_] == c; }
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("regex '" + std::string(pattern_) + "': " + what + " at offset " +
                                   std::to_string(pos_));
  }
  Status Unsupported(const std::string& what) const {
    return Status::Unsupported("regex '" + std::string(pattern_) + "': " + what + " at offset " +
                               std::to_string(pos_) + " is not supported");
  }

  Result<ExprId> ParseAlternation() {
    std::vector<ExprId> alts;
    while (true) {
      KOLIBRI_ASSIGN_OR_RETURN(ExprId seq, ParseSequence(/*top=*/false, nullptr));
      alts.push_back(seq);
      if (!Peek('|')) break;
      ++pos_;
    }
    return g_->Alt(std::move(alts));
  }

  Result<ExprId> ParseSequence(bool top, bool* anchored_end) {
    std::vector<ExprId> items;
    while (pos_ < cps_.size() && !Peek('|') && !Peek(')')) {
      if (Peek('$')) {
        ++pos_;
        const bool at_end = pos_ >= cps_.size() || Peek('|');
        if (!top || !at_end) return Unsupported("'$' anywhere but at the end");
        *anchored_end = true;
        break;
      }
      if (Peek('^')) return Unsupported("'^' anywhere but at the start");
      if (++depth_ > 500) return Unsupported("nesting deeper than 500");
      auto atom = ParseAtom();
      --depth_;
      if (!atom.ok()) return atom.status();
      KOLIBRI_ASSIGN_OR_RETURN(ExprId q, ParseQuantifier(*atom));
      items.push_back(q);
    }
    if (top && Peek(')')) return Error("unbalanced ')'");
    return g_->Seq(std::move(items));
  }

  // Reads {n}, {n,}, {n,m}; returns false (position unchanged) when it is not a quantifier.
  bool ReadBraces(int* min, int* max) {
    size_t p = pos_ + 1;
    auto number = [&](int* out) {
      size_t start = p;
      int64_t v = 0;
      while (p < cps_.size() && cps_[p] >= '0' && cps_[p] <= '9') {
        v = std::min<int64_t>(v * 10 + (cps_[p] - '0'), int64_t{1} << 40);
        ++p;
      }
      *out = static_cast<int>(std::min<int64_t>(v, int64_t{1} << 30));
      return p > start;
    };
    if (!number(min)) return false;
    *max = *min;
    if (p < cps_.size() && cps_[p] == ',') {
      ++p;
      if (!number(max)) *max = kUnbounded;
    }
    if (p >= cps_.size() || cps_[p] != '}') return false;
    pos_ = p + 1;
    return true;
  }

  Result<ExprId> ParseQuantifier(ExprId atom) {
    while (pos_ < cps_.size()) {
      int min = 0, max = 0;
      if (Peek('*')) {
        min = 0, max = kUnbounded, ++pos_;
      } else if (Peek('+')) {
        min = 1, max = kUnbounded, ++pos_;
      } else if (Peek('?')) {
        min = 0, max = 1, ++pos_;
      } else if (Peek('{') && ReadBraces(&min, &max)) {
        if (max != kUnbounded && max < min) return Error("quantifier {n,m} with m < n");
        if (min > kMaxRepeat || max > kMaxRepeat) {
          return Unsupported("repetition bound above " + std::to_string(kMaxRepeat));
        }
      } else {
        break;
      }
      if (Peek('?')) ++pos_;  // lazy: same language
      atom = g_->Repeat(atom, min, max);
    }
    return atom;
  }

  Result<ExprId> ParseAtom() {
    const uint32_t c = cps_[pos_];
    if (c == '(') {
      ++pos_;
      if (Peek('?')) {
        ++pos_;
        if (Peek(':')) {
          ++pos_;
        } else if (Peek('<') && pos_ + 1 < cps_.size() && cps_[pos_ + 1] != '=' && cps_[pos_ + 1] != '!') {
          while (pos_ < cps_.size() && !Peek('>')) ++pos_;
          if (!Peek('>')) return Error("unterminated group name");
          ++pos_;
        } else {
          return Unsupported("lookaround assertion");
        }
      }
      KOLIBRI_ASSIGN_OR_RETURN(ExprId inner, ParseAlternation());
      if (!Peek(')')) return Error("missing ')'");
      ++pos_;
      return inner;
    }
    if (c == '[') return ParseClass();
    if (c == '.') {
      ++pos_;
      return AddCharSet(g_, AnyButNewline(), options_.encoding);
    }
    if (c == '*' || c == '+' || c == '?') return Error("nothing to repeat");
    if (c == '{') {
      int a = 0, b = 0;
      size_t save = pos_;
      if (ReadBraces(&a, &b)) {
        pos_ = save;
        return Error("nothing to repeat");
      }
    }
    if (c == '\\') {
      Ranges set;
      KOLIBRI_RETURN_IF_ERROR(ParseEscape(/*in_class=*/false, &set));
      return AddCharSet(g_, set, options_.encoding);
    }
    ++pos_;
    return AddCharSet(g_, {{c, c}}, options_.encoding);
  }

  // Parses an escape at pos_ ('\\'), producing the set it stands for.
  Status ParseEscape(bool in_class, Ranges* set) {
    ++pos_;
    if (pos_ >= cps_.size()) return Error("trailing backslash");
    const uint32_t c = cps_[pos_++];
    auto one = [&](uint32_t v) { *set = {{v, v}}; };
    switch (c) {
      case 'd': *set = Digits(); return Status::Ok();
      case 'D': *set = ComplementRanges(Digits()); return Status::Ok();
      case 'w': *set = Word(); return Status::Ok();
      case 'W': *set = ComplementRanges(Word()); return Status::Ok();
      case 's': *set = Space(); return Status::Ok();
      case 'S': *set = ComplementRanges(Space()); return Status::Ok();
      case 'n': one('\n'); return Status::Ok();
      case 'r': one('\r'); return Status::Ok();
      case 't': one('\t'); return Status::Ok();
      case 'v': one('\v'); return Status::Ok();
      case 'f': one('\f'); return Status::Ok();
      case '0': one(0); return Status::Ok();
      case 'b':
        if (in_class) {
          one('\b');
          return Status::Ok();
        }
        --pos_;
        return Unsupported("word boundary \\b");
      case 'B': --pos_; return Unsupported("\\B");
      case 'p': case 'P': --pos_; return Unsupported("Unicode property escape");
      case 'k': --pos_; return Unsupported("named backreference");
      case 'c':
        if (pos_ < cps_.size() && ((cps_[pos_] | 0x20) >= 'a' && (cps_[pos_] | 0x20) <= 'z')) {
          one(cps_[pos_++] % 32);
          return Status::Ok();
        }
        one('\\');
        --pos_;
        return Status::Ok();
      case 'x': {
        if (pos_ + 2 <= cps_.size() && HexValue(cps_[pos_]) >= 0 && HexValue(cps_[pos_ + 1]) >= 0) {
          one(static_cast<uint32_t>(HexValue(cps_[pos_]) * 16 + HexValue(cps_[pos_ + 1])));
          pos_ += 2;
        } else {
          one('x');
        }
        return Status::Ok();
      }
      case 'u': {
        if (Peek('{')) {
          size_t p = pos_ + 1;
          uint32_t v = 0;
          while (p < cps_.size() && HexValue(cps_[p]) >= 0 && v <= kMaxCodepoint) v = v * 16 + HexValue(cps_[p++]);
          if (p < cps_.size() && cps_[p] == '}' && p > pos_ + 1 && v <= kMaxCodepoint) {
            pos_ = p + 1;
            one(v);
            return Status::Ok();
          }
          return Error("bad \\u{...} escape");
        }
        if (pos_ + 4 <= cps_.size()) {
          uint32_t v = 0;
          bool ok = true;
          for (int k = 0; k < 4; ++k) {
            int h = HexValue(cps_[pos_ + k]);
            ok &= h >= 0;
            v = v * 16 + static_cast<uint32_t>(std::max(h, 0));
          }
          if (ok) {
            pos_ += 4;
            one(v);
            return Status::Ok();
          }
        }
        one('u');
        return Status::Ok();
      }
      default:
        if (c >= '1' && c <= '9') {
          --pos_;
          return Unsupported("backreference");
        }
        one(c);
        return Status::Ok();
    }
  }

  Result<ExprId> ParseClass() {
    ++pos_;
    bool negate = false;
    if (Peek('^')) {
      negate = true;
      ++pos_;
    }
    Ranges set;
    while (true) {
      if (pos_ >= cps_.size()) return Error("unterminated character class");
      if (Peek(']')) {
        ++pos_;
        break;
      }
      Ranges lo_set;
      KOLIBRI_RETURN_IF_ERROR(ClassAtom(&lo_set));
      if (Peek('-') && pos_ + 1 < cps_.size() && cps_[pos_ + 1] != ']') {
        ++pos_;
        Ranges hi_set;
        KOLIBRI_RETURN_IF_ERROR(ClassAtom(&hi_set));
        const bool single = lo_set.size() == 1 && hi_set.size() == 1 && lo_set[0].first == lo_set[0].second &&
                            hi_set[0].first == hi_set[0].second;
        if (single) {
          if (hi_set[0].first < lo_set[0].first) return Error("range out of order in character class");
          set.emplace_back(lo_set[0].first, hi_set[0].first);
        } else {
          // A class escape on either side makes '-' a literal (Annex B).
          set.insert(set.end(), lo_set.begin(), lo_set.end());
          set.emplace_back('-', '-');
          set.insert(set.end(), hi_set.begin(), hi_set.end());
        }
        continue;
      }
      set.insert(set.end(), lo_set.begin(), lo_set.end());
    }
    set = negate ? ComplementRanges(set) : NormalizeRanges(set);
    return AddCharSet(g_, set, options_.encoding);
  }

  Status ClassAtom(Ranges* out) {
    if (Peek('\\')) return ParseEscape(/*in_class=*/true, out);
    const uint32_t c = cps_[pos_++];
    *out = {{c, c}};
    return Status::Ok();
  }

  Grammar* g_;
  RegexOptions options_;
  std::string_view pattern_;
  std::vector<uint32_t> cps_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool matches_every_string_ = false;
};

}  // namespace

ExprId AddCharSet(Grammar* g, const std::vector<CodepointRange>& ranges, RegexEncoding encoding) {
  Ranges norm = NormalizeRanges(ranges);
  if (encoding == RegexEncoding::kUtf8) return g->CodepointRanges(norm);
  // JSON string content: plain code points raw, the rest as escapes (all accepted forms).
  Ranges plain;
  std::vector<ExprId> alts;
  for (auto [lo, hi] : norm) {
    for (uint32_t c = lo; c <= std::min<uint32_t>(hi, 0x5C); ++c) {
      if (c >= 0x20 && c != '"' && c != '\\') {
        uint32_t e = c;
        while (e + 1 <= std::min<uint32_t>(hi, 0x5B) && e + 1 != '"') ++e;
        plain.emplace_back(c, e);
        c = e;
        continue;
      }
      std::vector<ExprId> forms;
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      forms.push_back(g->Literal(buf));
      std::snprintf(buf, sizeof buf, "\\u%04X", c);
      if (std::string_view(buf) != "\\u0000" && (c & 0xF) >= 10) forms.push_back(g->Literal(buf));
      const char* short_form = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                               : c == '\t' ? "\\t" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : nullptr;
      if (short_form != nullptr) forms.push_back(g->Literal(short_form));
      alts.push_back(g->Alt(std::move(forms)));
    }
    if (hi > 0x5C) plain.emplace_back(std::max<uint32_t>(lo, 0x5D), hi);
  }
  if (!plain.empty()) alts.insert(alts.begin(), g->CodepointRanges(plain));
  return g->Alt(std::move(alts));
}

Result<ExprId> AddRegex(Grammar* grammar, std::string_view pattern, const RegexOptions& options) {
  RegexParser parser(grammar, pattern, options);
  return parser.ParseTop();
}

Result<bool> RegexMatchesEveryString(std::string_view pattern) {
  Grammar scratch;
  RegexParser parser(&scratch, pattern, {RegexMatchMode::kSearch, RegexEncoding::kUtf8});
  KOLIBRI_RETURN_IF_ERROR(parser.ParseTop().status());
  return parser.matches_every_string();
}

Result<Grammar> RegexToGrammar(std::string_view pattern, const RegexOptions& options) {
  Grammar g;
  int root = g.AddRule("root");
  KOLIBRI_ASSIGN_OR_RETURN(ExprId body, AddRegex(&g, pattern, options));
  g.SetBody(root, body);
  g.SetRoot(root);
  return g;
}

}  // namespace kolibri::grammar
