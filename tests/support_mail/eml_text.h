// EmlText: a deliberately small, test-only reader that turns a .eml file into the text a
// support-mail worker reads (headers plus the decoded body), so the example's gold labels can
// be checked against the mails. It handles what examples/support-mail/inbox uses: CRLF or LF
// line ends, folded headers, RFC 2047 encoded words, multipart/* (recursively),
// message/rfc822 parts, 7bit/8bit/quoted-printable/base64, and the charsets utf-8, us-ascii,
// iso-8859-1 and windows-1252. HTML parts are reduced to text (tags, comments, <head>,
// <style> and <script> dropped; common entities decoded). It is not the product's MIME
// reader (that is the ingest module); it rejects what it does not understand with a Status.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kolibri/status.h"

namespace kolibri::testing {

struct EmlText {
  // Unfolded header fields in file order, names as written; values raw (not decoded).
  std::vector<std::pair<std::string, std::string>> headers;
  // Inline text of the mail as UTF-8: from multipart/alternative the text/plain part when
  // there is one, else the HTML part as text; attachments other than text/* and message/rfc822
  // are skipped; parts are joined with a blank line.
  std::string body_text;

  // First header called `name` (case-insensitive), raw; empty when absent.
  std::string Header(std::string_view name) const;
};

// Parses a whole .eml file. Corrupt: no header block, a multipart without its boundary, an
// unclosed multipart, invalid base64; Unsupported: an unknown charset or transfer encoding.
Result<EmlText> ParseEml(std::string_view raw);

// RFC 2047: decodes "=?charset?Q|B?...?=" words in a header value to UTF-8.
Result<std::string> DecodeHeaderWords(std::string_view value);

Result<std::string> DecodeQuotedPrintable(std::string_view encoded);
Result<std::string> DecodeBase64(std::string_view encoded);
// Converts `bytes` in `charset` to UTF-8; utf-8/us-ascii input must already be valid.
Result<std::string> ToUtf8(std::string_view bytes, std::string_view charset);
std::string HtmlToText(std::string_view html);

}  // namespace kolibri::testing
