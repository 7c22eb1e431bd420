#include "kolibri/vector_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace kolibri {
namespace {

std::vector<float> RandomUnit(std::mt19937& rng, int dim) {
  std::normal_distribution<float> n(0, 1);
  std::vector<float> v(static_cast<size_t>(dim));
  double norm = 0;
  for (float& x : v) {
    x = n(rng);
    norm += x * x;
  }
  for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

TEST(VectorIndexTest, MatchesAnExhaustiveReference) {
  std::mt19937 rng(3);
  const int dim = 37;  // not a multiple of 8: exercises the tail
  VectorIndex index(dim);
  std::vector<std::vector<float>> all;
  for (int i = 0; i < 20000; ++i) {
    all.push_back(RandomUnit(rng, dim));
    ASSERT_TRUE(index.Add(1000 + i, all.back()).ok());
  }
  for (int q = 0; q < 5; ++q) {
    auto query = RandomUnit(rng, dim);
    std::vector<std::pair<double, int64_t>> ref;
    for (size_t i = 0; i < all.size(); ++i) {
      double d = 0;
      for (int k = 0; k < dim; ++k) d += static_cast<double>(all[i][k]) * query[k];
      ref.push_back({-d, static_cast<int64_t>(1000 + i)});
    }
    std::sort(ref.begin(), ref.end());
    for (int threads : {1, 4}) {
      auto hits = index.Search(query, 10, threads);
      ASSERT_TRUE(hits.ok());
      ASSERT_EQ(hits->size(), 10u);
      for (size_t i = 0; i < 10; ++i) {
        EXPECT_EQ((*hits)[i].id, ref[i].second) << "rank " << i << " threads " << threads;
        EXPECT_NEAR((*hits)[i].score, -ref[i].first, 1e-5);
      }
    }
  }
}

TEST(VectorIndexTest, ReplaceRemoveAndBadInput) {
  VectorIndex index(3);
  ASSERT_TRUE(index.Add(1, std::vector<float>{1, 0, 0}).ok());
  ASSERT_TRUE(index.Add(2, std::vector<float>{0, 1, 0}).ok());
  ASSERT_TRUE(index.Add(3, std::vector<float>{0, 0, 1}).ok());
  ASSERT_TRUE(index.Add(1, std::vector<float>{0, 0.9f, 0}).ok());  // replaces
  EXPECT_EQ(index.size(), 3u);
  auto hits = index.Search(std::vector<float>{0, 1, 0}, 2);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ((*hits)[0].id, 2);
  EXPECT_EQ((*hits)[1].id, 1);
  EXPECT_TRUE(index.Remove(2));
  EXPECT_FALSE(index.Remove(2));
  hits = index.Search(std::vector<float>{0, 1, 0}, 5);
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].id, 1);
  EXPECT_FALSE(index.Add(9, std::vector<float>{1, 0}).ok());
  EXPECT_FALSE(index.Add(9, std::vector<float>{1, 0, std::numeric_limits<float>::quiet_NaN()}).ok());
  EXPECT_FALSE(index.Search(std::vector<float>{1, 0}, 1).ok());
  EXPECT_TRUE(index.Search(std::vector<float>{1, 0, 0}, 0)->empty());
}

}  // namespace
}  // namespace kolibri
