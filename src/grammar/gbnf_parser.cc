#include "kolibri/grammar/gbnf.h"

#include <map>
#include <vector>

namespace kolibri::grammar {
namespace {

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class GbnfParser {
 public:
  GbnfParser(std::string_view text, const GbnfOptions& options) : text_(text), options_(options) {}

  Result<Grammar> Run() {
    SkipSpace(/*newline_ok=*/true);
    while (pos_ < text_.size()) {
      KOLIBRI_RETURN_IF_ERROR(ParseRule());
    }
    const std::pair<const std::string, RuleInfo>* undefined = nullptr;
    for (const auto& entry : rules_) {
      if (!entry.second.defined && (undefined == nullptr || entry.second.first_use < undefined->second.first_use)) {
        undefined = &entry;
      }
    }
    if (undefined != nullptr) return Error(undefined->second.first_use, "undefined rule '" + undefined->first + "'");
    auto root = rules_.find(options_.root_rule);
    if (root == rules_.end()) {
      return Status::InvalidArgument("gbnf: the grammar has no '" + options_.root_rule + "' rule to start from");
    }
    g_.SetRoot(root->second.id);
    return std::move(g_);
  }

 private:
  struct RuleInfo {
    int id = -1;
    bool defined = false;
    size_t first_use = 0;  // offset of the first reference or the definition
  };

  Status Error(size_t offset, const std::string& message) const { return Status::InvalidArgument(Where(offset) + message); }

  std::string Where(size_t offset) const { return "gbnf:" + LineColumn(offset) + ": "; }

  std::string LineColumn(size_t offset) const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset && i < text_.size(); ++i) {
      const auto c = static_cast<unsigned char>(text_[i]);
      if (c == '\n') {
        ++line;
        column = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++column;
      }
    }
    return std::to_string(line) + ":" + std::to_string(column);
  }

  std::string Found() const {
    if (pos_ >= text_.size()) return "end of input";
    const char c = text_[pos_];
    if (c == '\n' || c == '\r') return "end of line";
    if (static_cast<unsigned char>(c) < 0x20) return "a control character";
    return "'" + std::string(1, c) + "'";
  }

  char Peek(size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  bool AtEnd() const { return pos_ >= text_.size(); }

  void SkipSpace(bool newline_ok) {
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c == '#') {
        while (!AtEnd() && text_[pos_] != '\r' && text_[pos_] != '\n') ++pos_;
      } else if (c == ' ' || c == '\t' || (newline_ok && (c == '\r' || c == '\n'))) {
        ++pos_;
      } else {
        break;
      }
    }
  }

  std::string_view ParseName() {
    const size_t start = pos_;
    while (!AtEnd() && IsWordChar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  RuleInfo& Rule(std::string_view name, size_t offset) {
    auto it = rules_.find(std::string(name));
    if (it == rules_.end()) {
      it = rules_.emplace(std::string(name), RuleInfo{g_.AddRule(std::string(name)), false, offset}).first;
    }
    return it->second;
  }

  Status ParseRule() {
    const size_t start = pos_;
    const std::string_view name = ParseName();
    if (name.empty()) return Error(pos_, "expected a rule name, found " + Found());
    SkipSpace(/*newline_ok=*/false);
    if (text_.substr(pos_, 3) != "::=") return Error(pos_, "expected '::=' after rule name '" + std::string(name) + "', found " + Found());
    RuleInfo& info = Rule(name, start);
    if (info.defined) {
      return Error(start, "rule '" + std::string(name) + "' is defined twice (first at " +
                              LineColumn(info.first_use) + ")");
    }
    info.defined = true;
    info.first_use = start;
    const int id = info.id;
    pos_ += 3;
    SkipSpace(/*newline_ok=*/true);
    KOLIBRI_ASSIGN_OR_RETURN(ExprId body, ParseAlternates(/*nested=*/false, 0));
    g_.SetBody(id, body);
    if (Peek() == '\r') {
      pos_ += Peek(1) == '\n' ? 2 : 1;
    } else if (Peek() == '\n') {
      ++pos_;
    } else if (!AtEnd()) {
      return Error(pos_, "expected a newline or the end after rule '" + std::string(name) + "', found " + Found());
    }
    SkipSpace(/*newline_ok=*/true);
    return Status::Ok();
  }

  Result<ExprId> ParseAlternates(bool nested, int depth) {
    std::vector<ExprId> alts;
    KOLIBRI_ASSIGN_OR_RETURN(ExprId first, ParseSequence(nested, depth));
    alts.push_back(first);
    while (Peek() == '|') {
      ++pos_;
      SkipSpace(/*newline_ok=*/true);
      KOLIBRI_ASSIGN_OR_RETURN(ExprId next, ParseSequence(nested, depth));
      alts.push_back(next);
    }
    return alts.size() == 1 ? alts[0] : g_.Alt(std::move(alts));
  }

  Result<ExprId> ParseSequence(bool nested, int depth) {
    std::vector<ExprId> items;
    while (!AtEnd()) {
      if (g_.size() > options_.max_exprs) {
        return Status::ResourceExhausted(Where(pos_) + "grammar larger than " + std::to_string(options_.max_exprs) +
                                         " expressions");
      }
      const size_t start = pos_;
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        std::string bytes;
        while (Peek() != '"') {
          if (AtEnd()) return Error(start, "unterminated string literal");
          KOLIBRI_ASSIGN_OR_RETURN(uint32_t cp, ParseChar());
          AppendUtf8(cp, &bytes);
        }
        ++pos_;
        items.push_back(bytes.empty() ? g_.Empty() : g_.Literal(bytes));
      } else if (c == '[') {
        KOLIBRI_ASSIGN_OR_RETURN(ExprId set, ParseClass());
        items.push_back(set);
      } else if (c == '<' || c == '!') {
        return Status::Unsupported(Where(pos_) +
                                   "token references (<...>, !<...>) need a model vocabulary and are not supported");
      } else if (IsWordChar(c)) {
        const std::string_view name = ParseName();
        items.push_back(g_.Ref(Rule(name, start).id));
      } else if (c == '(') {
        if (depth >= options_.max_nesting) {
          return Status::ResourceExhausted(Where(pos_) + "parentheses nested deeper than " +
                                           std::to_string(options_.max_nesting));
        }
        ++pos_;
        SkipSpace(/*newline_ok=*/true);
        KOLIBRI_ASSIGN_OR_RETURN(ExprId inner, ParseAlternates(/*nested=*/true, depth + 1));
        if (Peek() != ')') return Error(pos_, "expected ')' to close the '(' at " + LineColumn(start) + ", found " + Found());
        ++pos_;
        items.push_back(inner);
      } else if (c == '.') {
        ++pos_;
        items.push_back(g_.CodepointRanges({{0, kMaxCodepoint}}));
      } else if (c == '*' || c == '+' || c == '?' || c == '{') {
        if (items.empty()) return Error(pos_, std::string("'") + c + "' must follow an item to repeat");
        int min = 0, max = kUnbounded;
        if (c == '{') {
          KOLIBRI_RETURN_IF_ERROR(ParseBounds(nested, &min, &max));
        } else {
          ++pos_;
          min = c == '+' ? 1 : 0;
          max = c == '?' ? 1 : kUnbounded;
        }
        items.back() = g_.Repeat(items.back(), min, max);
      } else {
        break;
      }
      SkipSpace(nested);
    }
    if (items.empty()) return g_.Empty();
    return items.size() == 1 ? items[0] : g_.Seq(std::move(items));
  }

  Result<int> ParseInt() {
    const size_t start = pos_;
    int64_t value = 0;
    while (IsDigit(Peek())) {
      value = value * 10 + (text_[pos_] - '0');
      if (value > options_.max_repeat) {
        return Status::ResourceExhausted(Where(start) + "repetition bound above " + std::to_string(options_.max_repeat));
      }
      ++pos_;
    }
    if (pos_ == start) return Error(pos_, "expected a number, found " + Found());
    return static_cast<int>(value);
  }

  Status ParseBounds(bool nested, int* min, int* max) {
    const size_t start = pos_;
    ++pos_;
    SkipSpace(nested);
    KOLIBRI_ASSIGN_OR_RETURN(*min, ParseInt());
    SkipSpace(nested);
    if (Peek() == '}') {
      *max = *min;
    } else if (Peek() == ',') {
      ++pos_;
      SkipSpace(nested);
      *max = kUnbounded;
      if (IsDigit(Peek())) {
        KOLIBRI_ASSIGN_OR_RETURN(*max, ParseInt());
        SkipSpace(nested);
      }
      if (Peek() != '}') return Error(pos_, "expected '}' to close the repetition, found " + Found());
    } else {
      return Error(pos_, "expected ',' or '}' in the repetition, found " + Found());
    }
    ++pos_;
    if (*max != kUnbounded && *max < *min) {
      return Error(start, "repetition {" + std::to_string(*min) + "," + std::to_string(*max) + "} has max < min");
    }
    return Status::Ok();
  }

  Result<ExprId> ParseClass() {
    const size_t start = pos_;
    ++pos_;
    bool negated = false;
    if (Peek() == '^') {
      negated = true;
      ++pos_;
    }
    std::vector<CodepointRange> ranges;
    while (Peek() != ']') {
      if (AtEnd()) return Error(start, "unterminated character class");
      const size_t item = pos_;
      KOLIBRI_ASSIGN_OR_RETURN(uint32_t lo, ParseChar());
      uint32_t hi = lo;
      if (Peek() == '-' && Peek(1) != ']' && pos_ + 1 < text_.size()) {
        ++pos_;
        KOLIBRI_ASSIGN_OR_RETURN(hi, ParseChar());
        if (hi < lo) return Error(item, "character range ends below its start");
      }
      ranges.push_back({lo, hi});
    }
    ++pos_;
    ranges = negated ? ComplementRanges(NormalizeRanges(std::move(ranges))) : NormalizeRanges(std::move(ranges));
    if (ranges.empty()) return g_.Nothing();
    return g_.CodepointRanges(std::move(ranges));
  }

  Result<uint32_t> Hex(size_t digits) {
    const size_t start = pos_;
    uint32_t value = 0;
    for (size_t i = 0; i < digits; ++i) {
      const int h = HexValue(Peek());
      if (h < 0) return Error(start - 2, "expected " + std::to_string(digits) + " hex digits after '\\" + text_[start - 1] + "'");
      value = (value << 4) | static_cast<uint32_t>(h);
      ++pos_;
    }
    if (value > kMaxCodepoint) return Error(start - 2, "code point above U+10FFFF");
    if (value >= 0xD800 && value <= 0xDFFF) return Error(start - 2, "surrogate code point");
    return value;
  }

  // One character of a literal or class: an escape or a UTF-8 encoded code point.
  Result<uint32_t> ParseChar() {
    const size_t start = pos_;
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '\\') {
      if (pos_ + 1 >= text_.size()) return Error(start, "unterminated escape");
      const char e = text_[pos_ + 1];
      pos_ += 2;
      switch (e) {
        case 'x': return Hex(2);
        case 'u': return Hex(4);
        case 'U': return Hex(8);
        case 't': return uint32_t{'\t'};
        case 'r': return uint32_t{'\r'};
        case 'n': return uint32_t{'\n'};
        case '\\': case '"': case '[': case ']': case '-': return static_cast<uint32_t>(e);
        default: return Error(start, std::string("unknown escape '\\") + e + "'");
      }
    }
    const int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || pos_ + len > text_.size()) return Error(start, "invalid UTF-8");
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len; ++k) {
      const auto cont = static_cast<unsigned char>(text_[pos_ + k]);
      if ((cont & 0xC0) != 0x80) return Error(start, "invalid UTF-8");
      cp = (cp << 6) | (cont & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > kMaxCodepoint || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return Error(start, "invalid UTF-8");
    }
    pos_ += len;
    return cp;
  }

  std::string_view text_;
  const GbnfOptions& options_;
  size_t pos_ = 0;
  Grammar g_;
  std::map<std::string, RuleInfo> rules_;
};

}  // namespace

Result<Grammar> GbnfToGrammar(std::string_view text, const GbnfOptions& options) {
  return GbnfParser(text, options).Run();
}

}  // namespace kolibri::grammar
