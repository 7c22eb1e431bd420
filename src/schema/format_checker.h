// Checks of the "format" keyword's vocabulary (RFC 3339 dates and times, ISO 8601
// durations, RFC 5321 e-mail addresses, RFC 1123 host names, IPv4/IPv6, RFC 3986/3987 URIs
// and IRIs, RFC 6570 URI templates, RFC 4122 UUIDs, ECMAScript regexes, RFC 6901 JSON
// pointers and relative JSON pointers).
//
// Internationalized forms (idn-hostname, idn-email, iri) accept any non-ASCII code point
// where their ASCII counterpart accepts a letter: IDNA2008's per-code-point rules are not
// applied. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace kolibri::schema {

// True when `format` is one the validator checks (see IsValidatorFormat()).
bool IsKnownFormat(std::string_view format);

// True when `value` conforms to `format`; true for unknown formats (they are annotations).
bool CheckFormat(std::string_view format, const std::string& value);

}  // namespace kolibri::schema
