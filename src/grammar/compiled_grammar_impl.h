// Internals shared by compiled_grammar.cc and grammar_matcher.cc.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "grammar/pushdown_automaton.h"
#include "grammar/stack_automaton.h"
#include "grammar/token_trie.h"
#include "kolibri/grammar/compiled_grammar.h"

namespace kolibri::grammar {

// The tokens accepted from one automaton node without leaving its rule, and the trie nodes
// after which the rule may end mid-token (the rest of those tokens depends on the caller).
struct NodeMask {
  bool reject_mode = false;      // ids lists rejected tokens (of the normal ones) instead
  std::vector<int32_t> ids;      // sorted
  std::vector<int32_t> pop_points;
  size_t memory_bytes() const { return (ids.size() + pop_points.size()) * sizeof(int32_t) + 64; }
};

struct VocabularyIndex::Impl {
  Vocabulary vocab;
  TokenTrie trie;
  std::vector<uint32_t> normal_mask;  // all non-special tokens with bytes
  size_t words = 0;
  mutable std::mutex mu;
  mutable std::unordered_map<std::string, std::shared_ptr<const NodeMask>> shared;
  mutable size_t shared_bytes = 0;
  static constexpr size_t kMaxSharedBytes = size_t{256} << 20;
};

struct CompiledGrammar::Impl {
  std::shared_ptr<const VocabularyIndex> vocab;
  PushdownAutomaton pda;
  size_t max_shared_rule_nodes = 0;
  // Lock-free reads of memoised node masks; computed under `mu`.
  std::unique_ptr<std::atomic<const NodeMask*>[]> node_masks;
  mutable std::mutex mu;
  mutable std::vector<std::shared_ptr<const NodeMask>> owned;
  mutable std::unique_ptr<StackAutomaton> local;
  mutable std::vector<std::string> rule_signature;
  mutable std::vector<uint8_t> rule_signature_done;

  // Rules without calls and of at most kLeafRuleNodes nodes (a JSON string character, a
  // digit run): a mask is computed for the stack's top frames up to the first frame outside
  // such rules, so a walk does not "pop" out of them after every character.
  static constexpr int32_t kLeafRuleNodes = 64;
  static constexpr size_t kMaxContextFrames = 4;
  std::vector<uint8_t> rule_is_leaf;
  mutable std::unordered_map<std::string, const NodeMask*> context_masks;  // under mu

  // frames[0] is the stack's top node, frames[i + 1] the return node below frames[i].
  const NodeMask& GetMask(const int32_t* frames, size_t n) const {
    if (n == 1) {
      const NodeMask* m = node_masks[frames[0]].load(std::memory_order_acquire);
      if (m != nullptr) return *m;
    }
    return ComputeMask(frames, n);
  }
  const NodeMask& ComputeMask(const int32_t* frames, size_t n) const;
  std::shared_ptr<const NodeMask> WalkContext(const int32_t* frames, size_t n) const;
  const std::string& RuleSignature(int32_t rule) const;

  // Nodes of one rule that no token can tell apart — equal behaviour for every byte string
  // up to the vocabulary's longest token — share node masks. The middle of a long bounded
  // repeat (a string of at most 1,000 characters) is then walked once, not once per
  // position. Returns the offset in the node's rule of its class's first node; rules of
  // at most kMinCanonicalRuleNodes nodes are not merged (offset of the node itself).
  static constexpr int32_t kMinCanonicalRuleNodes = 64;
  mutable std::vector<int32_t> canonical_offset;  // under mu; -1 until the rule is done
  int32_t CanonicalOffset(int32_t node) const;
};

}  // namespace kolibri::grammar
