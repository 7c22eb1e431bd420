// StackAutomaton: the pushdown automaton run on sets of stacks, determinised lazily.
//
// A stack is interned as (node, parent stack); kEmptyStack is the bottom. A state is an
// interned set of stacks whose top nodes all have byte edges (calls are expanded and
// finished rules popped eagerly), plus an `accepts` flag when the bottom was reached, i.e.
// the outermost rule may end here. Step() results are cached in a 256-entry row per state, so
// a walk over a token trie costs one table lookup per trie node once warm.
// Not thread-safe: one owner (a matcher, or a CompiledGrammar under its mutex).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "grammar/pushdown_automaton.h"

namespace kolibri::grammar {

class StackAutomaton {
 public:
  static constexpr int32_t kEmptyStack = 0;
  static constexpr int32_t kDead = 0;  // the state with no stacks and no accept

  explicit StackAutomaton(const PushdownAutomaton* pda);

  int32_t Stack(int32_t node, int32_t parent);
  int32_t StackNode(int32_t stack) const { return stacks_[stack].first; }
  int32_t StackParent(int32_t stack) const { return stacks_[stack].second; }

  // The state reached from `stacks` (closure applied).
  int32_t StateOf(const std::vector<int32_t>& stacks);
  // The state of the grammar's start.
  int32_t StartState();
  int32_t Step(int32_t state, uint8_t byte) {
    const size_t slot = static_cast<size_t>(state) * 256 + byte;
    if (trans_[slot] >= 0) return trans_[slot];
    const int32_t next = ComputeStep(state, byte);  // may grow trans_
    trans_[slot] = next;
    return next;
  }
  bool Accepts(int32_t state) const { return states_[state].accepts; }
  const std::vector<int32_t>& Stacks(int32_t state) const { return states_[state].stacks; }
  // Shortest number of bytes that completes the grammar from `state` (0 if it accepts).
  int32_t MinBytes(int32_t state);
  size_t state_count() const { return states_.size(); }
  size_t memory_bytes() const;

 private:
  struct State {
    std::vector<int32_t> stacks;
    bool accepts = false;
    int32_t min_bytes = -1;
  };
  int32_t ComputeStep(int32_t state, uint8_t byte);
  int32_t Intern(std::vector<int32_t> stacks, bool accepts);
  int32_t StackMinBytes(int32_t stack);

  const PushdownAutomaton* pda_;
  std::vector<std::pair<int32_t, int32_t>> stacks_;
  std::unordered_map<uint64_t, int32_t> stack_ids_;
  std::vector<int32_t> stack_min_bytes_;
  std::vector<State> states_;
  std::unordered_map<std::string, int32_t> state_ids_;
  std::vector<int32_t> trans_;
  // Scratch for closures.
  std::vector<int32_t> work_;
  std::vector<int32_t> seen_stamp_;
  int32_t stamp_ = 0;
};

}  // namespace kolibri::grammar
