// TokenTrie: the vocabulary's non-special tokens as a byte trie stored in preorder, built
// once per vocabulary and shared by every grammar.
//
// Preorder storage lets a mask walk run as one forward loop: node i's subtree is
// [i + 1, subtree_end[i]), so a rejected prefix skips its whole subtree with one jump. The
// virtual root (the empty prefix) is not stored; depth[i] >= 1. Immutable after Build().
#pragma once

#include <cstdint>
#include <vector>

#include "kolibri/grammar/vocabulary.h"

namespace kolibri::grammar {

class TokenTrie {
 public:
  void Build(const Vocabulary& vocab);

  int32_t size() const { return static_cast<int32_t>(byte_.size()); }
  uint8_t byte(int32_t i) const { return byte_[i]; }
  int32_t depth(int32_t i) const { return depth_[i]; }
  int32_t subtree_end(int32_t i) const { return subtree_end_[i]; }
  // Longest token depth in node i's subtree (i itself included).
  int32_t max_depth(int32_t i) const { return max_depth_[i]; }
  // Token ids whose bytes end exactly at node i: token_ids_[token_begin_[i] .. token_begin_[i+1]).
  const int32_t* tokens_begin(int32_t i) const { return token_ids_.data() + token_begin_[i]; }
  const int32_t* tokens_end(int32_t i) const { return token_ids_.data() + token_begin_[i + 1]; }
  bool has_tokens(int32_t i) const { return token_begin_[i + 1] != token_begin_[i]; }
  int32_t max_token_length() const { return max_token_length_; }

 private:
  std::vector<uint8_t> byte_;
  std::vector<uint16_t> depth_;
  std::vector<int32_t> subtree_end_;
  std::vector<uint16_t> max_depth_;
  std::vector<int32_t> token_begin_;  // size() + 1 entries
  std::vector<int32_t> token_ids_;
  int32_t max_token_length_ = 0;
};

}  // namespace kolibri::grammar
