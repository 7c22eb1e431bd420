// `kolibri train-router` and `kolibri classify --router` end to end on small synthetic data:
// outputs, JSON shapes, evaluation, and bad input answered with one line and an exit code.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "testing/cli_runner.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

using testing::RunKolibri;

std::string Dir() { return testing::TestDataDir(); }

// Three intents told apart by their keywords; CSV with quoting.
std::string WriteCsv(const std::string& name, int per_label) {
  const std::string path = Dir() + "/" + name;
  std::ofstream out(path);
  out << "id,utterance,intent\n";
  const char* kWords[3][3] = {{"refund", "money back", "reimburse"},
                              {"password", "login", "locked out"},
                              {"deliver", "shipping", "parcel"}};
  const char* kIntents[3] = {"refund", "account", "delivery"};
  int id = 0;
  for (int i = 0; i < per_label; ++i) {
    for (int l = 0; l < 3; ++l) {
      out << id++ << ",\"please, help: " << kWords[l][i % 3] << " \"\"now\"\" " << i << "\","
          << kIntents[l] << "\n";
    }
  }
  return path;
}

TEST(RouterCommandTest, TrainClassifyAndEvaluate) {
  const std::string data = WriteCsv("router-train.csv", 20);
  const std::string model = Dir() + "/router-cli.t0";
  auto train = RunKolibri("train-router --data " + data + " --out " + model +
                          " --text-column utterance --label-column intent --epochs 5 --json");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const nlohmann::json report = nlohmann::json::parse(train.out);
  EXPECT_EQ(report["labels"], 3);
  EXPECT_EQ(report["examples"], 60);
  EXPECT_GT(report["temperature"].get<double>(), 0.0);

  auto one = RunKolibri("classify --router " + model + " 'I want my money back'");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out.substr(0, one.out.find('\t')), "refund");

  auto json = RunKolibri("classify --router " + model + " --json --top 2",
                         {.stdin_text = "my parcel\r\nlocked out\n"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  std::istringstream lines(json.out);
  std::string line;
  std::vector<nlohmann::json> objects;
  while (std::getline(lines, line)) objects.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0]["label"], "delivery");
  EXPECT_EQ(objects[1]["label"], "account");
  EXPECT_EQ(objects[0]["top"].size(), 2u);
  EXPECT_EQ(objects[0]["tier"], "tier0");
  EXPECT_TRUE(objects[0]["escalate"].is_boolean());
  EXPECT_EQ(objects[0]["model"], report["fingerprint"]);

  // Words every intent shares: an unsure answer, escalated under a strict threshold.
  auto strict =
      RunKolibri("classify --router " + model + " --threshold 0.99 --json 'please help now'");
  ASSERT_EQ(strict.exit_code, 0) << strict.err;
  const nlohmann::json s = nlohmann::json::parse(strict.out);
  EXPECT_DOUBLE_EQ(s["threshold"].get<double>(), 0.99);
  EXPECT_LT(s["probability"].get<double>(), 0.99);
  EXPECT_TRUE(s["escalate"].get<bool>());

  auto eval = RunKolibri("classify --router " + model + " --eval " + data +
                         " --text-column utterance --label-column intent --json");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const nlohmann::json e = nlohmann::json::parse(eval.out);
  EXPECT_EQ(e["examples"], 60);
  EXPECT_GE(e["top1_accuracy"].get<double>(), 0.95);
  EXPECT_FALSE(e["sweep"].empty());
  EXPECT_TRUE(e["calibrated"].contains("coverage"));

  auto text = RunKolibri("classify --router " + model + " --eval " + data +
                         " --text-column utterance --label-column intent");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("<- calibrated"), std::string::npos);
}

TEST(RouterCommandTest, BadInputGetsOneLineAndAnExitCode) {
  const std::string data = WriteCsv("router-bad.csv", 5);
  auto columns = RunKolibri("train-router --data " + data + " --out " + Dir() + "/x.t0");
  EXPECT_EQ(columns.exit_code, 2);
  EXPECT_NE(columns.err.find("no column 'text'"), std::string::npos) << columns.err;

  auto missing =
      RunKolibri("train-router --data " + Dir() + "/does-not-exist.csv --out " + Dir() + "/x.t0");
  EXPECT_EQ(missing.exit_code, 3) << missing.err;

  const std::string one_label = Dir() + "/router-one-label.jsonl";
  std::ofstream(one_label) << "[\"a\", \"x\"]\n[\"b\", \"x\"]\n";
  auto single = RunKolibri("train-router --data " + one_label + " --out " + Dir() + "/x.t0");
  EXPECT_EQ(single.exit_code, 2);
  EXPECT_NE(single.err.find("two distinct labels"), std::string::npos) << single.err;

  const std::string garbage = Dir() + "/router-garbage.t0";
  std::ofstream(garbage) << "definitely not a model";
  auto corrupt = RunKolibri("classify --router " + garbage + " hello");
  EXPECT_EQ(corrupt.exit_code, 4);
  EXPECT_NE(corrupt.err.find("not a tier-0 model"), std::string::npos) << corrupt.err;

  auto no_router = RunKolibri("classify hello");
  EXPECT_EQ(no_router.exit_code, 2);
}

}  // namespace
}  // namespace kolibri
