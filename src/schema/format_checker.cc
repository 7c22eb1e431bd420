#include "schema/format_checker.h"

#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <cstdint>

#include "schema/ecma_regex.h"
#include "schema/uri.h"

namespace kolibri::schema {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsNonAscii(char c) { return static_cast<unsigned char>(c) >= 0x80; }

// Reads exactly `n` digits at `pos` into `out`.
bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
    value = value * 10 + (s[i] - '0');
  }
  *out = value;
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool CheckDate(std::string_view s) {
  int year, month, day;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!Digits(s, 0, 4, &year) || !Digits(s, 5, 2, &month) || !Digits(s, 8, 2, &day)) return false;
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  int max_day = kDays[static_cast<size_t>(month - 1)] + (month == 2 && IsLeapYear(year) ? 1 : 0);
  return day <= max_day;
}

// RFC 3339 full-time: HH:MM:SS[.frac](Z|+HH:MM|-HH:MM); a leap second only at 23:59:60 UTC.
bool CheckTime(std::string_view s) {
  int hour, minute, second;
  if (s.size() < 9 || s[2] != ':' || s[5] != ':') return false;
  if (!Digits(s, 0, 2, &hour) || !Digits(s, 3, 2, &minute) || !Digits(s, 6, 2, &second)) return false;
  size_t pos = 8;
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == start) return false;
  }
  if (pos >= s.size()) return false;
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    if (pos + 1 != s.size()) return false;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (s.size() != pos + 6 || s[pos + 3] != ':' || !Digits(s, pos + 1, 2, &oh) ||
        !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return false;
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
  } else {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (second == 60) {
    int utc = ((hour * 60 + minute - offset_minutes) % 1440 + 1440) % 1440;
    if (utc != 23 * 60 + 59) return false;
  }
  return true;
}

bool CheckDateTime(std::string_view s) {
  if (s.size() < 11 || (s[10] != 'T' && s[10] != 't')) return false;
  return CheckDate(s.substr(0, 10)) && CheckTime(s.substr(11));
}

// ISO 8601 duration as RFC 3339 appendix A: P[nY][nM][nD][T[nH][nM][nS]] or PnW.
bool CheckDuration(std::string_view s) {
  if (s.size() < 2 || s[0] != 'P') return false;
  size_t pos = 1;
  auto unit = [&](std::string_view units, size_t* next_unit) {
    size_t start = pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == start || pos >= s.size()) return false;
    size_t index = units.find(s[pos]);
    if (index == std::string_view::npos || index < *next_unit) return false;
    *next_unit = index + 1;
    ++pos;
    return true;
  };
  if (s.back() == 'W') {
    size_t next = 0;
    return unit("W", &next) && pos == s.size();
  }
  size_t next = 0;
  bool any = false;
  while (pos < s.size() && s[pos] != 'T') {
    if (!unit("YMD", &next)) return false;
    any = true;
  }
  if (pos < s.size()) {
    ++pos;  // 'T'
    if (pos == s.size()) return false;
    next = 0;
    while (pos < s.size()) {
      if (!unit("HMS", &next)) return false;
    }
    any = true;
  }
  return any;
}

bool CheckHostname(std::string_view s, bool international) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!IsAlpha(c) && !IsDigit(c) && c != '-' && !(international && IsNonAscii(c))) return false;
    }
    if (label.size() >= 4 && label[2] == '-' && label[3] == '-' && !label.starts_with("xn--") &&
        !label.starts_with("XN--")) {
      return false;  // RFC 5891: "??--" is reserved for A-labels
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool CheckIpv4(std::string_view s) {
  int parts = 0;
  size_t pos = 0;
  while (true) {
    size_t start = pos;
    int value = 0;
    while (pos < s.size() && IsDigit(s[pos]) && pos - start < 3) value = value * 10 + (s[pos++] - '0');
    size_t len = pos - start;
    if (len == 0 || value > 255 || (len > 1 && s[start] == '0')) return false;
    if (++parts == 4) return pos == s.size();
    if (pos >= s.size() || s[pos] != '.') return false;
    ++pos;
  }
}

bool CheckIpv6(const std::string& s) {
  for (char c : s) {
    if (!IsHex(c) && c != ':' && c != '.') return false;
  }
  unsigned char buf[16];
  return inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool CheckEmail(std::string_view s, bool international) {
  size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == s.size()) return false;
  std::string_view local = s.substr(0, at);
  std::string_view domain = s.substr(at + 1);
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    for (size_t i = 1; i + 1 < local.size(); ++i) {
      if (local[i] == '"' || static_cast<unsigned char>(local[i]) < 0x20) return false;
      if (local[i] == '\\') ++i;
    }
  } else {
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
    static constexpr std::string_view kAtext = "!#$%&'*+-/=?^_`{|}~.";
    for (char c : local) {
      if (!IsAlpha(c) && !IsDigit(c) && kAtext.find(c) == std::string_view::npos &&
          !(international && IsNonAscii(c))) {
        return false;
      }
    }
  }
  if (domain.front() == '[' && domain.back() == ']') {
    std::string_view literal = domain.substr(1, domain.size() - 2);
    if (literal.starts_with("IPv6:")) return CheckIpv6(std::string(literal.substr(5)));
    return CheckIpv4(literal);
  }
  return CheckHostname(domain, international);
}

bool IsUriChar(char c, bool international) {
  static constexpr std::string_view kAllowed = "-._~:/?#[]@!$&'()*+,;=%";
  return IsAlpha(c) || IsDigit(c) || kAllowed.find(c) != std::string_view::npos ||
         (international && IsNonAscii(c));
}

// RFC 3986 URI (scheme required) or URI-reference; RFC 3987 when `international`.
bool CheckUri(std::string_view s, bool require_scheme, bool international) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (!IsUriChar(s[i], international)) return false;
    if (s[i] == '%' && (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2]))) return false;
  }
  std::string_view rest = s.substr(0, s.find('#'));
  if (s.find('#') != std::string_view::npos &&
      s.substr(s.find('#') + 1).find('#') != std::string_view::npos) {
    return false;
  }
  bool has_scheme = HasScheme(rest);
  if (require_scheme && !has_scheme) return false;
  if (!has_scheme) {
    size_t colon = rest.find(':');
    size_t slash = rest.find('/');
    // A first path segment with ':' would read as a scheme: RFC 3986 section 4.2.
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash)) return false;
  } else {
    rest = rest.substr(rest.find(':') + 1);
  }
  if (rest.starts_with("//")) {
    std::string_view authority = rest.substr(2, rest.find_first_of("/?", 2) - 2);
    size_t at = authority.rfind('@');
    std::string_view host_port = at == std::string_view::npos ? authority : authority.substr(at + 1);
    if (host_port.starts_with("[")) {
      size_t close = host_port.find(']');
      if (close == std::string_view::npos) return false;
      std::string_view after = host_port.substr(close + 1);
      if (!after.empty() && after[0] != ':') return false;
      host_port = after;
    } else if (host_port.find_first_of("[]") != std::string_view::npos) {
      return false;
    }
    size_t colon = host_port.rfind(':');
    if (colon != std::string_view::npos) {
      for (char c : host_port.substr(colon + 1)) {
        if (!IsDigit(c)) return false;
      }
    }
  } else if (rest.find_first_of("[]") != std::string_view::npos) {
    return false;
  }
  return true;
}

bool CheckUriTemplate(std::string_view s) {
  bool in_expression = false;
  for (char c : s) {
    if (c == '{') {
      if (in_expression) return false;
      in_expression = true;
    } else if (c == '}') {
      if (!in_expression) return false;
      in_expression = false;
    } else if (!in_expression && (c == ' ' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
                                  c == '`' || c == '|')) {
      return false;
    }
  }
  return !in_expression;
}

bool CheckUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool CheckJsonPointer(std::string_view s) { return ParsePointer(s).ok(); }

bool CheckRelativeJsonPointer(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size() && IsDigit(s[pos])) ++pos;
  if (pos == 0 || (pos > 1 && s[0] == '0')) return false;
  std::string_view rest = s.substr(pos);
  return rest == "#" || CheckJsonPointer(rest);
}

enum class Format {
  kDate, kTime, kDateTime, kDuration, kEmail, kIdnEmail, kHostname, kIdnHostname, kIpv4, kIpv6,
  kUri, kUriReference, kIri, kIriReference, kUriTemplate, kUuid, kRegex, kJsonPointer,
  kRelativeJsonPointer, kUnknown,
};

Format Lookup(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, Format>, 19> kFormats = {{
      {"date", Format::kDate}, {"time", Format::kTime}, {"date-time", Format::kDateTime},
      {"duration", Format::kDuration}, {"email", Format::kEmail}, {"idn-email", Format::kIdnEmail},
      {"hostname", Format::kHostname}, {"idn-hostname", Format::kIdnHostname},
      {"ipv4", Format::kIpv4}, {"ipv6", Format::kIpv6}, {"uri", Format::kUri},
      {"uri-reference", Format::kUriReference}, {"iri", Format::kIri},
      {"iri-reference", Format::kIriReference}, {"uri-template", Format::kUriTemplate},
      {"uuid", Format::kUuid}, {"regex", Format::kRegex}, {"json-pointer", Format::kJsonPointer},
      {"relative-json-pointer", Format::kRelativeJsonPointer},
  }};
  for (const auto& [format_name, format] : kFormats) {
    if (format_name == name) return format;
  }
  return Format::kUnknown;
}

}  // namespace

bool IsKnownFormat(std::string_view format) { return Lookup(format) != Format::kUnknown; }

bool CheckFormat(std::string_view format, const std::string& value) {
  switch (Lookup(format)) {
    case Format::kDate: return CheckDate(value);
    case Format::kTime: return CheckTime(value);
    case Format::kDateTime: return CheckDateTime(value);
    case Format::kDuration: return CheckDuration(value);
    case Format::kEmail: return CheckEmail(value, false);
    case Format::kIdnEmail: return CheckEmail(value, true);
    case Format::kHostname: return CheckHostname(value, false);
    case Format::kIdnHostname: return CheckHostname(value, true);
    case Format::kIpv4: return CheckIpv4(value);
    case Format::kIpv6: return CheckIpv6(value);
    case Format::kUri: return CheckUri(value, true, false);
    case Format::kUriReference: return CheckUri(value, false, false);
    case Format::kIri: return CheckUri(value, true, true);
    case Format::kIriReference: return CheckUri(value, false, true);
    case Format::kUriTemplate: return CheckUriTemplate(value);
    case Format::kUuid: return CheckUuid(value);
    case Format::kRegex: return EcmaRegex::Compile(value).ok();
    case Format::kJsonPointer: return CheckJsonPointer(value);
    case Format::kRelativeJsonPointer: return CheckRelativeJsonPointer(value);
    case Format::kUnknown: return true;
  }
  return true;
}

}  // namespace kolibri::schema
