#include "grammar/token_trie.h"

#include <algorithm>
#include <numeric>

namespace kolibri::grammar {

void TokenTrie::Build(const Vocabulary& vocab) {
  std::vector<int32_t> ids;
  for (size_t i = 0; i < vocab.size(); ++i) {
    // Tokens longer than 65535 bytes cannot occur in real vocabularies; skip rather than wrap.
    if (!vocab.special[i] && !vocab.token_bytes[i].empty() && vocab.token_bytes[i].size() < 65535) {
      ids.push_back(static_cast<int32_t>(i));
    }
  }
  std::sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
    return vocab.token_bytes[a] < vocab.token_bytes[b];
  });
  byte_.clear();
  depth_.clear();
  std::vector<std::vector<int32_t>> node_tokens;
  std::vector<int32_t> path;  // node index per depth - 1
  const std::string* prev = nullptr;
  for (int32_t id : ids) {
    const std::string& s = vocab.token_bytes[id];
    size_t lcp = 0;
    if (prev != nullptr) {
      while (lcp < s.size() && lcp < prev->size() && s[lcp] == (*prev)[lcp]) ++lcp;
    }
    path.resize(lcp);
    for (size_t d = lcp; d < s.size(); ++d) {
      byte_.push_back(static_cast<uint8_t>(s[d]));
      depth_.push_back(static_cast<uint16_t>(d + 1));
      node_tokens.emplace_back();
      path.push_back(static_cast<int32_t>(byte_.size()) - 1);
    }
    node_tokens[path.back()].push_back(id);
    max_token_length_ = std::max<int32_t>(max_token_length_, static_cast<int32_t>(s.size()));
    prev = &s;
  }
  const int32_t n = size();
  subtree_end_.assign(n, n);
  max_depth_.assign(n, 0);
  // A node's subtree ends at the next node whose depth is not greater.
  std::vector<int32_t> open;
  for (int32_t i = 0; i < n; ++i) {
    while (!open.empty() && depth_[open.back()] >= depth_[i]) {
      subtree_end_[open.back()] = i;
      open.pop_back();
    }
    open.push_back(i);
  }
  for (int32_t i = n - 1; i >= 0; --i) {
    uint16_t m = node_tokens[i].empty() ? 0 : depth_[i];
    for (int32_t c = i + 1; c < subtree_end_[i]; c = subtree_end_[c]) m = std::max(m, max_depth_[c]);
    max_depth_[i] = m;
  }
  token_begin_.assign(n + 1, 0);
  token_ids_.clear();
  for (int32_t i = 0; i < n; ++i) {
    token_begin_[i] = static_cast<int32_t>(token_ids_.size());
    token_ids_.insert(token_ids_.end(), node_tokens[i].begin(), node_tokens[i].end());
  }
  token_begin_[n] = static_cast<int32_t>(token_ids_.size());
}

}  // namespace kolibri::grammar
