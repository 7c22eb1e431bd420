// The tier-0 classifier on real labelled data from ../shared/data (skipped when absent):
// guards the quality targets of docs/benchmarks.md ("Tier-0 router") with some slack for
// floating-point differences between compilers. Label: data (a few seconds of training).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "kolibri/classification_eval.h"
#include "kolibri/labelled_data.h"
#include "kolibri/tier0_classifier.h"

namespace kolibri {
namespace {

std::string SharedDir() {
  if (const char* env = std::getenv("KOLIBRI_SHARED_DIR")) return env;
  const char* src = std::getenv("KOLIBRI_SOURCE_DIR");
  return std::string(src != nullptr ? src : ".") + "/../shared";
}

ClassificationEval Evaluate(const Tier0Classifier& model, const std::vector<LabelledText>& eval,
                            const std::string& oos_label) {
  std::vector<ClassifiedItem> items;
  for (const LabelledText& ex : eval) {
    const Tier0Prediction p = model.Predict(ex.text);
    items.push_back({ex.label, model.labels()[p.top], p.probability, p.known_features == 0});
  }
  ClassificationEvalOptions o;
  o.oos_label = oos_label;
  o.calibrated_threshold = model.threshold();
  return EvaluateClassifications(items, o);
}

TEST(Tier0DataTest, Banking77HeldOutAccuracy) {
  const std::string path = SharedDir() + "/data/banking77/train.csv";
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << "Banking77 not found at " << path << " (set KOLIBRI_SHARED_DIR)";
  auto all = ReadLabelledData(path, {.text_column = "text", .label_column = "category"});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  const LabelledSplit split = StratifiedSplit(*all, 0.2, 2024);
  std::vector<LabelledText> train, eval;
  for (size_t i : split.first) train.push_back((*all)[i]);
  for (size_t i : split.second) eval.push_back((*all)[i]);
  auto model = Tier0Classifier::Train(train, {});
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const ClassificationEval e = Evaluate(*model, eval, "");
  EXPECT_GE(e.top1_accuracy, 0.89);
  EXPECT_GE(e.calibrated.answered_accuracy, 0.92);
  EXPECT_LT(e.expected_calibration_error, 0.05);
}

TEST(Tier0DataTest, Clinc150InScopeAccuracyAndOutOfScopeRecall) {
  const std::string path = SharedDir() + "/data/clinc150/train_val.json";
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << "CLINC150 not found at " << path << " (set KOLIBRI_SHARED_DIR)";
  std::ifstream in(path);
  const nlohmann::json j = nlohmann::json::parse(in);
  std::vector<LabelledText> train, eval;
  for (const char* key : {"train", "oos_train"}) {
    for (const auto& pair : j[key]) train.push_back({pair[0], pair[1]});
  }
  for (const char* key : {"val", "oos_val"}) {
    for (const auto& pair : j[key]) eval.push_back({pair[0], pair[1]});
  }
  Tier0TrainOptions o;
  o.oos_label = "oos";
  auto model = Tier0Classifier::Train(train, o);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const ClassificationEval e = Evaluate(*model, eval, "oos");
  EXPECT_GE(e.calibrated.in_scope_accuracy, 0.89);
  EXPECT_GE(e.calibrated.oos_recall, 0.70);
}

}  // namespace
}  // namespace kolibri
