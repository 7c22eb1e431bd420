#include "kolibri/worker/mail_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace kolibri::worker {
namespace {

namespace fs = std::filesystem;
const fs::path kExample = KOLIBRI_SUPPORT_MAIL_DIR;

TEST(MailSourceTest, TheExampleInboxReadsWithItsMessageIds) {
  auto items = ReadMailSource((kExample / "inbox").string());
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  std::map<std::string, const MailItem*> by_file;
  for (const auto& m : *items) by_file[fs::path(m.source).filename().string()] = &m;
  std::ifstream gold(kExample / "gold.jsonl");
  size_t checked = 0;
  for (std::string line; std::getline(gold, line);) {
    const auto g = nlohmann::json::parse(line);
    const MailItem* m = by_file[fs::path(g["file"].get<std::string>()).filename().string()];
    ASSERT_NE(m, nullptr) << g["file"];
    EXPECT_EQ(m->problem, "") << m->source;
    EXPECT_EQ(m->id, g["message_id"]) << m->source;
    EXPECT_FALSE(m->derived_id);
    EXPECT_FALSE(m->body_text.empty());
    for (const auto& [name, value] : g["fields"].items()) {
      if (value.is_string()) {
        EXPECT_NE(m->body_text.find(value.get<std::string>()), std::string::npos) << m->source << ": " << name;
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, items->size());
  EXPECT_GE(checked, 80u);
}

TEST(MailSourceTest, BrokenMailsAreItemsWithProblems) {
  auto items = ReadMailSource((kExample / "inbox-broken").string());
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  std::map<std::string, const MailItem*> by_file;
  for (const auto& m : *items) by_file[fs::path(m.source).filename().string()] = &m;
  EXPECT_EQ(by_file.size(), 8u) << "README.md and expected.jsonl are no mails";
  ASSERT_TRUE(by_file.count("empty-body.eml"));
  EXPECT_EQ(by_file["empty-body.eml"]->problem, "empty body");
  ASSERT_TRUE(by_file.count("not-an-email.eml"));
  EXPECT_FALSE(by_file["not-an-email.eml"]->problem.empty());
  ASSERT_TRUE(by_file.count("missing-message-id.eml"));
  const MailItem* no_id = by_file["missing-message-id.eml"];
  EXPECT_TRUE(no_id->derived_id);
  EXPECT_TRUE(no_id->id.starts_with("derived-"));
  auto again = ReadMailSource((kExample / "inbox-broken").string());
  ASSERT_TRUE(again.ok());
  for (const auto& m : *again) {
    if (m.source == no_id->source) {
      EXPECT_EQ(m.id, no_id->id) << "derived ids are stable";
    }
  }
  EXPECT_EQ(ReadMailSource("/nonexistent/inbox").status().code(), ErrorCode::kNotFound);
}

TEST(MailSourceTest, MboxAndMaildirAreRead) {
  const fs::path dir = fs::temp_directory_path() / ("kolibri_mail_source_" + std::to_string(::getpid()));
  fs::create_directories(dir / "md" / "cur");
  fs::create_directories(dir / "md" / "new");
  fs::create_directories(dir / "md" / "tmp");
  const std::string mail = "From: A <a@x.example>\nTo: b@y.example\nSubject: Hi\nMessage-ID: <m1@x.example>\n\nHello there\n";
  std::ofstream(dir / "md" / "new" / "1.host") << mail;
  std::ofstream(dir / "md" / "tmp" / "2.host") << mail;  // being delivered: not read
  std::ofstream(dir / "box.mbox") << "From a@x.example Mon Jan  1 00:00:00 2024\n" << mail
                                  << "\nFrom c@x.example Mon Jan  1 00:00:00 2024\n"
                                  << "From: C <c@x.example>\nSubject: Two\nMessage-ID: <m2@x.example>\n\nSecond\n";
  auto md = ReadMailSource((dir / "md").string());
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  ASSERT_EQ(md->size(), 1u);
  EXPECT_EQ((*md)[0].id, "m1@x.example");
  EXPECT_EQ((*md)[0].from_name, "A");
  EXPECT_EQ((*md)[0].subject, "Hi");
  auto box = ReadMailSource((dir / "box.mbox").string());
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  ASSERT_EQ(box->size(), 2u);
  EXPECT_EQ((*box)[1].id, "m2@x.example");
  EXPECT_EQ((*box)[1].body_text, "Second");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kolibri::worker
