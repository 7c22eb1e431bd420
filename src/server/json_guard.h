// Parsing untrusted request bodies into JSON without letting them crash or stall the
// server: invalid UTF-8 and over-deep nesting are refused before nlohmann's recursive
// parser sees the text (a body of 100k '[' would otherwise overflow the worker's stack).
//
// Errors are InvalidArgument with a message naming the problem and its byte offset.
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "kolibri/status.h"

namespace kolibri::server {

// OK when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points above
// U+10FFFF).
Status CheckUtf8(std::string_view text);

// OK when no array/object in `text` nests deeper than `max_depth` (brackets inside JSON
// strings do not count). Does not otherwise validate the JSON.
Status CheckJsonDepth(std::string_view text, int max_depth);

// CheckUtf8 + CheckJsonDepth + parse. The result is whatever JSON value the text holds.
Result<nlohmann::json> ParseJsonBody(std::string_view text, int max_depth);

}  // namespace kolibri::server
