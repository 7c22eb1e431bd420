// GrammarMatcher: the per-sequence state of constrained decoding over a CompiledGrammar.
//
// One matcher per generated sequence; creating one is cheap (no token work). The engine's
// loop is: FillNextTokenBitmask → sample among set bits → AcceptToken. Jump-forward: take
// ForcedBytes(), tokenize them, feed the tokens back through AcceptToken (a token may cover
// the forced bytes and more, or only a prefix of them — both work, it is just bytes).
// Budget mode: pass the remaining token budget in MaskOptions; once it nears the shortest
// completion, only tokens that keep a completion within the budget are admitted, so the
// output is complete and valid when max_tokens runs out. This assumes every byte is a token
// of its own (true for byte-level BPE and for SentencePiece with <0xAB> byte tokens); with a
// vocabulary lacking some byte, MinBytesToComplete() may undercount the tokens needed.
//
// Thread safety: use a matcher from one thread at a time; many matchers may share one
// CompiledGrammar across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/grammar/compiled_grammar.h"

namespace kolibri::grammar {

struct BudgetTable;  // private to grammar_matcher.cc

struct MaskOptions {
  // Tokens the sequence may still generate, including the next one; < 0: no budget.
  int32_t remaining_tokens = -1;
  // Budget mode engages when remaining_tokens <= MinBytesToComplete() + budget_window; then
  // each admitted token must leave a completion of at most remaining_tokens - 1 bytes. A
  // single token that lengthens the shortest completion by more than the window while the
  // budget is still loose is the one case this cannot foresee (e.g. one token opening an
  // object with many required members). The first budget mask at a state walks every allowed
  // token (~1-5 ms at a 150k vocabulary inside a string) and keeps them grouped by the
  // completion left after each; later budget masks at that state (the same matcher, any
  // budget) are a copy. The window trades that first cost against the risk.
  int32_t budget_window = 16;
};

class GrammarMatcher {
 public:
  explicit GrammarMatcher(std::shared_ptr<const CompiledGrammar> grammar);
  ~GrammarMatcher();
  GrammarMatcher(GrammarMatcher&&) noexcept;
  GrammarMatcher& operator=(GrammarMatcher&&) noexcept;

  // Advances by the token's bytes; a stop token is accepted only when CanEnd() and ends the
  // match. Returns false (state unchanged) when the grammar does not allow it.
  bool AcceptToken(int32_t token);
  // Advances by raw bytes (tests, forced text). All or nothing, one rollback step.
  bool AcceptString(std::string_view bytes);
  // Writes mask_words() words: bit i set = token i may come next. Stop tokens are set only
  // when the grammar may end here; special tokens never.
  void FillNextTokenBitmask(uint32_t* words, const MaskOptions& options = {});
  size_t mask_words() const;

  // The grammar may end here (a stop token is allowed).
  bool CanEnd() const;
  // A stop token was accepted; nothing more is allowed.
  bool IsTerminated() const { return terminated_; }
  // Undoes the last `count` AcceptToken/AcceptString calls. False if there are fewer.
  bool Rollback(int count);
  // Accepted steps so far (what Rollback can undo).
  size_t history_size() const { return history_.size() - 1; }
  // The bytes the grammar admits as the only continuation from here (stops at a choice,
  // where the grammar may end, or at max_bytes).
  std::string ForcedBytes(size_t max_bytes = 1024);
  // Shortest number of bytes that completes the grammar from here (0 when CanEnd()).
  int32_t MinBytesToComplete();
  // Returns to the start state.
  void Reset();

 private:
  bool StepBytes(int32_t* state, std::string_view bytes);
  void WalkSubtree(int32_t trie_node, int32_t from_state, uint32_t* words);
  void FillBudgetMask(int32_t state, int32_t remaining, uint32_t* words);
  const BudgetTable& GetBudgetTable(int32_t state);
  int32_t ParentState(int32_t stack);

  std::shared_ptr<const CompiledGrammar> grammar_;
  struct Runtime;
  std::unique_ptr<Runtime> rt_;
  std::vector<int32_t> history_;  // state after each step; front is the start
  bool terminated_ = false;
};

}  // namespace kolibri::grammar
