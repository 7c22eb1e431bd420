#include "kolibri/classification_eval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace kolibri {
namespace {

TEST(ClassificationEvalTest, MetricsByHand) {
  const std::vector<ClassifiedItem> items = {
      {"a", "a", 0.9},
      {"a", "b", 0.4},
      {"b", "b", 0.8},
      {"b", "b", 0.3},
  };
  ClassificationEvalOptions o;
  o.thresholds = {0.0, 0.5};
  o.calibrated_threshold = 0.5;
  const ClassificationEval e = EvaluateClassifications(items, o);
  EXPECT_DOUBLE_EQ(e.top1_accuracy, 0.75);
  ASSERT_EQ(e.sweep.size(), 2u);
  EXPECT_DOUBLE_EQ(e.sweep[0].accuracy, 0.75);
  EXPECT_DOUBLE_EQ(e.sweep[0].coverage, 1.0);
  // F1(a) = 2/(2+0+1) = 2/3; F1(b) = 4/(4+1+0) = 0.8.
  EXPECT_NEAR(e.sweep[0].macro_f1, (2.0 / 3 + 0.8) / 2, 1e-12);
  // At 0.5 two items are answered, both right; the declined ones count as wrong.
  EXPECT_EQ(e.calibrated.answered, 2u);
  EXPECT_DOUBLE_EQ(e.calibrated.coverage, 0.5);
  EXPECT_DOUBLE_EQ(e.calibrated.answered_accuracy, 1.0);
  EXPECT_DOUBLE_EQ(e.calibrated.accuracy, 0.5);
  EXPECT_NEAR(e.calibrated.macro_f1, (2.0 / 3 + 2.0 / 3) / 2, 1e-12);
}

TEST(ClassificationEvalTest, OutOfScopeRecallAndInScopeAccuracy) {
  const std::vector<ClassifiedItem> items = {
      {"a", "a", 0.9}, {"b", "b", 0.3}, {"oos", "a", 0.2}, {"oos", "oos", 0.9}, {"oos", "b", 0.95},
  };
  ClassificationEvalOptions o;
  o.oos_label = "oos";
  o.thresholds = {};
  o.calibrated_threshold = 0.5;
  const ClassificationEval e = EvaluateClassifications(items, o);
  EXPECT_EQ(e.oos_examples, 3u);
  EXPECT_DOUBLE_EQ(e.calibrated.in_scope_accuracy, 0.5);  // "b" at 0.3 is declined
  EXPECT_NEAR(e.calibrated.oos_recall, 2.0 / 3, 1e-12);   // the 0.95 "b" slips through
  EXPECT_EQ(e.calibrated.answered, 2u);
  EXPECT_DOUBLE_EQ(e.calibrated.accuracy, 3.0 / 5);  // a, and two declined oos items
  const nlohmann::json j = nlohmann::json::parse(ClassificationEvalJson(e));
  EXPECT_EQ(j["oos_label"], "oos");
  EXPECT_DOUBLE_EQ(j["calibrated"]["in_scope_accuracy"].get<double>(), 0.5);
  EXPECT_TRUE(j["sweep"].empty());
}

TEST(ClassificationEvalTest, AlwaysEscalatedItemsAreNeverAnswered) {
  ClassificationEvalOptions o;
  o.thresholds = {0.0};
  const ClassificationEval e =
      EvaluateClassifications({{"a", "a", 0.9}, {"b", "b", 0.9, /*always_escalate=*/true}}, o);
  EXPECT_EQ(e.sweep[0].answered, 1u);
  EXPECT_DOUBLE_EQ(e.sweep[0].coverage, 0.5);
  EXPECT_DOUBLE_EQ(e.top1_accuracy, 1.0);
}

TEST(ClassificationEvalTest, NothingAnsweredGivesNullAnsweredAccuracy) {
  ClassificationEvalOptions o;
  o.thresholds = {};
  o.calibrated_threshold = 0.99;
  const ClassificationEval e = EvaluateClassifications({{"a", "a", 0.5}}, o);
  EXPECT_TRUE(std::isnan(e.calibrated.answered_accuracy));
  const nlohmann::json j = nlohmann::json::parse(ClassificationEvalJson(e));
  EXPECT_TRUE(j["calibrated"]["answered_accuracy"].is_null());
  EXPECT_FALSE(ClassificationEvalText(e).empty());
}

}  // namespace
}  // namespace kolibri
