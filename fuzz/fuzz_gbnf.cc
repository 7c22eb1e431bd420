// libFuzzer: GBNF text → grammar, then the matcher. Input: the grammar text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "kolibri/grammar/gbnf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  kolibri::grammar::GbnfOptions options;
  options.max_repeat = 64;
  options.max_exprs = 50000;
  auto grammar = kolibri::grammar::GbnfToGrammar(text, options);
  if (grammar.ok()) kolibri::fuzz::ExerciseGrammar(*grammar, text);
  return 0;
}
