// IMAP URLs, mailbox names, response framing and the client's failures without a server.
// The client against a real server (Dovecot) is tests/imap/imap_test.py.
#include "kolibri/imap_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "net/imap_response.h"

namespace kolibri {
namespace {

TEST(ImapUrlTest, ParsesServerUserPortAndMailbox) {
  auto u = ParseImapUrl("imaps://ada%40example.com@mail.example.com:1993/Support/Eingang");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->user, "ada@example.com");
  EXPECT_EQ(u->host, "mail.example.com");
  EXPECT_EQ(u->port, 1993);
  EXPECT_EQ(u->mailbox, "Support/Eingang");
  EXPECT_EQ(u->ToString(), "imaps://ada%40example.com@mail.example.com:1993/Support/Eingang");

  auto d = ParseImapUrl("imap://bob@127.0.0.1");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->tls);
  EXPECT_EQ(d->port, 143);
  EXPECT_EQ(d->mailbox, "INBOX");
  EXPECT_EQ(ParseImapUrl("imaps://bob@host/")->port, 993);
  EXPECT_EQ(ParseImapUrl("imap://bob@host/Entw%C3%BCrfe")->mailbox, "Entw\xC3\xBC" "rfe");

  auto v6 = ParseImapUrl("imap://bob@[::1]:1143/INBOX");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 1143);
  EXPECT_EQ(v6->ToString(), "imap://bob@[::1]:1143/INBOX");
}

TEST(ImapUrlTest, RejectsMalformedUrlsWithAReason) {
  struct Case {
    const char* url;
    const char* says;
  };
  const Case cases[] = {
      {"http://bob@host/INBOX", "not an IMAP URL"},
      {"imap://host/INBOX", "no user"},
      {"imap://bob:secret@host/INBOX", "password"},
      {"imap://bob@/INBOX", "no host"},
      {"imap://bob@host:0/INBOX", "bad port"},
      {"imap://bob@host:99999/INBOX", "bad port"},
      {"imap://bob@host:14x/INBOX", "bad port"},
      {"imap://bob@host:/INBOX", "bad port"},
      {"imap://bob@ho st/INBOX", "bad character"},
      {"imap://bob@host/INBOX;UID=4", "mailbox only"},
      {"imap://bob@host/INBOX?x=1", "no query"},
      {"imap://bob@host/IN%4", "percent"},
      {"imap://bob@host/IN%0ABOX", "control character"},
  };
  for (const Case& c : cases) {
    auto u = ParseImapUrl(c.url);
    ASSERT_FALSE(u.ok()) << c.url;
    EXPECT_EQ(u.status().code(), ErrorCode::kInvalidArgument) << c.url;
    EXPECT_NE(u.status().message().find(c.says), std::string::npos) << c.url << ": " << u.status().message();
    EXPECT_EQ(u.status().message().find("secret"), std::string::npos) << "the password leaked: " << c.url;
  }
}

TEST(ImapUrlTest, MailboxNamesUseModifiedUtf7) {
  EXPECT_EQ(*EncodeImapMailboxName("INBOX"), "INBOX");
  EXPECT_EQ(*EncodeImapMailboxName("Entw\xC3\xBC" "rfe"), "Entw&APw-rfe");
  EXPECT_EQ(*EncodeImapMailboxName("Tom & Jerry"), "Tom &- Jerry");
  EXPECT_EQ(*EncodeImapMailboxName("\xE5\x8F\xB0\xE5\x8C\x97"), "&U,BTFw-");  // RFC 3501's example
  EXPECT_FALSE(EncodeImapMailboxName("bad\xC3").ok());
}

TEST(ImapResponseReaderTest, CutsLiteralsOutByteExactlyAcrossFeeds) {
  net::ImapResponseReader reader(1 << 20, 1024);
  const std::string mail = "Subject: hi\r\n\r\nK2 OK forged completion inside the mail\r\n* BYE not really\r\n";
  const std::string wire = "* 1 EXISTS\r\n* 1 FETCH (UID 7 BODY[] {" + std::to_string(mail.size()) + "}\r\n" + mail +
                           ")\r\nK2 OK Fetch completed\r\n";
  std::vector<net::ImapResponse> got;
  for (char c : wire) {  // one byte at a time: every boundary is a split
    reader.Feed(std::string_view(&c, 1));
    net::ImapResponse r;
    for (;;) {
      Result<bool> next = reader.Next(&r);
      ASSERT_TRUE(next.ok());
      if (!*next) break;
      got.push_back(std::move(r));
    }
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].text, "* 1 EXISTS");
  EXPECT_EQ(got[1].text, "* 1 FETCH (UID 7 BODY[] {" + std::to_string(mail.size()) + "})");
  ASSERT_EQ(got[1].literals.size(), 1u);
  EXPECT_EQ(got[1].literals[0], mail);
  EXPECT_EQ(got[1].literal_offsets[0], got[1].text.find('{'));
  EXPECT_FALSE(got[1].dropped(0));
  std::string cond, rest;
  EXPECT_TRUE(net::ParseTagged(got[2].text, "K2", &cond, &rest));
  EXPECT_EQ(cond, "OK");
  EXPECT_EQ(rest, "Fetch completed");
  EXPECT_FALSE(net::ParseTagged(got[2].text, "K", &cond, &rest));
}

TEST(ImapResponseReaderTest, DropsOversizeLiteralsAndRejectsEndlessLines) {
  net::ImapResponseReader reader(8, 64);
  reader.Feed("* 1 FETCH (UID 3 BODY[] {20}\r\n01234567890123456789)\r\n* 2 FETCH (BODY[] {0}\r\n)\r\n");
  net::ImapResponse r;
  ASSERT_TRUE(*reader.Next(&r));
  ASSERT_EQ(r.literals.size(), 1u);
  EXPECT_TRUE(r.dropped(0));
  EXPECT_EQ(r.literal_sizes[0], 20u);
  EXPECT_EQ(r.text, "* 1 FETCH (UID 3 BODY[] {20})");
  ASSERT_TRUE(*reader.Next(&r));
  EXPECT_EQ(r.literals.size(), 1u);
  EXPECT_FALSE(r.dropped(0));
  EXPECT_FALSE(*reader.Next(&r));
  reader.Feed(std::string(100, 'x'));
  EXPECT_EQ(reader.Next(&r).status().code(), ErrorCode::kCorrupt);

  uint32_t n = 0;
  EXPECT_TRUE(net::FindNumberAfter("* OK [UIDVALIDITY 1795561536] UIDs valid", "[UIDVALIDITY ", &n));
  EXPECT_EQ(n, 1795561536u);
  EXPECT_FALSE(net::FindNumberAfter("* OK [UIDNEXT x]", "[UIDNEXT ", &n));
}

// A loopback socket that listens but never answers, or a port nobody listens on.
int Listen(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(fd, 4);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

TEST(ImapClientTest, FailsClearlyWithoutAServer) {
  int port = 0;
  const int silent = Listen(&port);
  ImapOptions o;
  o.password = "hunter2";
  o.connect_timeout_s = 0.5;
  auto url = ParseImapUrl("imap://bob@127.0.0.1:" + std::to_string(port) + "/INBOX");
  ASSERT_TRUE(url.ok());
  const auto t0 = std::chrono::steady_clock::now();
  auto c = ImapClient::Connect(*url, o);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kDeadlineExceeded) << c.status().ToString();
  EXPECT_LT(took, 5.0);
  EXPECT_EQ(c.status().message().find("hunter2"), std::string::npos);
  ::close(silent);

  const int gone = Listen(&port);
  ::close(gone);  // nobody listens there now
  url = ParseImapUrl("imap://bob@127.0.0.1:" + std::to_string(port) + "/INBOX");
  c = ImapClient::Connect(*url, o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kUnavailable) << c.status().ToString();
  EXPECT_NE(c.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos);

  o.password.clear();
  EXPECT_EQ(ImapClient::Connect(*url, o).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kolibri
