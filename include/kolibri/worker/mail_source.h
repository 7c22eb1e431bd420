// Mail sources for a worker run: a directory of .eml files, an mbox file, a Maildir (cur/ and
// new/), or a single .eml — read through the ingest module, in a stable order (sorted paths,
// mbox messages in file order).
//
// Every message becomes one MailItem. A message that cannot be used is still an item, with
// `problem` saying why (corrupt MIME, not an e-mail, empty body, invalid UTF-8, ...), so the
// run can report it and go on. A message without a Message-ID gets a derived id (a hash of
// its source file's bytes and its position), so reruns still recognise it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/status.h"

namespace kolibri::worker {

struct MailItem {
  std::string id;          // Message-ID without angle brackets, or the derived id
  bool derived_id = false;
  std::string source;      // the file (and "#n" for the n-th message of an mbox)
  std::string subject;
  std::string from;        // the From header as text ("Name <addr>")
  std::string from_name;   // its display name (else the address)
  std::string body_text;   // the body alone
  std::string text;        // subject, header lines and body as ingest cleans them
  std::vector<std::string> attachments;
  std::string problem;     // non-empty: the item cannot be processed, and why
};

struct MailSourceOptions {
  uint64_t max_file_bytes = 25ull << 20;  // larger files are reported as items (25 MiB)
};

// NotFound when `path` does not exist; otherwise every message found, bad ones included.
Result<std::vector<MailItem>> ReadMailSource(const std::string& path, const MailSourceOptions& options = {});

// One RFC 5322 message held in memory (fetched over IMAP, see imap_source.h) as a MailItem,
// parsed and checked like an .eml file: `source` says where it came from, `fallback_id` is
// its id when it has no Message-ID. A message that cannot be used is an item with `problem`.
MailItem MailItemFromMessage(std::string_view rfc822, const std::string& source, const std::string& fallback_id,
                             const MailSourceOptions& options = {});

}  // namespace kolibri::worker
