#include "router/calibration.h"

#include <gtest/gtest.h>

#include <cmath>

#include "router/split_mix.h"

namespace kolibri::router {
namespace {

// Labels drawn from softmax(z); the model reports 3z (overconfident): T ≈ 3 undoes it.
TEST(CalibrationTest, FitTemperatureRecoversTheScale) {
  SplitMix rng(3);
  const size_t n = 4000, labels = 4;
  std::vector<float> logits(n * labels);
  std::vector<int32_t> gold(n);
  for (size_t i = 0; i < n; ++i) {
    double z[4], sum = 0;
    for (size_t c = 0; c < labels; ++c) {
      z[c] = static_cast<double>(rng.Next() % 1000) / 250.0;
      sum += std::exp(z[c]);
    }
    double u = static_cast<double>(rng.Next() % 1000000) / 1e6 * sum;
    gold[i] = 3;
    for (size_t c = 0; c < labels; ++c) {
      u -= std::exp(z[c]);
      if (u <= 0) {
        gold[i] = static_cast<int32_t>(c);
        break;
      }
    }
    for (size_t c = 0; c < labels; ++c) logits[i * labels + c] = static_cast<float>(3 * z[c]);
  }
  const double t = FitTemperature(logits, labels, gold);
  EXPECT_NEAR(t, 3.0, 0.3);
  EXPECT_LT(MeanNll(logits, labels, gold, t), MeanNll(logits, labels, gold, 1.0));
}

TEST(CalibrationTest, ThresholdSeparatesRightFromWrong) {
  // Confident items are right, unconfident ones wrong: the threshold falls between them.
  const std::vector<float> conf = {0.95f, 0.9f, 0.85f, 0.4f, 0.3f};
  const std::vector<int32_t> pred = {0, 1, 0, 1, 0};
  const std::vector<int32_t> gold = {0, 1, 0, 0, 1};
  const ThresholdChoice c = ChooseThreshold(conf, pred, gold, -1, 1.0);
  EXPECT_NEAR(c.threshold, (0.85 + 0.4) / 2, 1e-6);
  EXPECT_DOUBLE_EQ(c.coverage, 0.6);
  EXPECT_DOUBLE_EQ(c.answered_accuracy, 1.0);
  EXPECT_DOUBLE_EQ(c.cost, 0.0);
}

TEST(CalibrationTest, AllRightMeansThresholdZero) {
  const ThresholdChoice c = ChooseThreshold({0.9f, 0.2f}, {0, 1}, {0, 1}, -1, 1.0);
  EXPECT_EQ(c.threshold, 0.0);
  EXPECT_DOUBLE_EQ(c.coverage, 1.0);
}

TEST(CalibrationTest, OutOfScopeItemsAreWrongWhenAnsweredAndReweighted) {
  // Label 2 is out of scope. Answering down to 0.65 gains one right in-scope answer and
  // lets the out-of-scope item at 0.7 through: a tie at weight 1 (ties keep coverage), a
  // loss once out-of-scope items carry half the weight.
  const std::vector<float> conf = {0.99f, 0.8f, 0.7f, 0.65f, 0.6f};
  const std::vector<int32_t> pred = {0, 1, 0, 1, 2};
  const std::vector<int32_t> gold = {0, 1, 2, 1, 2};
  const ThresholdChoice plain = ChooseThreshold(conf, pred, gold, 2, 1.0);
  EXPECT_EQ(plain.threshold, 0.0);
  EXPECT_DOUBLE_EQ(plain.coverage, 0.8);  // item 4 is predicted out of scope: never answered
  const ThresholdChoice balanced = ChooseThreshold(conf, pred, gold, 2, 1.0, 0.5);
  EXPECT_NEAR(balanced.threshold, 0.75, 1e-6);
  EXPECT_DOUBLE_EQ(balanced.answered_accuracy, 1.0);
}

}  // namespace
}  // namespace kolibri::router
