// ECMAScript regular expressions for "pattern", "patternProperties" and format "regex".
//
// Built on std::wregex (ECMAScript grammar) over UTF-32 code points, so "." and character
// classes see whole characters, "\d" and "\w" stay ASCII as ECMA-262 says, and "\s"/"\S" are
// rewritten to ECMA-262's Unicode whitespace set. Rejected at Compile() with a message:
// Unicode property escapes ("\p{L}"), lookbehind, named groups, and anything std::regex
// cannot parse. Searches are unanchored, like ECMAScript's RegExp.prototype.test.
//
// Thread safety: a compiled EcmaRegex is immutable and may be searched from many threads.
#pragma once

#include <memory>
#include <regex>
#include <string>
#include <string_view>

#include "kolibri/status.h"

namespace kolibri::schema {

class EcmaRegex {
 public:
  enum class Outcome {
    kMatch,
    kNoMatch,
    kTooLong,  // the subject exceeds the length bound; not searched
    kFailed,   // std::regex gave up (complexity or stack); not decided
  };

  // InvalidArgument naming what is wrong with `pattern` (UTF-8).
  static Result<EcmaRegex> Compile(std::string_view pattern);

  // Searches `subject` (UTF-8) when it has at most `max_code_points` code points.
  Outcome Search(std::string_view subject, size_t max_code_points) const;

 private:
  explicit EcmaRegex(std::shared_ptr<const std::wregex> regex) : regex_(std::move(regex)) {}
  std::shared_ptr<const std::wregex> regex_;
};

// UTF-8 → UTF-32; invalid sequences become U+FFFD.
std::wstring DecodeUtf8(std::string_view utf8);

}  // namespace kolibri::schema
