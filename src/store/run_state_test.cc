#include "kolibri/run_state.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace kolibri {
namespace {

TEST(RunStateTest, DoneItemsPersistAcrossOpensAndNeverTwice) {
  const auto path = std::filesystem::temp_directory_path() / ("kolibri_run_state_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto state = RunState::Open(path.string());
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    EXPECT_FALSE(*(*state)->IsDone("a@x"));
    ASSERT_TRUE((*state)->MarkDone({"a@x", "inbox/1.eml", "answered", R"({"k":1})", 0}).ok());
    EXPECT_EQ((*state)->MarkDone({"a@x", "inbox/1.eml", "answered", "{}", 0}).code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ((*state)->MarkDone({"b@x", "", "", "not json", 0}).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ((*state)->MarkDone({"", "", "", "{}", 0}).code(), ErrorCode::kInvalidArgument);
    ASSERT_TRUE((*state)->MarkDone({"b@x", "inbox/2.eml", "review", "[]", 5}).ok());
  }
  auto again = RunState::Open(path.string());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*(*again)->IsDone("a@x"));
  auto done = (*again)->Done();
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(done->size(), 2u);
  EXPECT_EQ((*done)[0].id, "a@x");
  EXPECT_EQ((*done)[0].result_json, R"({"k":1})");
  EXPECT_EQ((*done)[1].status, "review");
  EXPECT_EQ((*done)[1].finished_at, 5);
  // Deliveries: per target, once; what is not recorded stays pending across opens.
  ASSERT_TRUE((*again)->MarkDelivered("b@x", "http://hook", 2).ok());
  EXPECT_EQ((*again)->MarkDelivered("b@x", "http://hook", 1).code(), ErrorCode::kAlreadyExists);
  again->reset();
  again = RunState::Open(path.string());
  ASSERT_TRUE(again.ok());
  auto pending = (*again)->Undelivered("http://hook");
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, "a@x");
  EXPECT_EQ((*again)->Undelivered("http://other")->size(), 2u);
  again->reset();
  std::filesystem::remove(path);
  std::ofstream(path) << "this is not a database, it is text that goes on for a while........";
  EXPECT_EQ(RunState::Open(path.string()).status().code(), ErrorCode::kCorrupt);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace kolibri
