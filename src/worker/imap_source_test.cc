// IMAP message identity and setup errors, without a server (tests/imap/imap_test.py runs the
// source against Dovecot).
#include "kolibri/worker/imap_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace kolibri::worker {
namespace {

namespace fs = std::filesystem;

const char kWithId[] =
    "From: Petra Schneider <petra@example.de>\r\nSubject: Wo bleibt meine Bestellung?\r\n"
    "Message-ID: <abc.123@example.de>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Bestellnummer NL-24031877, bitte um Auskunft.\r\n";
const char kWithoutId[] = "From: ops@example.com\r\nSubject: ping\r\n\r\nNo id here.\r\n";

TEST(ImapSourceTest, MessageIdsComeFromTheHeaderElseFromUidvalidityAndUid) {
  auto url = ParseImapUrl("imaps://ada%40example.com@mail.example.com/Support");
  ASSERT_TRUE(url.ok());
  const std::string source = ImapMessageUrl(*url, 1795561536, 42);
  EXPECT_EQ(source, "imaps://ada%40example.com@mail.example.com:993/Support;UIDVALIDITY=1795561536/;UID=42");
  EXPECT_EQ(ImapFallbackId(1795561536, 42), "imap:1795561536:42");

  const MailItem a = MailItemFromMessage(kWithId, source, ImapFallbackId(1795561536, 42));
  EXPECT_EQ(a.problem, "");
  EXPECT_EQ(a.id, "abc.123@example.de");
  EXPECT_FALSE(a.derived_id);
  EXPECT_EQ(a.source, source);
  EXPECT_EQ(a.subject, "Wo bleibt meine Bestellung?");
  EXPECT_EQ(a.from_name, "Petra Schneider");
  EXPECT_NE(a.body_text.find("NL-24031877"), std::string::npos);

  const MailItem b = MailItemFromMessage(kWithoutId, source, ImapFallbackId(7, 3));
  EXPECT_EQ(b.problem, "");
  EXPECT_EQ(b.id, "imap:7:3");
  EXPECT_TRUE(b.derived_id);
}

TEST(ImapSourceTest, BadMessagesAreItemsWithAProblem) {
  const MailItem empty = MailItemFromMessage("", "imap://u@h:143/INBOX;UIDVALIDITY=1/;UID=1", "imap:1:1");
  EXPECT_EQ(empty.id, "imap:1:1");
  EXPECT_NE(empty.problem.find("empty"), std::string::npos);
  const MailItem no_body =
      MailItemFromMessage("From: a@example.com\r\nSubject: x\r\n\r\n   \r\n", "imap://u@h/INBOX", "imap:1:2");
  EXPECT_EQ(no_body.problem, "empty body");
  MailSourceOptions small;
  small.max_file_bytes = 16;
  EXPECT_NE(MailItemFromMessage(kWithId, "s", "imap:1:3", small).problem.find("size limit"), std::string::npos);
}

TEST(ImapSourceTest, SetupErrorsComeBeforeAnyConnection) {
  EXPECT_TRUE(IsImapInput("imaps://a@b/INBOX"));
  EXPECT_TRUE(IsImapInput("imap://a@b"));
  EXPECT_FALSE(IsImapInput("/var/mail/inbox"));
  EXPECT_FALSE(IsImapInput("imapx://a@b"));

  ImapSourceOptions o;
  o.password = "pw";
  EXPECT_EQ(ImapMailSource::Open("imap://nobody-here/INBOX", o).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ImapMailSource::Open("imap://a:pw@h/INBOX", o).status().code(), ErrorCode::kInvalidArgument);

  o.password.clear();
  auto none = ImapMailSource::Open("imap://a@127.0.0.1:1/INBOX", o);
  EXPECT_EQ(none.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("KOLIBRI_IMAP_PASSWORD"), std::string::npos);

  o.password_file = "/nonexistent/imap-password";
  EXPECT_EQ(ImapMailSource::Open("imap://a@127.0.0.1:1/INBOX", o).status().code(), ErrorCode::kNotFound);

  const fs::path file = fs::temp_directory_path() / ("imap_pw_" + std::to_string(::getpid()));
  std::ofstream(file) << "s3cret-pass\n";
  o.password_file = file.string();
  o.connect_timeout_s = 1;
  auto refused = ImapMailSource::Open("imap://a@127.0.0.1:1/INBOX", o);  // port 1: nobody listens
  fs::remove(file);
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable) << refused.status().ToString();
  EXPECT_EQ(refused.status().message().find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace kolibri::worker
