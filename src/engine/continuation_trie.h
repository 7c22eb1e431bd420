// ContinuationTrie: the token continuations of one scoring request as a trie, and the plan
// of decode passes that evaluates them after the prompt. Pure bookkeeping (no llama.cpp
// calls), so it is unit-testable; the scheduler performs the KV copies and decodes.
//
// Node 0 is the root (the end of the prompt); its children are the first tokens, whose
// log-probabilities come from the prompt's last logits. A node needs logits of its own
// when some continuation goes on after it — with skip_unbranched, only when its children
// are two or more (a single child is what a grammar would force: probability 1 under
// restriction, not evaluated). Every node on the path to a node needing logits must be in
// the KV cache, so a pass decodes whole root-to-leaf paths. Each leaf of the decoded part
// gets a branch sequence of its own; a node is one batch token carrying the ids of every
// branch below it, so shared prefixes are computed once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kolibri::engine {

class ContinuationTrie {
 public:
  // `continuations` must be non-empty vectors (checked by the caller).
  ContinuationTrie(const std::vector<std::vector<int32_t>>& continuations, bool skip_unbranched);

  struct Pass {
    std::vector<int32_t> nodes;                   // parents before children
    std::vector<std::vector<int32_t>> branches;   // per node: branch slots (0..n-1) through it
    std::vector<bool> logits;                     // per node: read its logits after the pass
    int32_t n_branches = 0;
  };
  // Splits the decoded part into passes of at most `max_branches` branch sequences and
  // `max_tokens` batch tokens each. Empty when the prompt's logits are enough. Returns
  // false when a single path is longer than `max_tokens`.
  bool Plan(int32_t max_branches, int32_t max_tokens, std::vector<Pass>* passes) const;

  // Records the children's log-probabilities of `node` from its row of logits.
  void SetLogits(int32_t node, const float* logits, int32_t n_vocab);

  int32_t token(int32_t node) const { return nodes_[static_cast<size_t>(node)].token; }
  int32_t depth(int32_t node) const { return nodes_[static_cast<size_t>(node)].depth; }
  int32_t max_depth() const { return max_depth_; }
  // Largest number of tokens one pass of Plan(max_branches, max_tokens) decodes.
  int32_t DecodedNodes() const;

  // Per continuation: the raw log-probability of each token (0 where not evaluated), their
  // sum, and the log-probability under decoding restricted to the continuations (each
  // node's children renormalised among themselves).
  std::vector<std::vector<float>> TokenLogprobs() const;
  std::vector<float> RestrictedLogprobs() const;

 private:
  struct Node {
    int32_t token = -1;
    int32_t parent = -1;
    int32_t depth = 0;
    std::vector<int32_t> children;
    bool needs_logits = false;  // its children's log-probabilities come from its logits
    bool decoded = false;       // on a path to a node needing logits (depth >= 1)
    float logprob = 0;          // raw log p(token | parent path)
  };
  std::vector<Node> nodes_;
  std::vector<std::vector<int32_t>> paths_;  // per continuation: node ids from depth 1
  int32_t max_depth_ = 0;
};

}  // namespace kolibri::engine
