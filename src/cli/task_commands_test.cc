// `kolibri extract`, `classify-task` and `calibrate` end to end with the tiny model, and
// their bad-input exits: one line on stderr, the documented exit code, never a crash.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "testing/cli_runner.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string Dir() { return testing::TestDataDir() + "/task_commands_test"; }

struct Outcome {
  int code = -1;
  std::string out, err;
};

Outcome Kolibri(const std::string& args) {
  testing::CliResult r = testing::RunKolibri(args + " -t 1");
  return {r.exit_code, r.out, r.err};
}

class TaskCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(Dir());
    model_ = testing::TestModelPath("tiny");
    ASSERT_FALSE(model_.empty());
    tasks_ = Dir() + "/tasks.yaml";
    std::ofstream(tasks_) << R"(tasks:
  - name: ticket
    kind: extract
    model: )" << model_ << R"(
    schema: {type: object, properties: {id: {type: string, x-kolibri-evidence: true, maxLength: 10}},
             required: [id], additionalProperties: false}
    max_tokens: 32
  - name: intent
    kind: classify
    model: )" << model_ << R"(
    labels: [card_arrival, card_linking, billing]
)";
    std::filesystem::remove(tasks_ + ".calibration.json");
  }
  std::string model_, tasks_;
};

TEST_F(TaskCommandsTest, ExtractClassifyCalibrate) {
  Outcome e = Kolibri("extract --tasks " + tasks_ + " --task ticket 'Order AB-1234 is late'");
  ASSERT_EQ(e.code, 0) << e.err;
  auto rec = nlohmann::json::parse(e.out);
  EXPECT_NE(std::string("Order AB-1234 is late").find(rec["id"].get<std::string>()), std::string::npos);

  Outcome j = Kolibri("extract --tasks " + tasks_ + " --task ticket --json 'Order AB-1234 is late'");
  ASSERT_EQ(j.code, 0) << j.err;
  auto res = nlohmann::json::parse(j.out);
  EXPECT_TRUE(res["valid"].get<bool>());
  EXPECT_EQ(res["attempts"], 1);

  Outcome c = Kolibri("classify-task --tasks " + tasks_ + " --task intent -m " + model_ + " --json 'where is my card'");
  ASSERT_EQ(c.code, 0) << c.err;
  auto cls = nlohmann::json::parse(c.out);
  EXPECT_EQ(cls["distribution"].size(), 3u);

  std::ofstream(Dir() + "/dev.jsonl") << R"({"text": "where is my card", "label": "card_arrival"}
{"text": "link my card", "label": "card_linking"}
{"text": "my invoice", "label": "billing"}
)";
  Outcome cal = Kolibri("calibrate --tasks " + tasks_ + " --task intent --dev " + Dir() + "/dev.jsonl");
  ASSERT_EQ(cal.code, 0) << cal.err;
  auto fit = nlohmann::json::parse(cal.out);
  EXPECT_GT(fit["temperature"].get<double>(), 0);
  auto sidecar = nlohmann::json::parse(Slurp(tasks_ + ".calibration.json"));
  EXPECT_EQ(sidecar["intent"]["temperature"], fit["temperature"]);
  // The shared classify command evaluates a task like a router: the same report.
  Outcome eval = Kolibri("classify --tasks " + tasks_ + " --task intent --json --eval " + Dir() + "/dev.jsonl");
  ASSERT_EQ(eval.code, 0) << eval.err;
  auto report = nlohmann::json::parse(eval.out);
  EXPECT_TRUE(report.contains("accuracy") || report.contains("top1_accuracy")) << eval.out;
  Outcome one = Kolibri("classify --tasks " + tasks_ + " --task intent --json 'where is my card'");
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_EQ(nlohmann::json::parse(one.out)["tier"], "slm");
}

TEST_F(TaskCommandsTest, BadInputExits) {
  struct Case {
    std::string args;
    int code;
    std::string needle;
  } cases[] = {
      {"extract --tasks " + tasks_ + " --task ticket", 2, "no input"},
      {"extract --tasks " + tasks_ + " --task intent x", 2, "is a classify task"},
      {"extract --tasks " + tasks_ + " --task nope x", 3, "no task 'nope'"},
      {"extract --tasks " + Dir() + "/missing.yaml --task ticket x", 3, "cannot open"},
      {"classify-task --tasks " + tasks_ + " --task intent '  '", 2, "the input is empty"},
      {"calibrate --tasks " + tasks_ + " --task intent --dev " + Dir() + "/missing.jsonl", 3, "cannot open"},
  };
  for (const auto& c : cases) {
    Outcome o = Kolibri(c.args);
    EXPECT_EQ(o.code, c.code) << c.args << "\n" << o.err;
    EXPECT_NE(o.err.find(c.needle), std::string::npos) << c.args << "\n" << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  }
  std::ofstream(Dir() + "/bad.yaml") << "- name: x\n  kind: classify\n  labels: [a, a]\n";
  Outcome bad = Kolibri("classify-task --tasks " + Dir() + "/bad.yaml --task x hi");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("bad.yaml:3:"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace kolibri
