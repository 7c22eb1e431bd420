#include "grammar/json_primitives.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kolibri::grammar {
namespace {

ExprId Digit(Grammar* g, char lo = '0', char hi = '9') {
  ByteSet s;
  s.SetRange(static_cast<uint8_t>(lo), static_cast<uint8_t>(hi));
  return g->Bytes(s);
}

// Same-length decimal strings a..b (a <= b, no sign).
ExprId SameLength(Grammar* g, const std::string& a, const std::string& b) {
  if (a.empty()) return g->Empty();
  if (a == b) return g->Literal(a);
  if (a[0] == b[0]) return g->Seq({g->Byte(static_cast<uint8_t>(a[0])), SameLength(g, a.substr(1), b.substr(1))});
  const size_t rest = a.size() - 1;
  const bool a_zeros = std::all_of(a.begin() + 1, a.end(), [](char c) { return c == '0'; });
  const bool b_nines = std::all_of(b.begin() + 1, b.end(), [](char c) { return c == '9'; });
  std::vector<ExprId> alts;
  char lo = a[0], hi = b[0];
  if (!a_zeros) {
    alts.push_back(g->Seq({g->Byte(static_cast<uint8_t>(a[0])), SameLength(g, a.substr(1), std::string(rest, '9'))}));
    ++lo;
  }
  const char mid_hi = b_nines ? hi : static_cast<char>(hi - 1);
  if (lo <= mid_hi) {
    alts.push_back(g->Seq({Digit(g, lo, mid_hi), g->Repeat(Digit(g), static_cast<int>(rest), static_cast<int>(rest))}));
  }
  if (!b_nines) {
    alts.push_back(g->Seq({g->Byte(static_cast<uint8_t>(b[0])), SameLength(g, std::string(rest, '0'), b.substr(1))}));
  }
  return g->Alt(std::move(alts));
}

// Non-negative integers in [a, b]; b == nullopt for no upper bound.
ExprId NonNegative(Grammar* g, uint64_t a, std::optional<uint64_t> b) {
  std::vector<ExprId> alts;
  const std::string as = std::to_string(a);
  const size_t max_len = b ? std::to_string(*b).size() : as.size();
  for (size_t len = as.size(); len <= max_len; ++len) {
    const std::string lo = len == as.size() ? as : "1" + std::string(len - 1, '0');
    const std::string hi = b && len == max_len ? std::to_string(*b) : std::string(len, '9');
    alts.push_back(SameLength(g, lo, hi));
  }
  if (!b) {
    // Every number with more digits than `a`.
    alts.push_back(g->Seq({Digit(g, '1', '9'), g->Repeat(Digit(g), static_cast<int>(as.size()), kUnbounded)}));
  }
  return g->Alt(std::move(alts));
}

}  // namespace

ExprId AddIntegerRange(Grammar* g, std::optional<int64_t> lo, std::optional<int64_t> hi) {
  std::vector<ExprId> alts;
  // Negative part: -m for m in [max(1, -hi), -lo].
  if (!lo || *lo < 0) {
    const uint64_t m_lo = hi && *hi < 0 ? static_cast<uint64_t>(-(*hi + 1)) + 1 : 1;
    std::optional<uint64_t> m_hi;
    if (lo) m_hi = static_cast<uint64_t>(-(*lo + 1)) + 1;
    if (!m_hi || m_lo <= *m_hi) alts.push_back(g->Seq({g->Byte('-'), NonNegative(g, m_lo, m_hi)}));
  }
  if (!hi || *hi >= 0) {
    const uint64_t a = lo && *lo > 0 ? static_cast<uint64_t>(*lo) : 0;
    std::optional<uint64_t> b;
    if (hi) b = static_cast<uint64_t>(*hi);
    if (!b || a <= *b) alts.push_back(NonNegative(g, a, b));
  }
  return g->Alt(std::move(alts));
}

namespace {

// m = I.F with the integer part I in [a, b] (b open when absent): the fraction is free
// strictly inside, non-zero at an exclusive lower end, zero at an inclusive upper end.
ExprId Magnitude(Grammar* g, uint64_t a, bool a_exclusive, std::optional<uint64_t> b, bool b_exclusive) {
  ByteSet d, nz;
  d.SetRange('0', '9');
  nz.SetRange('1', '9');
  const ExprId any_fraction = g->Optional(g->Seq({g->Byte('.'), g->Plus(g->Bytes(d))}));
  const ExprId zero_fraction = g->Optional(g->Seq({g->Byte('.'), g->Plus(g->Byte('0'))}));
  const ExprId nonzero_fraction =
      g->Seq({g->Byte('.'), g->Star(g->Byte('0')), g->Bytes(nz), g->Star(g->Bytes(d))});
  std::vector<ExprId> alts;
  const uint64_t free_lo = a_exclusive ? a + 1 : a;
  if (!b || (*b > 0 && free_lo <= *b - 1)) {
    alts.push_back(g->Seq({NonNegative(g, free_lo, b ? std::optional<uint64_t>(*b - 1) : std::nullopt), any_fraction}));
  }
  if (a_exclusive && (!b || a < *b)) alts.push_back(g->Seq({NonNegative(g, a, a), nonzero_fraction}));
  if (b && !b_exclusive && (a_exclusive ? *b > a : *b >= a)) alts.push_back(g->Seq({NonNegative(g, *b, *b), zero_fraction}));
  return g->Alt(std::move(alts));
}

}  // namespace

ExprId AddDecimalRange(Grammar* g, std::optional<DecimalBound> lo, std::optional<DecimalBound> hi) {
  std::vector<ExprId> alts;
  // Negative numbers x = -m: m in [max(-hi, 0), -lo], never "-0" (m > 0 when hi >= 0).
  if (!lo || lo->value < 0) {
    const bool hi_negative = hi && hi->value < 0;
    const uint64_t m_lo = hi_negative ? static_cast<uint64_t>(-hi->value) : 0;
    const bool m_lo_exclusive = hi_negative ? hi->exclusive : true;
    std::optional<uint64_t> m_hi;
    if (lo) m_hi = static_cast<uint64_t>(-lo->value);
    const bool m_hi_exclusive = lo && lo->exclusive;
    alts.push_back(g->Seq({g->Byte('-'), Magnitude(g, m_lo, m_lo_exclusive, m_hi, m_hi_exclusive)}));
  }
  // x >= 0.
  if (!hi || hi->value > 0 || (hi->value == 0 && !hi->exclusive)) {
    const bool lo_positive = lo && lo->value >= 0;
    const uint64_t a = lo_positive ? static_cast<uint64_t>(lo->value) : 0;
    const bool a_exclusive = lo_positive && lo->exclusive;
    std::optional<uint64_t> b;
    if (hi) b = static_cast<uint64_t>(hi->value);
    alts.push_back(Magnitude(g, a, a_exclusive, b, hi && hi->exclusive));
  }
  return g->Alt(std::move(alts));
}

JsonRules AddJsonRules(Grammar* g) {
  JsonRules r;
  r.value = g->AddRule("json_value");
  r.object = g->AddRule("json_object");
  r.array = g->AddRule("json_array");
  r.string = g->AddRule("json_string");
  r.number = g->AddRule("json_number");
  r.integer = g->AddRule("json_integer");
  r.character = g->AddRule("json_char");
  ByteSet escapable;
  for (char c : std::string_view("\"\\/bfnrt")) escapable.Set(static_cast<uint8_t>(c));
  ByteSet hex;
  hex.SetRange('0', '9');
  hex.SetRange('a', 'f');
  hex.SetRange('A', 'F');
  const ExprId plain = g->CodepointRanges({{0x20, 0x21}, {0x23, 0x5B}, {0x5D, kMaxCodepoint}});
  // \uXXXX: any code unit but a surrogate, or a high surrogate followed by a low one (JSON
  // parsers refuse lone surrogates).
  ByteSet hex_not_d;
  for (char c : std::string_view("0123456789abcefABCEF")) hex_not_d.Set(static_cast<uint8_t>(c));
  ByteSet d;
  d.Set('d');
  d.Set('D');
  ByteSet low_half, high_surrogate, low_surrogate;
  low_half.SetRange('0', '7');
  for (char c : std::string_view("89abAB")) high_surrogate.Set(static_cast<uint8_t>(c));
  for (char c : std::string_view("cdefCDEF")) low_surrogate.Set(static_cast<uint8_t>(c));
  const ExprId hex2 = g->Repeat(g->Bytes(hex), 2, 2);
  const ExprId unit = g->Alt({g->Seq({g->Bytes(hex_not_d), g->Repeat(g->Bytes(hex), 3, 3)}),
                              g->Seq({g->Bytes(d), g->Bytes(low_half), hex2})});
  const ExprId pair = g->Seq({g->Bytes(d), g->Bytes(high_surrogate), hex2, g->Literal("\\u"), g->Bytes(d),
                              g->Bytes(low_surrogate), hex2});
  const ExprId escape = g->Seq({g->Byte('\\'), g->Alt({g->Bytes(escapable),
                                                       g->Seq({g->Byte('u'), g->Alt({unit, pair})})})});
  g->SetBody(r.character, g->Alt({plain, escape}));
  g->SetBody(r.string, g->Seq({g->Byte('"'), g->Star(g->Ref(r.character)), g->Byte('"')}));
  const ExprId int_part = g->Seq({g->Optional(g->Byte('-')),
                                  g->Alt({g->Byte('0'), g->Seq({Digit(g, '1', '9'), g->Star(Digit(g))})})});
  g->SetBody(r.integer, int_part);
  ByteSet e;
  e.Set('e');
  e.Set('E');
  ByteSet sign;
  sign.Set('+');
  sign.Set('-');
  g->SetBody(r.number, g->Seq({g->Ref(r.integer), g->Optional(g->Seq({g->Byte('.'), g->Plus(Digit(g))})),
                               // Two exponent digits at most: every generated number then
                               // parses as a finite double (1e454693 is JSON, but no parser
                               // downstream can read it).
                               g->Optional(g->Seq({g->Bytes(e), g->Optional(g->Bytes(sign)),
                                                   g->Repeat(Digit(g), 1, 2)}))}));
  const ExprId member = g->Seq({g->Ref(r.string), g->Byte(':'), g->Ref(r.value)});
  g->SetBody(r.object, g->Seq({g->Byte('{'),
                               g->Optional(g->Seq({member, g->Star(g->Seq({g->Byte(','), member}))})),
                               g->Byte('}')}));
  g->SetBody(r.array, g->Seq({g->Byte('['),
                              g->Optional(g->Seq({g->Ref(r.value), g->Star(g->Seq({g->Byte(','), g->Ref(r.value)}))})),
                              g->Byte(']')}));
  g->SetBody(r.value, g->Alt({g->Ref(r.object), g->Ref(r.array), g->Ref(r.string), g->Ref(r.number),
                              g->Literal("true"), g->Literal("false"), g->Literal("null")}));
  return r;
}

const char* FormatRegex(std::string_view f) {
  static constexpr const char* kIpv4 = R"((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})";
  static constexpr const char* kDate = R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))";
  if (f == "date") return kDate;
  if (f == "time") return R"(([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d))";
  if (f == "date-time") {
    return R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d))";
  }
  if (f == "email") return R"([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*)";
  if (f == "uuid") return R"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})";
  if (f == "ipv4") return kIpv4;
  if (f == "ipv6") {
    // RFC 3986 IPv6address, alternative by alternative (h16 = 1-4 hex digits, ls32 = two
    // h16 or an IPv4 address), so every valid address matches.
    static const std::string kIpv6 = [] {
      const std::string h = "[0-9a-fA-F]{1,4}";
      const std::string ipv4 = kIpv4;
      const std::string ls32 = "(" + h + ":" + h + "|" + ipv4 + ")";
      auto head = [&](int max_colons) {  // [ *n( h16 ":" ) h16 ]
        return "((" + h + ":){0," + std::to_string(max_colons) + "}" + h + ")?";
      };
      auto groups = [&](int n) { return "(" + h + ":){" + std::to_string(n) + "}"; };
      return "(" + groups(6) + ls32 + "|::" + groups(5) + ls32 + "|" + head(0) + "::" + groups(4) + ls32 + "|" +
             head(1) + "::" + groups(3) + ls32 + "|" + head(2) + "::" + groups(2) + ls32 + "|" + head(3) + "::" + h +
             ":" + ls32 + "|" + head(4) + "::" + ls32 + "|" + head(5) + "::" + h + "|" + head(6) + "::)";
    }();
    return kIpv6.c_str();
  }
  if (f == "hostname") return R"([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)";
  if (f == "uri") {
    // RFC 3986 generic syntax, ASCII only: scheme ":" ["//" [userinfo "@"] host [":" port]]
    // path ["?" query] ["#" fragment]; a path without authority does not start with "//".
    static const std::string kUri = [] {
      const std::string pct = "%[0-9A-Fa-f]{2}";
      const std::string sub = "A-Za-z0-9\\-._~!$&'()*+,;=";  // unreserved and sub-delims
      auto chars = [&](const std::string& extra) { return "([" + sub + extra + "]|" + pct + ")"; };
      const std::string authority = "//(" + chars(":") + "*@)?(\\[[0-9A-Fa-f:.]+\\]|" + chars("") + "*)(:[0-9]*)?";
      return "[A-Za-z][A-Za-z0-9+.\\-]*:(" + authority + "(/" + chars(":@/") + "*)?|/?(" + chars(":@") +
             chars(":@/") + "*)?)(\\?" + chars(":@/?") + "*)?(#" + chars(":@/?") + "*)?";
    }();
    return kUri.c_str();
  }
  return nullptr;
}

bool IsSpecFormat(std::string_view f) {
  static constexpr std::string_view kFormats[] = {
      "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname", "ipv4", "ipv6",
      "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template", "json-pointer",
      "relative-json-pointer", "regex"};
  return std::find(std::begin(kFormats), std::end(kFormats), f) != std::end(kFormats);
}

std::optional<std::string> PatternWithLength(std::string_view p, std::optional<double> min_length,
                                             std::optional<double> max_length, int cap) {
  if (p.size() < 3 || p.front() != '^' || p.back() != '$' || p[p.size() - 2] == '\\') return std::nullopt;
  const std::string_view body = p.substr(1, p.size() - 2);
  size_t i = 0;
  int64_t literal = 0;  // code points before the quantified atom
  auto is_class_escape = [](char c) { return std::string_view("dwsDWS").find(c) != std::string_view::npos; };
  while (i < body.size()) {
    const char c = body[i];
    if (c == '[' || c == '.' || (c == '\\' && i + 1 < body.size() && is_class_escape(body[i + 1]))) break;
    if (c == '\\') {
      if (i + 1 >= body.size() || std::isalnum(static_cast<unsigned char>(body[i + 1]))) return std::nullopt;
      i += 2;
    } else if (std::string_view("()|*+?{}^$]").find(c) != std::string_view::npos) {
      return std::nullopt;
    } else {
      const auto b = static_cast<unsigned char>(c);
      i += b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : 4;
    }
    ++literal;
  }
  const size_t atom_begin = i;
  if (i >= body.size()) return std::nullopt;
  if (body[i] == '[') {
    size_t j = i + 1;
    if (j < body.size() && body[j] == '^') ++j;
    if (j < body.size() && body[j] == ']') ++j;
    while (j < body.size() && body[j] != ']') j += body[j] == '\\' ? 2 : 1;
    if (j >= body.size()) return std::nullopt;
    i = j + 1;
  } else {
    i += body[i] == '.' ? 1 : 2;
  }
  const std::string_view atom = body.substr(atom_begin, i - atom_begin);
  const std::string_view quant = body.substr(i);
  int64_t qmin = 0, qmax = -1;  // -1: unbounded
  if (quant == "+") {
    qmin = 1;
  } else if (quant != "*") {
    if (quant.size() < 3 || quant.front() != '{' || quant.back() != '}') return std::nullopt;
    const std::string_view inner = quant.substr(1, quant.size() - 2);
    const size_t comma = inner.find(',');
    auto number = [](std::string_view d, int64_t* out) {
      if (d.empty() || d.size() > 9) return false;
      *out = 0;
      for (char c : d) {
        if (c < '0' || c > '9') return false;
        *out = *out * 10 + (c - '0');
      }
      return true;
    };
    if (!number(inner.substr(0, comma), &qmin)) return std::nullopt;
    if (comma == std::string_view::npos) {
      qmax = qmin;
    } else if (comma + 1 < inner.size() && !number(inner.substr(comma + 1), &qmax)) {
      return std::nullopt;
    }
  }
  int64_t lo = qmin, hi = qmax;
  if (min_length) lo = std::max<int64_t>(lo, static_cast<int64_t>(std::ceil(*min_length)) - literal);
  if (max_length) {
    const int64_t bound = static_cast<int64_t>(std::floor(*max_length)) - literal;
    hi = hi < 0 ? bound : std::min(hi, bound);
  }
  if (lo > cap || hi > cap || (hi >= 0 && lo > hi) || (max_length && hi < 0)) return std::nullopt;
  return "^" + std::string(body.substr(0, atom_begin)) + std::string(atom) + "{" + std::to_string(lo) + "," +
         (hi < 0 ? std::string() : std::to_string(hi)) + "}$";
}

std::string JsonQuote(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace kolibri::grammar
