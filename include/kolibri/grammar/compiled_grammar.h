// Compiling a Grammar against a vocabulary: VocabularyIndex (once per vocabulary) and
// CompiledGrammar (once per grammar), the two shared inputs of every GrammarMatcher.
//
// Design (see src/grammar/README.md): a combination of llguidance's lazy trie walk and
// XGrammar's adaptive per-state masks.
//  * Compile is cheap: the Grammar becomes a pushdown automaton (one epsilon-free NFA per
//    rule, calls between rules) with per-node shortest-completion lengths; no token work.
//  * The first time a mask is needed at automaton node n, the vocabulary's token trie is
//    walked once from n alone (a lazily determinised automaton: one table lookup per trie
//    node, rejected prefixes skip their subtree). That gives the tokens accepted without
//    leaving n's rule — context-independent, stored as an accepted or a rejected id list,
//    whichever is shorter — plus the few trie nodes where the rule can end mid-token.
//    Only those are re-walked per mask, against the real stack.
//  * Node masks are memoised per CompiledGrammar and, keyed by the structure of the rule
//    and everything it calls, per VocabularyIndex: the JSON string, number and value rules
//    every schema uses are walked once per vocabulary, not once per grammar.
// So compile stays in the sub-millisecond range while a mask is a memcpy of cached lists
// plus a short re-walk.
//
// Thread safety: VocabularyIndex and CompiledGrammar are immutable from the outside and
// safe to share across threads (their memo tables are internally synchronised).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "kolibri/grammar/grammar.h"
#include "kolibri/grammar/vocabulary.h"
#include "kolibri/status.h"

namespace kolibri::grammar {

class VocabularyIndex {
 public:
  // Builds the token trie (≈100 ms for a 150k vocabulary). Share the result.
  static std::shared_ptr<const VocabularyIndex> Build(Vocabulary vocabulary);
  ~VocabularyIndex();

  const Vocabulary& vocabulary() const;
  // Number of uint32_t words of a token bitmask (bit i = token i).
  size_t mask_words() const;
  // Node masks memoised for sharing between grammars (for metrics and tests).
  size_t shared_mask_count() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  VocabularyIndex();
  std::unique_ptr<Impl> impl_;
};

struct CompileOptions {
  // Upper bound on automaton nodes; beyond it Compile returns ResourceExhausted. Bounded
  // repetitions ({n,m}) are expanded, so this is what stops an enormous schema.
  size_t max_nodes = 2'000'000;
  // Share node masks of rules up to this many automaton nodes (rule plus callees) through
  // the VocabularyIndex. 0 disables cross-grammar sharing.
  size_t max_shared_rule_nodes = 4096;
};

class CompiledGrammar {
 public:
  ~CompiledGrammar();
  const VocabularyIndex& vocabulary_index() const;
  // Automaton size, for limits and metrics.
  size_t node_count() const;
  // Shortest accepted byte string length from the start (0 when "" is accepted).
  int32_t MinBytesFromStart() const;
  // Computes every node mask now (XGrammar-style eager precomputation) instead of on first
  // use. Used once per vocabulary on the plain JSON grammar, whose masks all schemas share.
  void PrecomputeNodeMasks() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }
  explicit CompiledGrammar(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// Errors: InvalidArgument (left recursion, a rule with no body, a grammar that admits no
// string — naming the rule), ResourceExhausted (over max_nodes).
Result<std::shared_ptr<const CompiledGrammar>> CompileGrammar(
    const Grammar& grammar, std::shared_ptr<const VocabularyIndex> vocabulary,
    const CompileOptions& options = {});

}  // namespace kolibri::grammar
