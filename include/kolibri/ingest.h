// Ingestion: files and folders -> cleaned documents (text + metadata) -> chunks, handed to a
// sink (normally the document store) one source file at a time.
//
// Formats: plain text, Markdown, HTML (main text; navigation, header, footer, aside,
// script and style dropped), PDF (text layer only), e-mail (.eml, mbox with "From " lines,
// Maildir cur/ and new/; MIME parts, charsets, quoted-printable and base64, HTML parts,
// attachment names). The format comes from the extension, checked against the leading bytes
// (a .txt that holds NUL bytes is reported as binary, an extension-less file is sniffed).
// Text in a wrong or undeclared charset is decoded as Windows-1252 when it is not UTF-8.
//
// Failures of one file (unreadable, binary, too large, a PDF without a text layer, broken
// MIME, empty) are reported in its FileOutcome and the batch goes on; only a sink failure
// (the index is locked, corrupt or full) stops the batch. Thread-compatible: one call at a
// time per sink.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/chunker.h"
#include "kolibri/document.h"
#include "kolibri/status.h"

namespace kolibri {

struct IngestOptions {
  uint64_t max_file_bytes = 50ull << 20;  // larger files are reported, not read (50 MiB)
  ChunkOptions chunking;
};

// Where ingested documents go. Both functions are required.
struct IngestSink {
  // True when `source_path` is stored with exactly this content hash (the file is skipped).
  std::function<Result<bool>(const std::string& source_path, const std::string& content_hash)>
      is_current;
  // Stores all documents of one source file, replacing what that file had, atomically.
  std::function<Status(const std::string& source_path, const std::string& content_hash,
                       const std::vector<Document>& documents)>
      replace;
};

enum class FileAction { kAdded, kUnchanged, kFailed };

struct FileOutcome {
  std::string path;
  FileAction action = FileAction::kFailed;
  Status status;  // why it failed (kFailed only)
  int documents = 0;
  int chunks = 0;
};

struct IngestReport {
  std::vector<FileOutcome> files;
  int added = 0;
  int unchanged = 0;
  int failed = 0;
};

// Parses one file into its documents (one per mbox message, else one), chunked.
// `maildir_message` forces the e-mail format (files in a Maildir's cur/ or new/).
Result<std::vector<Document>> IngestFile(const std::string& path, const IngestOptions& options,
                                         bool maildir_message = false);

// Parses one RFC 5322 message held in memory (e.g. fetched over IMAP) like IngestFile parses
// an .eml: `name` becomes the document's id and source path, the date falls back to now.
// Errors as IngestFile's for the bytes: OutOfRange above max_file_bytes, Unsupported when
// empty or binary, Corrupt for broken MIME.
Result<std::vector<Document>> IngestEmailBytes(const std::string& name, std::string_view bytes,
                                               const IngestOptions& options);

// Walks `paths` (files, folders recursively; hidden entries and Maildir tmp/ skipped) and
// ingests every file into `sink`. `on_file` (optional) sees each outcome as it happens.
// A path that does not exist is a failed outcome. Returns an error only when the sink fails.
Result<IngestReport> IngestPaths(const std::vector<std::string>& paths,
                                 const IngestOptions& options, const IngestSink& sink,
                                 const std::function<void(const FileOutcome&)>& on_file = {});

}  // namespace kolibri
