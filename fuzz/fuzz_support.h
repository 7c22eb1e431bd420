// Shared by the fuzz targets: a small vocabulary and a bounded exercise of a compiled
// grammar that traps on any mask/accept disagreement (a bug, not just a crash).
#pragma once

#include <memory>
#include <string_view>

#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/grammar/grammar.h"

namespace kolibri::fuzz {

// The 256 bytes, a stop token, a control token and a few multi-byte tokens.
std::shared_ptr<const grammar::VocabularyIndex> FuzzVocabulary();

// Compiles `g` with small limits; when it compiles, walks up to 24 tokens chosen by the
// bytes of `choices`, checking at each step that every masked-in token is accepted, that a
// budget mask is a subset of the plain one, and that rollback restores the state.
void ExerciseGrammar(const grammar::Grammar& g, std::string_view choices);

}  // namespace kolibri::fuzz
