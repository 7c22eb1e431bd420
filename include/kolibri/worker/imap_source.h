// An IMAP mailbox as a worker's mail source (`kolibri run --input imaps://USER@HOST/MAILBOX`),
// read-only through kolibri/imap_client.h: nothing is deleted, moved or flagged, not even
// \Seen.
//
// Identity: a message's id is its Message-ID; without one it is "imap:<uidvalidity>:<uid>"
// (stable while the server keeps the mailbox's UIDVALIDITY). A message's source is its RFC
// 5092 URL, "imaps://ada@host:993/INBOX;UIDVALIDITY=7/;UID=42". Fetching is incremental: a
// Poll fetches only UIDs that no earlier Poll fetched and that no finished result names as
// its source (the run state's sources), so a rerun or a --watch pass costs one EXAMINE and
// one UID SEARCH plus the new messages.
//
// Thread-compatible: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/imap_client.h"
#include "kolibri/status.h"
#include "kolibri/worker/mail_source.h"

namespace kolibri::worker {

struct ImapSourceOptions {
  // The password: the first line of this file when set, else `password` (the CLI fills it
  // from KOLIBRI_IMAP_PASSWORD). Never on the command line, never in a message.
  std::string password_file;
  std::string password;
  bool insecure = false;          // accept self-signed TLS certificates (test servers only)
  double connect_timeout_s = 10;  // TCP, TLS and login
  double timeout_s = 60;          // each IMAP command, one message's fetch included
};

// True for "imap://..." and "imaps://..." inputs.
bool IsImapInput(std::string_view input);

// "imap:<uidvalidity>:<uid>": the id of a message without a Message-ID.
std::string ImapFallbackId(uint32_t uidvalidity, uint32_t uid);
// The message's RFC 5092 URL (password-free), used as its MailItem source.
std::string ImapMessageUrl(const ImapUrl& mailbox, uint32_t uidvalidity, uint32_t uid);

struct ImapPoll {
  std::vector<MailItem> items;  // the newly fetched messages, in UID order (bad ones included)
  int64_t uids = 0;             // messages in the mailbox
  int64_t known = 0;            // not fetched: finished by an earlier run (per `done_sources`)
};

class ImapMailSource {
 public:
  // Parses the URL, reads the password, connects and EXAMINEs the mailbox, so that every
  // setup problem surfaces here: InvalidArgument (URL, no password), NotFound (password file,
  // mailbox), Unauthenticated, Unavailable, DeadlineExceeded - see ImapClient::Connect.
  static Result<std::unique_ptr<ImapMailSource>> Open(const std::string& url, const ImapSourceOptions& options,
                                                      const MailSourceOptions& mail = {});

  // Examines the mailbox again and fetches every message not seen yet. A message that
  // vanished between the search and its fetch is left out; one over the size limit is an
  // item with `problem`. A broken connection is made again once; errors after that are
  // returned (the caller decides whether a pass may fail).
  Result<ImapPoll> Poll(const std::set<std::string>& done_sources);

  const ImapUrl& url() const { return url_; }

 private:
  ImapMailSource(ImapUrl url, ImapOptions options, MailSourceOptions mail) :
      url_(std::move(url)), options_(std::move(options)), mail_(mail) {}
  Status Reconnect();
  Status PollOnce(const std::set<std::string>& done_sources, ImapPoll* poll);

  ImapUrl url_;
  ImapOptions options_;
  MailSourceOptions mail_;
  std::unique_ptr<ImapClient> client_;
  uint32_t uidvalidity_ = 0;
  std::set<uint32_t> seen_;  // UIDs fetched or known under uidvalidity_
};

}  // namespace kolibri::worker
