// A read-only IMAP client over libcurl (module `net`): libcurl makes the connection, the TLS
// session (certificate and host name verified unless `insecure`) and the login (SASL PLAIN /
// LOGIN as the server offers); the client then speaks the few commands a mail reader needs
// on that connection, parsing responses with their literals byte-exactly.
//
// Read-only by construction: the mailbox is opened with EXAMINE (the server keeps it
// read-only, so not even \Seen changes) and messages are fetched with BODY.PEEK[]; no command
// that stores, copies, expunges or deletes exists here.
//
// Every call is bounded: connecting (TCP, TLS, login) by connect_timeout_s, each command by
// timeout_s. After a transport error or timeout the client is broken and every later call
// fails with Unavailable; make a new one (Connect) to go on. The password is never put into
// an error message or a URL string. Thread-compatible: one thread at a time per client.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/status.h"

namespace kolibri {

// imap[s]://USER@HOST[:PORT][/MAILBOX] (RFC 5092 server and mailbox parts; USER and MAILBOX
// percent-decoded, so "ada%40example.com" is the user "ada@example.com").
struct ImapUrl {
  bool tls = false;     // imaps: TLS from the first byte; imap: STARTTLS when the server offers it
  std::string user;
  std::string host;     // an IPv6 address without its brackets
  int port = 0;         // 993 (imaps) or 143 (imap) when the URL has none
  std::string mailbox;  // "INBOX" when the URL has no path
  // The canonical URL, password-free: "imaps://ada%40example.com@host:993/INBOX".
  std::string ToString() const;
};

// InvalidArgument, naming what is wrong: not imap:// or imaps://, no user, a password in the
// URL (it would show in `ps` and shell history), no host, a bad port, a query or ";" parts.
Result<ImapUrl> ParseImapUrl(std::string_view url);

// RFC 3501 modified UTF-7 for mailbox names ("Entwürfe" -> "Entw&APw-rfe"); InvalidArgument
// for a name that is not valid UTF-8.
Result<std::string> EncodeImapMailboxName(std::string_view utf8);

struct ImapOptions {
  std::string password;            // required; never logged
  bool insecure = false;           // accept any TLS certificate (self-signed test servers only)
  double connect_timeout_s = 10;   // TCP connect, TLS handshake and login, together
  double timeout_s = 60;           // each command, a whole message fetch included
  uint64_t max_message_bytes = 25ull << 20;  // larger messages are skipped (OutOfRange), 25 MiB
};

struct ImapMailbox {
  uint32_t uidvalidity = 0;  // UIDs are stable while this stays the same (RFC 3501 2.3.1.1)
  uint32_t exists = 0;       // messages in the mailbox
  uint32_t uidnext = 0;      // the UID the next message will get (0 when not announced)
};

class ImapClient {
 public:
  // Connects and logs in. Errors: Unauthenticated (user or password refused), Unavailable
  // (host unreachable, connection refused, TLS failure or an untrusted certificate - the
  // message says so and names --imap-insecure for test servers), DeadlineExceeded (no
  // answer within connect_timeout_s), InvalidArgument (no password).
  static Result<std::unique_ptr<ImapClient>> Connect(const ImapUrl& url, const ImapOptions& options);
  ~ImapClient();
  ImapClient(const ImapClient&) = delete;
  ImapClient& operator=(const ImapClient&) = delete;

  // EXAMINEs the URL's mailbox (read-only) and returns its state; call again to see new
  // mail. NotFound when the server refuses it (no such mailbox), with the server's words.
  Result<ImapMailbox> Examine();
  // Every message's UID, ascending (UID SEARCH ALL). FailedPrecondition before Examine.
  Result<std::vector<uint32_t>> ListUids();
  // The raw RFC 5322 bytes of one message (UID FETCH uid BODY.PEEK[]). NotFound when the
  // UID is not (or no longer) in the mailbox; OutOfRange above max_message_bytes (the
  // connection stays usable).
  Result<std::string> FetchMessage(uint32_t uid);

  const ImapUrl& url() const { return url_; }

 private:
  struct Conn;
  ImapClient(ImapUrl url, const ImapOptions& options, std::unique_ptr<Conn> conn);
  ImapUrl url_;
  ImapOptions options_;
  std::unique_ptr<Conn> conn_;
  bool examined_ = false;
};

}  // namespace kolibri
