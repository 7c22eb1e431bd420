#include "kolibri/rank_fusion.h"

#include <gtest/gtest.h>

namespace kolibri {
namespace {

TEST(RankFusionTest, ScoresAreSumsOfReciprocalRanks) {
  auto fused = ReciprocalRankFusion({{10, 20, 30}, {20, 40}});
  ASSERT_EQ(fused.size(), 4u);
  // 20: 1/62 + 1/61 beats 10: 1/61 alone.
  EXPECT_EQ(fused[0].id, 20);
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 62 + 1.0 / 61);
  EXPECT_EQ(fused[0].ranks, (std::vector<int>{2, 1}));
  EXPECT_EQ(fused[1].id, 10);
  EXPECT_DOUBLE_EQ(fused[1].score, 1.0 / 61);
  EXPECT_EQ(fused[1].ranks, (std::vector<int>{1, 0}));
  // 40 (rank 2 in list 2) and 30 (rank 3 in list 1): 1/62 > 1/63.
  EXPECT_EQ(fused[2].id, 40);
  EXPECT_EQ(fused[3].id, 30);
}

TEST(RankFusionTest, TiesGoToTheBetterBestRankThenTheLowerId) {
  // 7 and 3 each appear once at rank 1: equal scores, equal best rank -> lower id first.
  auto fused = ReciprocalRankFusion({{7}, {3}});
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_EQ(fused[0].id, 3);
  EXPECT_EQ(fused[1].id, 7);
  EXPECT_DOUBLE_EQ(fused[0].score, fused[1].score);
}

TEST(RankFusionTest, SmallKLetsTheHeadDominate) {
  // With k = 0, first place in one list (1/1) beats second place in both (1/2 + 1/2 = 1)
  // only on the tie-break; with k = 60 being ranked by both clearly wins.
  const std::vector<std::vector<int64_t>> lists = {{1, 2}, {3, 2}};
  auto k0 = ReciprocalRankFusion(lists, 0);
  EXPECT_DOUBLE_EQ(k0[0].score, 1.0);
  EXPECT_EQ(k0[0].id, 1);  // 1, 2 and 3 all score 1; 1 and 3 have best rank 1, 1 < 3
  auto k60 = ReciprocalRankFusion(lists, 60);
  EXPECT_EQ(k60[0].id, 2);
}

TEST(RankFusionTest, DuplicatesWithinAListCountOnceAndEmptyInputsWork) {
  auto fused = ReciprocalRankFusion({{5, 5, 6}});
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 61);
  EXPECT_EQ(fused[1].ranks[0], 3);
  EXPECT_TRUE(ReciprocalRankFusion({}).empty());
  EXPECT_TRUE(ReciprocalRankFusion({{}, {}}).empty());
  EXPECT_EQ(ReciprocalRankFusion({{}, {9}})[0].ranks, (std::vector<int>{0, 1}));
}

}  // namespace
}  // namespace kolibri
