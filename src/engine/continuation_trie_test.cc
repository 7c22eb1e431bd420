#include "engine/continuation_trie.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

namespace kolibri::engine {
namespace {

// Fake logits: token t gets logit t/10 (so log-probs are known in closed form).
std::vector<float> Ramp(int32_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i) / 10.0f;
  return v;
}

TEST(ContinuationTrieTest, DistinctFirstTokensNeedNoPass) {
  ContinuationTrie trie({{1, 9}, {2, 9}, {3, 9}}, /*skip_unbranched=*/true);
  std::vector<ContinuationTrie::Pass> passes;
  ASSERT_TRUE(trie.Plan(8, 64, &passes));
  EXPECT_TRUE(passes.empty());
  EXPECT_EQ(trie.DecodedNodes(), 0);
  auto logits = Ramp(16);
  trie.SetLogits(0, logits.data(), 16);
  auto r = trie.RestrictedLogprobs();
  double sum = 0;
  for (float x : r) sum += std::exp(x);
  EXPECT_NEAR(sum, 1.0, 1e-5);
  EXPECT_GT(r[2], r[0]);  // token 3 has the larger logit
}

TEST(ContinuationTrieTest, FullScoringDecodesEveryInnerNode) {
  ContinuationTrie trie({{1, 9}, {2, 9}, {3, 9}}, /*skip_unbranched=*/false);
  std::vector<ContinuationTrie::Pass> passes;
  ASSERT_TRUE(trie.Plan(8, 64, &passes));
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].n_branches, 3);
  EXPECT_EQ(passes[0].nodes.size(), 3u);
  for (bool l : passes[0].logits) EXPECT_TRUE(l);
}

TEST(ContinuationTrieTest, SharedPrefixIsOneBatchTokenForAllItsBranches) {
  // "card_arrival", "card_linking", "cash" as tokens: 5 = card, 6 = _arr, 7 = _link, 8 = cash.
  ContinuationTrie trie({{5, 6, 1, 0}, {5, 7, 2, 0}, {8, 0}}, /*skip_unbranched=*/true);
  std::vector<ContinuationTrie::Pass> passes;
  ASSERT_TRUE(trie.Plan(8, 64, &passes));
  ASSERT_EQ(passes.size(), 1u);
  // Only "card" branches (into _arr and _link); it is decoded once, for one branch.
  ASSERT_EQ(passes[0].nodes.size(), 1u);
  EXPECT_EQ(trie.token(passes[0].nodes[0]), 5);
  EXPECT_EQ(passes[0].n_branches, 1);
  EXPECT_TRUE(passes[0].logits[0]);

  ContinuationTrie full({{5, 6, 1, 0}, {5, 7, 2, 0}, {8, 0}}, /*skip_unbranched=*/false);
  ASSERT_TRUE(full.Plan(8, 64, &passes));
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].n_branches, 3);
  EXPECT_EQ(passes[0].nodes.size(), 6u);  // card, _arr, 1, _link, 2, cash
  EXPECT_EQ(passes[0].branches[0].size(), 2u);  // "card" carries both of its branches
  for (size_t k = 0; k < passes[0].nodes.size(); ++k) {
    // Parents come before their children in a pass.
    EXPECT_GE(full.depth(passes[0].nodes[k]), 1);
  }
}

TEST(ContinuationTrieTest, PassesRespectBranchAndTokenLimits) {
  std::vector<std::vector<int32_t>> conts;
  for (int32_t i = 0; i < 10; ++i) conts.push_back({i, 20 + i, 40});
  ContinuationTrie trie(conts, /*skip_unbranched=*/false);
  std::vector<ContinuationTrie::Pass> passes;
  ASSERT_TRUE(trie.Plan(3, 64, &passes));
  EXPECT_EQ(passes.size(), 4u);  // 10 leaves, 3 per pass
  std::set<int32_t> seen;
  for (const auto& p : passes) {
    EXPECT_LE(p.n_branches, 3);
    for (int32_t n : p.nodes) seen.insert(n);
  }
  EXPECT_EQ(seen.size(), 20u);
  ASSERT_TRUE(trie.Plan(32, 5, &passes));
  for (const auto& p : passes) EXPECT_LE(p.nodes.size(), 5u);
  EXPECT_FALSE(trie.Plan(32, 1, &passes));  // a path of two decoded tokens cannot fit
}

TEST(ContinuationTrieTest, TokenLogprobsFollowTheLogitsOfTheirParent) {
  ContinuationTrie trie({{1, 2}, {1, 3}}, /*skip_unbranched=*/true);
  auto logits = Ramp(8);
  trie.SetLogits(0, logits.data(), 8);
  std::vector<ContinuationTrie::Pass> passes;
  ASSERT_TRUE(trie.Plan(4, 8, &passes));
  ASSERT_EQ(passes.size(), 1u);
  trie.SetLogits(passes[0].nodes[0], logits.data(), 8);
  auto t = trie.TokenLogprobs();
  double z = 0;
  for (float l : logits) z += std::exp(static_cast<double>(l));
  EXPECT_NEAR(t[0][0], 0.1 - std::log(z), 1e-5);
  EXPECT_NEAR(t[1][1], 0.3 - std::log(z), 1e-5);
  auto r = trie.RestrictedLogprobs();
  EXPECT_NEAR(r[0], 0.2 - std::log(std::exp(0.2) + std::exp(0.3)), 1e-5);  // first token forced
}

}  // namespace
}  // namespace kolibri::engine
