// URI references (RFC 3986) and JSON pointers (RFC 6901) as the validator needs them to
// resolve "$id", "$ref" and "$anchor". Pure functions over strings; no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kolibri/status.h"

namespace kolibri::schema {

// The absolute form of `reference` against the absolute URI `base` (RFC 3986 section 5.2,
// with dot-segment removal). An empty fragment ("x#") is dropped.
std::string ResolveUri(std::string_view base, std::string_view reference);

// Splits "a#frag" into "a" and "frag" (fragment still percent-encoded). No '#': frag = "".
void SplitFragment(std::string_view uri, std::string* without_fragment, std::string* fragment);

// Decodes %XX escapes; malformed escapes are kept as they are.
std::string PercentDecode(std::string_view text);

// True when `uri` has a scheme ("http:", "urn:").
bool HasScheme(std::string_view uri);

// Escapes one reference token: '~' → "~0", '/' → "~1".
std::string EscapePointerToken(std::string_view token);

// The tokens of a JSON pointer ("/a~1b/0" → {"a/b", "0"}); InvalidArgument when it does not
// start with '/' (and is not empty) or holds a bad '~' escape.
Result<std::vector<std::string>> ParsePointer(std::string_view pointer);

}  // namespace kolibri::schema
