// IMAP response framing (RFC 3501 section 4.3 literals): bytes from the server -> complete
// responses, each with its literals cut out byte-exactly, so that message content can never
// be mistaken for protocol (a line "A1 OK" inside a mail stays mail). Private to net.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/status.h"

namespace kolibri::net {

struct ImapResponse {
  // The response's lines joined, CRLFs removed, each literal's "{N}" marker left in place.
  std::string text;
  std::vector<std::string> literals;      // in order; one dropped for its size is empty
  std::vector<uint64_t> literal_sizes;    // each literal's announced size
  std::vector<size_t> literal_offsets;    // where in `text` each literal's "{N}" marker starts
  bool dropped(size_t i) const { return literals[i].size() != literal_sizes[i]; }

  bool untagged() const { return text.starts_with("* "); }
  bool continuation() const { return text.starts_with("+"); }
};

// Feed bytes as they arrive; Next hands out each complete response once. Literals above
// max_literal_bytes are consumed and dropped (see ImapResponse::dropped).
class ImapResponseReader {
 public:
  ImapResponseReader(uint64_t max_literal_bytes, size_t max_line_bytes)
      : max_literal_(max_literal_bytes), max_line_(max_line_bytes) {}
  void Feed(std::string_view bytes) { buffer_.append(bytes); }
  // True and `out` set when a response is complete; false when more bytes are needed.
  // Corrupt for a line longer than max_line_bytes.
  Result<bool> Next(ImapResponse* out);

 private:
  uint64_t max_literal_;
  size_t max_line_;
  std::string buffer_;
  size_t scanned_ = 0;         // bytes of buffer_ known to hold no CRLF
  uint64_t literal_need_ = 0;  // bytes of the current literal still to collect
  uint64_t skip_left_ = 0;     // bytes of an oversize literal still to drop
  ImapResponse current_;
};

// "A12 OK [READ-ONLY] done" -> {"OK", "[READ-ONLY] done"} for tag "A12"; false when `text`
// is not tagged with `tag`.
bool ParseTagged(std::string_view text, std::string_view tag, std::string* condition, std::string* rest);

// The number after `key` in `text` ("[UIDVALIDITY 7]" with key "UIDVALIDITY " -> 7); false
// when absent or not a 32-bit number.
bool FindNumberAfter(std::string_view text, std::string_view key, uint32_t* value);

}  // namespace kolibri::net
