#include "kolibri/tasks/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "kolibri/tasks/task_runner.h"

namespace kolibri::tasks {
namespace {

// Scores drawn so that softmax(score / 2.5) is the true label distribution: the fit must
// find a temperature near 2.5 and lower the NLL.
TEST(CalibrationTest, RecoversTheTemperatureOfOverconfidentScores) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 1);
  std::vector<LabelledScores> data;
  for (int i = 0; i < 4000; ++i) {
    LabelledScores e;
    std::vector<double> p;
    double z = 0;
    for (int k = 0; k < 5; ++k) {
      e.scores.push_back(2.5 * noise(rng) * 1.5);
      p.push_back(std::exp(e.scores.back() / 2.5));
      z += p.back();
    }
    std::discrete_distribution<int> pick(p.begin(), p.end());
    e.gold = pick(rng);
    data.push_back(e);
  }
  auto c = FitTemperature(data);
  ASSERT_TRUE(c.ok());
  EXPECT_NEAR(c->temperature, 2.5, 0.2);
  EXPECT_LT(c->nll_after, c->nll_before);
  EXPECT_EQ(c->examples, 4000);
  EXPECT_FALSE(FitTemperature({}).ok());
  EXPECT_FALSE(FitTemperature({LabelledScores{{0.0, 1.0}, 2}}).ok());
}

TEST(CalibrationTest, DistributionFigures) {
  TaskDefinition t;
  t.kind = TaskKind::kClassify;
  t.labels = {{"a", "", {}}, {"b", "", {}}, {"c", "", {}}};
  t.min_confidence = 0.5;
  ClassifyResult r = MakeDistribution(t, {std::log(0.6), std::log(0.3), std::log(0.1)});
  EXPECT_EQ(r.top, "a");
  EXPECT_NEAR(r.probability, 0.6, 1e-9);
  EXPECT_NEAR(r.margin, 0.3, 1e-9);
  EXPECT_NEAR(r.entropy, -(0.6 * std::log(0.6) + 0.3 * std::log(0.3) + 0.1 * std::log(0.1)), 1e-9);
  EXPECT_TRUE(r.confident);
  t.calibration.temperature = 100;  // nearly uniform
  r = MakeDistribution(t, {std::log(0.6), std::log(0.3), std::log(0.1)});
  EXPECT_NEAR(r.probability, 1.0 / 3, 0.01);
  EXPECT_FALSE(r.confident);
}

TEST(CalibrationTest, ReadsLabelledJsonl) {
  const auto path = std::filesystem::temp_directory_path() / ("kolibri_dev_" + std::to_string(::getpid()) + ".jsonl");
  std::ofstream(path) << "{\"text\": \"hi\", \"label\": \"a\"}\n\n{\"text\": \"yo\", \"label\": \"b\"}\n";
  auto rows = ReadLabelledJsonl(path.string());
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 2u);
  std::ofstream(path) << "{\"text\": \"hi\"}\n";
  auto bad = ReadLabelledJsonl(path.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(":1:"), std::string::npos);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace kolibri::tasks
