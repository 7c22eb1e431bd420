// An IMAP mailbox as a mail source. See kolibri/worker/imap_source.h.
#include "kolibri/worker/imap_source.h"

#include <fstream>

namespace kolibri::worker {
namespace {

Result<std::string> ReadPassword(const ImapSourceOptions& options) {
  if (options.password_file.empty()) {
    if (options.password.empty()) {
      return Status::InvalidArgument(
          "an IMAP input needs a password: --imap-password-file FILE or the KOLIBRI_IMAP_PASSWORD environment "
          "variable");
    }
    return options.password;
  }
  std::ifstream in(options.password_file, std::ios::binary);
  if (!in) return Status::NotFound("cannot read the IMAP password file " + options.password_file);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.empty()) return Status::InvalidArgument("the IMAP password file " + options.password_file + " is empty");
  return line;
}

}  // namespace

bool IsImapInput(std::string_view input) { return input.starts_with("imap://") || input.starts_with("imaps://"); }

std::string ImapFallbackId(uint32_t uidvalidity, uint32_t uid) {
  return "imap:" + std::to_string(uidvalidity) + ":" + std::to_string(uid);
}

std::string ImapMessageUrl(const ImapUrl& mailbox, uint32_t uidvalidity, uint32_t uid) {
  return mailbox.ToString() + ";UIDVALIDITY=" + std::to_string(uidvalidity) + "/;UID=" + std::to_string(uid);
}

Result<std::unique_ptr<ImapMailSource>> ImapMailSource::Open(const std::string& url, const ImapSourceOptions& options,
                                                             const MailSourceOptions& mail) {
  KOLIBRI_ASSIGN_OR_RETURN(ImapUrl parsed, ParseImapUrl(url));
  ImapOptions io;
  KOLIBRI_ASSIGN_OR_RETURN(io.password, ReadPassword(options));
  io.insecure = options.insecure;
  io.connect_timeout_s = options.connect_timeout_s;
  io.timeout_s = options.timeout_s;
  io.max_message_bytes = mail.max_file_bytes;
  std::unique_ptr<ImapMailSource> source(new ImapMailSource(std::move(parsed), std::move(io), mail));
  KOLIBRI_RETURN_IF_ERROR(source->Reconnect());
  return source;
}

Status ImapMailSource::Reconnect() {
  client_.reset();
  KOLIBRI_ASSIGN_OR_RETURN(client_, ImapClient::Connect(url_, options_));
  return client_->Examine().status();
}

Result<ImapPoll> ImapMailSource::Poll(const std::set<std::string>& done_sources) {
  ImapPoll poll;  // what the first try fetched stays when the second goes on
  Status s = client_ != nullptr ? PollOnce(done_sources, &poll) : Status::Unavailable("not connected");
  if (s.code() == ErrorCode::kUnavailable || s.code() == ErrorCode::kDeadlineExceeded) {
    // The server may have closed an idle connection (--watch): one fresh try.
    KOLIBRI_RETURN_IF_ERROR(Reconnect());
    s = PollOnce(done_sources, &poll);
  }
  KOLIBRI_RETURN_IF_ERROR(s);
  return poll;
}

Status ImapMailSource::PollOnce(const std::set<std::string>& done_sources, ImapPoll* poll) {
  KOLIBRI_ASSIGN_OR_RETURN(ImapMailbox box, client_->Examine());
  if (box.uidvalidity != uidvalidity_) {
    // New UIDVALIDITY: the old UIDs mean nothing now (Message-IDs still prevent repeats).
    uidvalidity_ = box.uidvalidity;
    seen_.clear();
  }
  KOLIBRI_ASSIGN_OR_RETURN(std::vector<uint32_t> uids, client_->ListUids());
  poll->uids = static_cast<int64_t>(uids.size());
  for (uint32_t uid : uids) {
    if (seen_.count(uid)) continue;
    const std::string source = ImapMessageUrl(url_, uidvalidity_, uid);
    if (done_sources.count(source)) {
      seen_.insert(uid);
      ++poll->known;
      continue;
    }
    Result<std::string> raw = client_->FetchMessage(uid);
    if (raw.status().code() == ErrorCode::kNotFound) {
      seen_.insert(uid);  // expunged by someone else meanwhile
      continue;
    }
    if (raw.status().code() == ErrorCode::kOutOfRange) {
      MailItem big;
      big.id = ImapFallbackId(uidvalidity_, uid);
      big.source = source;
      big.problem = raw.status().message();
      poll->items.push_back(std::move(big));
      seen_.insert(uid);
      continue;
    }
    KOLIBRI_RETURN_IF_ERROR(raw.status());
    poll->items.push_back(MailItemFromMessage(*raw, source, ImapFallbackId(uidvalidity_, uid), mail_));
    seen_.insert(uid);
  }
  return Status::Ok();
}

}  // namespace kolibri::worker
