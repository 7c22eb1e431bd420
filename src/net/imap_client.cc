// The read-only IMAP client. libcurl connects, negotiates TLS and logs in (CONNECT_ONLY);
// the commands after that go over curl_easy_send/recv, framed by ImapResponseReader. Why not
// curl's own IMAP requests: its FETCH is `BODY[]`, which marks mail \Seen, and (in the
// Debian 12 libcurl) a custom `UID FETCH ... BODY.PEEK[]` hands back only the first line,
// with the literal parsed as protocol lines. See kolibri/imap_client.h.
#include <curl/curl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <mutex>

#include "kolibri/imap_client.h"
#include "net/imap_response.h"

namespace kolibri {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxLine = 16u << 20;  // a UID SEARCH answer of a few million messages

std::string Where(const ImapUrl& url) {
  return (url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

Status ConnectError(CURLcode rc, const char* detail, const ImapUrl& url, const ImapOptions& options) {
  const std::string where = Where(url);
  const std::string why = detail[0] != '\0' ? detail : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_LOGIN_DENIED:
      return Status::Unauthenticated("IMAP server " + where + " refused the login of user '" + url.user +
                                     "' (wrong user or password?)");
    case CURLE_OPERATION_TIMEDOUT:
      return Status::DeadlineExceeded("IMAP server " + where + " did not answer within " +
                                      std::to_string(static_cast<int>(std::ceil(options.connect_timeout_s))) +
                                      " s (" + why + ")");
    case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
    case CURLE_SSL_CACERT:
#endif
      return Status::Unavailable("the TLS certificate of IMAP server " + where + " is not trusted (" + why +
                                 "); for a test server with a self-signed certificate pass --imap-insecure");
    case CURLE_USE_SSL_FAILED:
      return Status::Unavailable("IMAP server " + where + " does not offer TLS (" + why + ")");
    default:
      return Status::Unavailable("cannot reach IMAP server " + where + ": " + why);
  }
}

struct CommandResult {
  std::string condition;  // OK, NO or BAD
  std::string text;       // the rest of the tagged line
  std::vector<net::ImapResponse> untagged;
};

}  // namespace

struct ImapClient::Conn {
  CURL* curl = nullptr;
  curl_socket_t socket = CURL_SOCKET_BAD;
  net::ImapResponseReader reader;
  uint64_t next_tag = 1;
  bool broken = false;
  std::string where;

  explicit Conn(uint64_t max_literal) : reader(max_literal, kMaxLine) {}
  ~Conn() {
    // A broken stream cannot carry curl's LOGOUT; shut it so that cleanup does not wait.
    if (broken && socket != CURL_SOCKET_BAD) ::shutdown(socket, SHUT_RDWR);
    if (curl != nullptr) curl_easy_cleanup(curl);
  }

  Status Fail(Status s) {
    broken = true;
    return s;
  }

  // Waits for the socket until `deadline`; DeadlineExceeded when it passes.
  Status Wait(short events, Clock::time_point deadline, double timeout_s) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{socket, events, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0) {
      return Fail(Status::DeadlineExceeded("IMAP server " + where + " did not answer within " +
                                           std::to_string(static_cast<int>(std::ceil(timeout_s))) + " s"));
    }
    return Status::Ok();
  }

  Status Send(const std::string& line, Clock::time_point deadline, double timeout_s) {
    size_t done = 0;
    while (done < line.size()) {
      size_t n = 0;
      const CURLcode rc = curl_easy_send(curl, line.data() + done, line.size() - done, &n);
      if (rc == CURLE_AGAIN) {
        KOLIBRI_RETURN_IF_ERROR(Wait(POLLOUT, deadline, timeout_s));
        continue;
      }
      if (rc != CURLE_OK) {
        return Fail(Status::Unavailable("connection to IMAP server " + where + " broke: " + curl_easy_strerror(rc)));
      }
      done += n;
    }
    return Status::Ok();
  }

  Result<net::ImapResponse> Read(Clock::time_point deadline, double timeout_s) {
    net::ImapResponse r;
    char buf[64 * 1024];
    for (;;) {
      Result<bool> got = reader.Next(&r);
      if (!got.ok()) return Fail(got.status());
      if (*got) return r;
      size_t n = 0;
      const CURLcode rc = curl_easy_recv(curl, buf, sizeof buf, &n);
      if (rc == CURLE_AGAIN) {
        KOLIBRI_RETURN_IF_ERROR(Wait(POLLIN, deadline, timeout_s));
        continue;
      }
      if (rc != CURLE_OK || n == 0) {
        return Fail(Status::Unavailable("IMAP server " + where + " closed the connection" +
                                        (rc != CURLE_OK ? std::string(": ") + curl_easy_strerror(rc) : "")));
      }
      reader.Feed(std::string_view(buf, n));
    }
  }

  // Sends one tagged command and reads up to its completion. A "* BYE" ends the connection.
  Result<CommandResult> Command(const std::string& command, const ImapOptions& options) {
    if (broken) return Status::Unavailable("the connection to IMAP server " + where + " is broken");
    const std::string tag = "K" + std::to_string(next_tag++);
    const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(options.timeout_s * 1000));
    KOLIBRI_RETURN_IF_ERROR(Send(tag + " " + command + "\r\n", deadline, options.timeout_s));
    CommandResult result;
    for (;;) {
      KOLIBRI_ASSIGN_OR_RETURN(net::ImapResponse r, Read(deadline, options.timeout_s));
      if (net::ParseTagged(r.text, tag, &result.condition, &result.text)) return result;
      if (r.text.starts_with("* BYE")) {
        broken = true;
        return Status::Unavailable("IMAP server " + where + " ended the session: " + r.text.substr(2));
      }
      if (r.untagged()) result.untagged.push_back(std::move(r));
    }
  }
};

ImapClient::ImapClient(ImapUrl url, const ImapOptions& options, std::unique_ptr<Conn> conn)
    : url_(std::move(url)), options_(options), conn_(std::move(conn)) {}

ImapClient::~ImapClient() {
  // A polite end, so that the server logs a logout rather than a dropped connection.
  ImapOptions quick = options_;
  quick.timeout_s = std::min(options_.timeout_s, 2.0);
  if (conn_ != nullptr && !conn_->broken) (void)conn_->Command("LOGOUT", quick);
}

Result<std::unique_ptr<ImapClient>> ImapClient::Connect(const ImapUrl& url, const ImapOptions& options) {
  if (options.password.empty()) {
    return Status::InvalidArgument("no IMAP password: pass --imap-password-file FILE or set KOLIBRI_IMAP_PASSWORD");
  }
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto conn = std::make_unique<Conn>(options.max_message_bytes);
  conn->where = Where(url);
  conn->curl = curl_easy_init();
  if (conn->curl == nullptr) return Status::Internal("libcurl could not start a connection");
  CURL* c = conn->curl;
  const std::string target = std::string(url.tls ? "imaps://" : "imap://") + conn->where + "/";
  const long connect_ms = std::max(1L, static_cast<long>(options.connect_timeout_s * 1000));
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, target.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
  curl_easy_setopt(c, CURLOPT_USERNAME, url.user.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, options.password.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, connect_ms);
  // Bounds every wait of curl's own protocol steps: login here, LOGOUT at cleanup.
  curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, static_cast<long>(std::ceil(options.connect_timeout_s)));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  // imap:// upgrades with STARTTLS when the server offers it; imaps:// is TLS throughout.
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(url.tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, options.insecure ? 0L : 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, options.insecure ? 0L : 2L);
  const CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  if (rc != CURLE_OK) return ConnectError(rc, error, url, options);
  curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &conn->socket);
  if (conn->socket == CURL_SOCKET_BAD) return Status::Internal("libcurl kept no IMAP connection");
  return std::unique_ptr<ImapClient>(new ImapClient(url, options, std::move(conn)));
}

Result<ImapMailbox> ImapClient::Examine() {
  KOLIBRI_ASSIGN_OR_RETURN(std::string name, EncodeImapMailboxName(url_.mailbox));
  KOLIBRI_ASSIGN_OR_RETURN(CommandResult r, conn_->Command("EXAMINE " + Quoted(name), options_));
  if (r.condition != "OK") {
    examined_ = false;
    return Status::NotFound("mailbox '" + url_.mailbox + "' cannot be opened on IMAP server " + conn_->where +
                            " (server: " + r.text + ")");
  }
  ImapMailbox box;
  bool have_validity = false;
  for (const auto& u : r.untagged) {
    uint32_t n = 0;
    if (net::FindNumberAfter(u.text, "[UIDVALIDITY ", &n)) {
      box.uidvalidity = n;
      have_validity = true;
    }
    if (net::FindNumberAfter(u.text, "[UIDNEXT ", &n)) box.uidnext = n;
    if (u.text.ends_with(" EXISTS") && net::FindNumberAfter(u.text, "* ", &n)) box.exists = n;
  }
  if (!have_validity) {
    return Status::Unsupported("IMAP server " + conn_->where + " announced no UIDVALIDITY for '" + url_.mailbox + "'");
  }
  examined_ = true;
  return box;
}

Result<std::vector<uint32_t>> ImapClient::ListUids() {
  if (!examined_) return Status::FailedPrecondition("ListUids before Examine");
  KOLIBRI_ASSIGN_OR_RETURN(CommandResult r, conn_->Command("UID SEARCH ALL", options_));
  if (r.condition != "OK") {
    return Status::Unavailable("IMAP server " + conn_->where + " refused UID SEARCH: " + r.text);
  }
  std::vector<uint32_t> uids;
  for (const auto& u : r.untagged) {
    if (!u.text.starts_with("* SEARCH")) continue;
    std::string_view rest = std::string_view(u.text).substr(8);
    while (!rest.empty()) {
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      uint32_t n = 0;
      const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
      if (ec != std::errc()) break;
      uids.push_back(n);
      rest.remove_prefix(static_cast<size_t>(end - rest.data()));
    }
  }
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  return uids;
}

Result<std::string> ImapClient::FetchMessage(uint32_t uid) {
  if (!examined_) return Status::FailedPrecondition("FetchMessage before Examine");
  const std::string id = std::to_string(uid);
  KOLIBRI_ASSIGN_OR_RETURN(CommandResult r, conn_->Command("UID FETCH " + id + " (BODY.PEEK[])", options_));
  if (r.condition != "OK") {
    return Status::Unavailable("IMAP server " + conn_->where + " refused to fetch UID " + id + ": " + r.text);
  }
  for (auto& u : r.untagged) {
    uint32_t got = 0;
    if (u.text.find(" FETCH (") == std::string::npos || !net::FindNumberAfter(u.text, "UID ", &got) || got != uid) {
      continue;
    }
    const size_t body = u.text.find("BODY[] ");
    if (body == std::string::npos) continue;
    for (size_t i = 0; i < u.literals.size(); ++i) {
      if (u.literal_offsets[i] != body + 7) continue;
      if (u.dropped(i)) {
        return Status::OutOfRange("message is " + std::to_string(u.literal_sizes[i]) +
                                  " bytes, above the size limit of " + std::to_string(options_.max_message_bytes));
      }
      return std::move(u.literals[i]);
    }
    // BODY[] "" or NIL: a message without bytes.
    return std::string();
  }
  return Status::NotFound("message UID " + id + " is not in mailbox '" + url_.mailbox + "' (any more)");
}

}  // namespace kolibri
