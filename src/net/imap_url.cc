// IMAP URLs (RFC 5092, server and mailbox parts) and modified UTF-7 mailbox names
// (RFC 3501 5.1.3). See kolibri/imap_client.h.
#include <cctype>
#include <charconv>

#include "kolibri/imap_client.h"

namespace kolibri {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s, std::string_view what) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    const int lo = hi >= 0 ? HexValue(s[i + 2]) : -1;
    if (lo < 0) return Status::InvalidArgument("bad percent-escape in the " + std::string(what) + " of the IMAP URL");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string PercentEncode(std::string_view s, std::string_view keep) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || keep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

// Appends `units` (UTF-16) as modified base64: '+' and ',' as the last two digits, no padding.
void AppendModifiedBase64(const std::u16string& units, std::string* out) {
  static const char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
  uint32_t bits = 0;
  int nbits = 0;
  for (char16_t u : units) {
    for (int shift = 8; shift >= 0; shift -= 8) {
      bits = (bits << 8) | ((u >> shift) & 0xFF);
      nbits += 8;
      while (nbits >= 6) {
        nbits -= 6;
        *out += kDigits[(bits >> nbits) & 63];
      }
    }
  }
  if (nbits > 0) *out += kDigits[(bits << (6 - nbits)) & 63];
}

}  // namespace

std::string ImapUrl::ToString() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? "imaps://" : "imap://") + PercentEncode(user, "-._~") + "@" + h + ":" +
         std::to_string(port) + "/" + PercentEncode(mailbox, "-._~/");
}

Result<ImapUrl> ParseImapUrl(std::string_view url) {
  ImapUrl u;
  std::string_view rest;
  if (url.starts_with("imaps://")) {
    u.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("imap://")) {
    rest = url.substr(7);
  } else {
    return Status::InvalidArgument("'" + std::string(url.substr(0, 80)) +
                                   "' is not an IMAP URL (imap://USER@HOST[:PORT]/MAILBOX or imaps://...)");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return Status::InvalidArgument("an IMAP URL takes no query or fragment (imap://USER@HOST[:PORT]/MAILBOX)");
  }
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos || at == 0) {
    return Status::InvalidArgument("the IMAP URL names no user (imap://USER@HOST[:PORT]/MAILBOX)");
  }
  const std::string_view userinfo = authority.substr(0, at);
  if (userinfo.find(':') != std::string_view::npos) {
    return Status::InvalidArgument(
        "the IMAP URL holds a password; it would show in the process list and shell history: "
        "pass it with --imap-password-file FILE or the KOLIBRI_IMAP_PASSWORD environment variable");
  }
  if (userinfo.find(';') != std::string_view::npos) {
    return Status::InvalidArgument("';AUTH=' and other user options in the IMAP URL are not supported");
  }
  KOLIBRI_ASSIGN_OR_RETURN(u.user, PercentDecode(userinfo, "user"));
  std::string_view hostport = authority.substr(at + 1);
  std::string_view port_text;
  if (hostport.starts_with("[")) {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("unclosed '[' in the IMAP URL's host");
    u.host = std::string(hostport.substr(1, close - 1));
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty() && !after.starts_with(":")) return Status::InvalidArgument("bad host in the IMAP URL");
    if (!after.empty()) port_text = after.substr(1);
  } else {
    const size_t colon = hostport.rfind(':');
    u.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port_text = hostport.substr(colon + 1);
  }
  if (u.host.empty()) return Status::InvalidArgument("the IMAP URL names no host (imap://USER@HOST[:PORT]/MAILBOX)");
  for (char c : u.host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' && c != '_') {
      return Status::InvalidArgument("bad character in the IMAP URL's host '" + u.host + "'");
    }
  }
  u.port = u.tls ? 993 : 143;
  if (!port_text.empty() || (hostport.size() > 0 && hostport.back() == ':')) {
    int port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      return Status::InvalidArgument("bad port '" + std::string(port_text) + "' in the IMAP URL (1-65535)");
    }
    u.port = port;
  }
  while (path.ends_with("/")) path.remove_suffix(1);
  if (path.find(';') != std::string_view::npos) {
    return Status::InvalidArgument(
        "the IMAP URL must name a mailbox only (no ;UID= or ;UIDVALIDITY= parts): imap://USER@HOST[:PORT]/MAILBOX");
  }
  KOLIBRI_ASSIGN_OR_RETURN(u.mailbox, PercentDecode(path, "mailbox"));
  if (u.mailbox.empty()) u.mailbox = "INBOX";
  for (char c : u.mailbox) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("control character in the IMAP URL's mailbox name");
    }
  }
  return u;
}

Result<std::string> EncodeImapMailboxName(std::string_view utf8) {
  std::string out;
  std::u16string pending;  // a run of characters outside printable ASCII
  auto flush = [&] {
    if (pending.empty()) return;
    out += '&';
    AppendModifiedBase64(pending, &out);
    out += '-';
    pending.clear();
  };
  for (size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c >= 0x20 && c < 0x7f) {
      flush();
      out += c == '&' ? std::string("&-") : std::string(1, static_cast<char>(c));
      ++i;
      continue;
    }
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > utf8.size()) return Status::InvalidArgument("the mailbox name is not valid UTF-8");
    uint32_t cp = n == 1 ? c : c & (0xFF >> (n + 1));
    for (size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(utf8[i + k]);
      if ((cc & 0xC0) != 0x80) return Status::InvalidArgument("the mailbox name is not valid UTF-8");
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      pending += static_cast<char16_t>(0xD800 + (cp >> 10));
      pending += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      pending += static_cast<char16_t>(cp);
    }
    i += n;
  }
  flush();
  return out;
}

}  // namespace kolibri
