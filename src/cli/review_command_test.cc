// `kolibri review` end to end: add (idempotent), list, claim, resolve, export as labelled
// JSONL that `kolibri train-router` reads back.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "testing/cli_runner.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

using testing::RunKolibri;

TEST(ReviewCommandTest, QueueToTrainingData) {
  const std::string db = testing::TestDataDir() + "/review-cli.db";
  std::filesystem::remove(db);
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  const std::string q = " --db " + db;
  const char* kTexts[] = {"where is my card", "card not arrived", "exchange rate please",
                          "what rate do you use"};
  for (const char* text : kTexts) {
    auto add =
        RunKolibri("review add" + q + " --task route --tier tier0 --confidence 0.3 --text '" +
                   text + "' --json");
    ASSERT_EQ(add.exit_code, 0) << add.err;
    EXPECT_TRUE(nlohmann::json::parse(add.out)["created"].get<bool>());
  }
  auto again = RunKolibri("review add" + q + " --task route --text 'where is my card' --json");
  EXPECT_FALSE(nlohmann::json::parse(again.out)["created"].get<bool>());

  auto list = RunKolibri("review list" + q + " --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(nlohmann::json::parse(list.out)["items"].size(), 4u);

  for (int i = 0; i < 4; ++i) {
    auto claim = RunKolibri("review claim" + q + " --reviewer ann --task route --json");
    ASSERT_EQ(claim.exit_code, 0) << claim.err;
    const auto item = nlohmann::json::parse(claim.out);
    const std::string label = i < 2 ? "card_arrival" : "exchange_rate";
    auto resolve =
        RunKolibri("review resolve" + q + " --id " + std::to_string(item["id"].get<int64_t>()) +
                   " --reviewer ann --label " + label);
    ASSERT_EQ(resolve.exit_code, 0) << resolve.err;
  }
  auto none = RunKolibri("review claim" + q + " --reviewer ann");
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_NE(none.err.find("no open review items"), std::string::npos);
  auto twice = RunKolibri("review resolve" + q + " --id 1 --reviewer bob --label x");
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("already resolved"), std::string::npos);

  const std::string jsonl = testing::TestDataDir() + "/review-export.jsonl";
  auto exp = RunKolibri("review export" + q + " --task route --out " + jsonl);
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  auto train = RunKolibri("train-router --data " + jsonl + " --out " + testing::TestDataDir() +
                          "/review-retrained.t0 --holdout 0.5 --json");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_EQ(nlohmann::json::parse(train.out)["labels"], 2);
}

}  // namespace
}  // namespace kolibri
