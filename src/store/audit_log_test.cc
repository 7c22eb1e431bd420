#include "kolibri/audit_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace kolibri {
namespace {

std::string TempPath(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() / ("kolibri-audit-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove(p);
  return p.string();
}

TEST(AuditLogTest, AppendListForgetAndPersist) {
  const std::string path = TempPath("a.db");
  {
    auto log = AuditLog::Open(path);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    AuditEntry e;
    e.request_id = "r1";
    e.task = "triage";
    e.task_version = "v1";
    e.input_hash = AuditInputHash("my parcel is late");
    e.tier = "tier0";
    e.model = "t0-abc";
    e.outcome = "escalated";
    e.confidence = 0.4;
    e.detail = "confidence 0.40 below threshold 0.60";
    auto id1 = (*log)->Append(e);
    ASSERT_TRUE(id1.ok()) << id1.status().ToString();
    e.tier = "slm";
    e.outcome = "answered";
    e.label = "delivery";
    e.record_json = R"({"label":"delivery"})";
    auto id2 = (*log)->Append(e);
    ASSERT_TRUE(id2.ok());
    EXPECT_GT(*id2, *id1);
    e.request_id = "r2";
    e.input_hash = AuditInputHash("other");
    ASSERT_TRUE((*log)->Append(e).ok());
  }
  auto log = AuditLog::Open(path);
  ASSERT_TRUE(log.ok());
  auto r1 = (*log)->List({.request_id = "r1"});
  ASSERT_TRUE(r1.ok());
  ASSERT_EQ(r1->size(), 2u);
  EXPECT_EQ((*r1)[0].tier, "tier0");
  EXPECT_EQ((*r1)[1].label, "delivery");
  EXPECT_GT((*r1)[1].time_ms, 0);
  EXPECT_EQ((*log)->List({})->size(), 3u);
  EXPECT_EQ((*log)->List({.limit = 1})->front().request_id, "r2");  // the newest
  auto gone = (*log)->ForgetInput(AuditInputHash("my parcel is late"));
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(*gone, 2);
  EXPECT_EQ((*log)->List({})->size(), 1u);
  std::filesystem::remove(path);
}

TEST(AuditLogTest, BadInputAndBadFiles) {
  auto log = AuditLog::Open(":memory:");
  ASSERT_TRUE(log.ok());
  AuditEntry e;
  EXPECT_EQ((*log)->Append(e).status().code(), ErrorCode::kInvalidArgument);
  e.task = "t";
  e.tier = "slm";
  e.outcome = "maybe";
  EXPECT_EQ((*log)->Append(e).status().code(), ErrorCode::kInvalidArgument);
  e.outcome = "answered";
  e.record_json = "{not json";
  EXPECT_EQ((*log)->Append(e).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE((*log)->List({.limit = 0}).ok());
  const std::string junk = TempPath("junk.db");
  std::ofstream(junk) << std::string(4096, 'x');
  auto bad = AuditLog::Open(junk);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kCorrupt) << bad.status().ToString();
  std::filesystem::remove(junk);
  EXPECT_EQ(AuditLog::Open("/nonexistent-dir/x.db").status().code(), ErrorCode::kIoError);
}

}  // namespace
}  // namespace kolibri
