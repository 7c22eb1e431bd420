// `kolibri forget`, `kolibri store prune` and `kolibri store backup` end to end on SQLite
// stores: counts reported, other inputs left alone, exit codes for nothing found and bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "testing/cli_runner.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

using testing::RunKolibri;

std::string FreshDb(const std::string& name) {
  const std::string p = testing::TestDataDir() + "/" + name;
  for (const char* s : {"", "-wal", "-shm", ".tmp"}) std::filesystem::remove(p + s);
  return p;
}

TEST(StoreCommandTest, ForgetPruneAndBackup) {
  const std::string db = FreshDb("store-cli-review.db");
  const std::string q = " --review-db " + db;
  for (const char* key : {"mail-1", "mail-2", "mail-3"}) {
    auto add = RunKolibri("review add --db " + db + " --task route --text 'text of " + key + "' --key " + key);
    ASSERT_EQ(add.exit_code, 0) << add.err;
  }
  auto forget = RunKolibri("forget mail-2" + q + " --json");
  ASSERT_EQ(forget.exit_code, 0) << forget.err;
  const auto report = nlohmann::json::parse(forget.out);
  EXPECT_EQ(report["review_items"], 1);
  EXPECT_EQ(report["input_hashes"].size(), 1u);
  auto list = RunKolibri("review list --db " + db + " --status all --json");
  ASSERT_EQ(list.exit_code, 0);
  const auto items = nlohmann::json::parse(list.out)["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["idempotency_key"], "mail-1");
  EXPECT_EQ(items[1]["idempotency_key"], "mail-3");
  EXPECT_EQ(RunKolibri("forget mail-2" + q).exit_code, 3);            // nothing left to forget
  EXPECT_EQ(RunKolibri("forget sha256:12" + q).exit_code, 2);         // malformed hash
  EXPECT_EQ(RunKolibri("forget mail-1").exit_code, 2);                // no store named

  const std::string backup = FreshDb("store-cli-backup.db");
  auto b = RunKolibri("store backup --db " + db + " --out " + backup);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(RunKolibri("store backup --db " + db + " --out " + backup).exit_code, 0);  // never overwrites
  auto copy = RunKolibri("review list --db " + backup + " --status all --json");
  EXPECT_EQ(nlohmann::json::parse(copy.out)["items"].size(), 2u);

  // Nothing is resolved, so a plain prune keeps both; --include-open with a tiny period drops them.
  auto keep = RunKolibri("store prune --older-than 30d" + q + " --json");
  ASSERT_EQ(keep.exit_code, 0) << keep.err;
  EXPECT_EQ(nlohmann::json::parse(keep.out)["review_items"], 0);
  auto drop = RunKolibri("store prune --older-than 1ms --include-open" + q + " --json");
  ASSERT_EQ(drop.exit_code, 0) << drop.err;
  EXPECT_EQ(nlohmann::json::parse(drop.out)["review_items"], 2);
  EXPECT_EQ(RunKolibri("store prune --older-than soon" + q).exit_code, 2);
}

}  // namespace
}  // namespace kolibri
