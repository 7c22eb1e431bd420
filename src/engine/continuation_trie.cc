#include "engine/continuation_trie.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace kolibri::engine {

ContinuationTrie::ContinuationTrie(const std::vector<std::vector<int32_t>>& continuations,
                                   bool skip_unbranched) {
  nodes_.emplace_back();
  std::vector<std::map<int32_t, int32_t>> child_of(1);
  for (const auto& c : continuations) {
    std::vector<int32_t> path;
    int32_t at = 0;
    for (int32_t t : c) {
      auto it = child_of[static_cast<size_t>(at)].find(t);
      if (it == child_of[static_cast<size_t>(at)].end()) {
        Node n;
        n.token = t;
        n.parent = at;
        n.depth = nodes_[static_cast<size_t>(at)].depth + 1;
        const int32_t id = static_cast<int32_t>(nodes_.size());
        nodes_.push_back(n);
        child_of.emplace_back();
        child_of[static_cast<size_t>(at)][t] = id;
        nodes_[static_cast<size_t>(at)].children.push_back(id);
        it = child_of[static_cast<size_t>(at)].find(t);
      }
      at = it->second;
      path.push_back(at);
    }
    max_depth_ = std::max(max_depth_, static_cast<int32_t>(path.size()));
    paths_.push_back(std::move(path));
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    n.needs_logits = skip_unbranched ? n.children.size() >= 2 : !n.children.empty();
  }
  nodes_[0].needs_logits = true;  // the prompt's last logits come for free
  for (size_t i = 1; i < nodes_.size(); ++i) {
    if (!nodes_[i].needs_logits) continue;
    for (int32_t at = static_cast<int32_t>(i); at > 0 && !nodes_[static_cast<size_t>(at)].decoded;
         at = nodes_[static_cast<size_t>(at)].parent) {
      nodes_[static_cast<size_t>(at)].decoded = true;
    }
  }
}

int32_t ContinuationTrie::DecodedNodes() const {
  int32_t n = 0;
  for (const Node& node : nodes_) n += node.decoded ? 1 : 0;
  return n;
}

bool ContinuationTrie::Plan(int32_t max_branches, int32_t max_tokens, std::vector<Pass>* passes) const {
  passes->clear();
  // Depth-first order keeps siblings' leaves together, so a pass shares their prefixes.
  std::vector<int32_t> order;
  std::vector<int32_t> rank(nodes_.size(), 0);
  std::vector<int32_t> stack{0};
  while (!stack.empty()) {
    int32_t at = stack.back();
    stack.pop_back();
    rank[static_cast<size_t>(at)] = static_cast<int32_t>(order.size());
    order.push_back(at);
    const auto& ch = nodes_[static_cast<size_t>(at)].children;
    for (auto it = ch.rbegin(); it != ch.rend(); ++it) stack.push_back(*it);
  }
  std::vector<int32_t> leaves;
  for (int32_t at : order) {
    const Node& n = nodes_[static_cast<size_t>(at)];
    if (!n.decoded) continue;
    bool leaf = std::none_of(n.children.begin(), n.children.end(),
                             [&](int32_t c) { return nodes_[static_cast<size_t>(c)].decoded; });
    if (leaf) leaves.push_back(at);
  }
  std::vector<int32_t> pass_of(nodes_.size(), -1);
  std::vector<std::vector<int32_t>> pass_leaves;
  int32_t tokens = 0;
  for (int32_t leaf : leaves) {
    if (nodes_[static_cast<size_t>(leaf)].depth > max_tokens) return false;
    const int32_t current = static_cast<int32_t>(pass_leaves.size()) - 1;
    int32_t fresh = 0;  // nodes of this path the current pass does not decode yet
    for (int32_t at = leaf; at > 0 && (current < 0 || pass_of[static_cast<size_t>(at)] != current);
         at = nodes_[static_cast<size_t>(at)].parent) {
      ++fresh;
    }
    if (current < 0 || static_cast<int32_t>(pass_leaves.back().size()) >= max_branches ||
        tokens + fresh > max_tokens) {
      pass_leaves.emplace_back();
      tokens = 0;
    }
    const int32_t p = static_cast<int32_t>(pass_leaves.size()) - 1;
    for (int32_t at = leaf; at > 0 && pass_of[static_cast<size_t>(at)] != p;
         at = nodes_[static_cast<size_t>(at)].parent) {
      pass_of[static_cast<size_t>(at)] = p;
      ++tokens;
    }
    pass_leaves.back().push_back(leaf);
  }
  for (const auto& group : pass_leaves) {
    std::map<int32_t, std::vector<int32_t>> slots;  // rank -> branch slots
    std::map<int32_t, int32_t> node_at;
    for (size_t slot = 0; slot < group.size(); ++slot) {
      for (int32_t at = group[slot]; at > 0; at = nodes_[static_cast<size_t>(at)].parent) {
        const int32_t r = rank[static_cast<size_t>(at)];
        slots[r].push_back(static_cast<int32_t>(slot));
        node_at[r] = at;
      }
    }
    Pass pass;
    pass.n_branches = static_cast<int32_t>(group.size());
    for (auto& [r, s] : slots) {
      const int32_t at = node_at[r];
      std::sort(s.begin(), s.end());
      pass.nodes.push_back(at);
      pass.branches.push_back(std::move(s));
      pass.logits.push_back(nodes_[static_cast<size_t>(at)].needs_logits);
    }
    passes->push_back(std::move(pass));
  }
  return true;
}

void ContinuationTrie::SetLogits(int32_t node, const float* logits, int32_t n_vocab) {
  const float max_l = *std::max_element(logits, logits + n_vocab);
  double sum = 0;
  for (int32_t k = 0; k < n_vocab; ++k) sum += std::exp(static_cast<double>(logits[k] - max_l));
  const float log_z = max_l + static_cast<float>(std::log(sum));
  for (int32_t c : nodes_[static_cast<size_t>(node)].children) {
    Node& child = nodes_[static_cast<size_t>(c)];
    child.logprob = logits[child.token] - log_z;
  }
}

std::vector<std::vector<float>> ContinuationTrie::TokenLogprobs() const {
  std::vector<std::vector<float>> out;
  for (const auto& path : paths_) {
    std::vector<float> lp;
    for (int32_t at : path) lp.push_back(nodes_[static_cast<size_t>(at)].logprob);
    out.push_back(std::move(lp));
  }
  return out;
}

std::vector<float> ContinuationTrie::RestrictedLogprobs() const {
  // Per node: its log-probability among its siblings.
  std::vector<float> local(nodes_.size(), 0);
  for (const Node& n : nodes_) {
    if (n.children.size() < 2) continue;
    float m = -INFINITY;
    for (int32_t c : n.children) m = std::max(m, nodes_[static_cast<size_t>(c)].logprob);
    double sum = 0;
    for (int32_t c : n.children) sum += std::exp(static_cast<double>(nodes_[static_cast<size_t>(c)].logprob - m));
    const float log_z = m + static_cast<float>(std::log(sum));
    for (int32_t c : n.children) local[static_cast<size_t>(c)] = nodes_[static_cast<size_t>(c)].logprob - log_z;
  }
  std::vector<float> out;
  for (const auto& path : paths_) {
    float s = 0;
    for (int32_t at : path) s += local[static_cast<size_t>(at)];
    out.push_back(s);
  }
  return out;
}

}  // namespace kolibri::engine
