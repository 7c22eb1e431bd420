#include "kolibri/worker/reply_library.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace kolibri::worker {
namespace {

namespace fs = std::filesystem;
const fs::path kExample = KOLIBRI_SUPPORT_MAIL_DIR;

nlohmann::json Fields(nlohmann::json set) {
  nlohmann::json f = {{"order_id", nullptr}, {"invoice_id", nullptr}, {"customer_id", nullptr},
                      {"customer_name", nullptr}, {"product", nullptr}, {"amount", nullptr},
                      {"tracking_id", nullptr}, {"case_id", nullptr}};
  f.update(set);
  return f;
}

TEST(ReplyLibraryTest, FillsOnlyFromFieldsAndNeverReexpands) {
  auto lib = ReplyLibrary::Load((kExample / "replies").string());
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  EXPECT_EQ(lib->size(), 36u);
  const Reply* r = lib->Find("order_status_de");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->required, std::vector<std::string>{"order_id"});
  FilledReply ok = ReplyLibrary::Fill(*r, Fields({{"order_id", "NL-24031877"}, {"customer_name", "{{order_id}}"}}));
  ASSERT_TRUE(ok.ok);
  EXPECT_NE(ok.text.find("Ihre Bestellung NL-24031877"), std::string::npos);
  EXPECT_NE(ok.text.find("Guten Tag {{order_id}},"), std::string::npos) << "values are inserted literally";
  EXPECT_EQ(ok.text.find("{{tracking_id"), std::string::npos) << "optional placeholders use their fallback";
  EXPECT_EQ(ok.facts["order_id"], "NL-24031877");
  EXPECT_TRUE(ok.facts["tracking_id"].is_null());
  FilledReply missing = ReplyLibrary::Fill(*r, Fields({{"customer_name", "Petra"}}));
  EXPECT_FALSE(missing.ok);
  EXPECT_TRUE(missing.text.empty());
  EXPECT_EQ(missing.missing, std::vector<std::string>{"order_id"});
  EXPECT_EQ(lib->Find("order_status_fr"), nullptr);
}

TEST(ReplyLibraryTest, RejectsUndeclaredPlaceholders) {
  const fs::path dir = fs::temp_directory_path() / ("kolibri_replies_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a_en.md") << "---\nid: a_en\nplaceholders: {required: [order_id]}\n---\nHi {{name}}\n";
  auto lib = ReplyLibrary::Load(dir.string());
  ASSERT_FALSE(lib.ok());
  EXPECT_NE(lib.status().message().find("a_en.md"), std::string::npos);
  std::ofstream(dir / "a_en.md") << "---\nid: b_en\n---\nHi\n";
  EXPECT_NE(ReplyLibrary::Load(dir.string()).status().message().find("differs from the file name"), std::string::npos);
  fs::remove_all(dir);
  EXPECT_EQ(ReplyLibrary::Load(dir.string()).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace kolibri::worker
