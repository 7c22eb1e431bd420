// libFuzzer: ECMAScript regex → grammar in every mode and encoding, then the matcher.
// Input: the first byte picks mode and encoding, the rest is the pattern.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "kolibri/grammar/regex_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  namespace g = kolibri::grammar;
  g::RegexOptions options;
  options.mode = data[0] & 1 ? g::RegexMatchMode::kSearch : g::RegexMatchMode::kFullMatch;
  options.encoding = data[0] & 2 ? g::RegexEncoding::kJsonString : g::RegexEncoding::kUtf8;
  const std::string_view pattern(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto grammar = g::RegexToGrammar(pattern, options);
  if (grammar.ok() && grammar->size() < 50000) kolibri::fuzz::ExerciseGrammar(*grammar, pattern);
  return 0;
}
