// Plain data shared by `ingest` (which produces documents and chunks) and `store` (which
// keeps and retrieves them). No behaviour lives here, so neither module depends on the other.
//
// Offsets are byte offsets into Document::text, the cleaned UTF-8 text of one document;
// Chunk::text == Document::text.substr(begin, end - begin) always holds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kolibri {

// What kind of source a document came from (stable lower-case names via DocumentKindName).
enum class DocumentKind { kText, kMarkdown, kHtml, kPdf, kEmail };

inline const char* DocumentKindName(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::kText: return "text";
    case DocumentKind::kMarkdown: return "markdown";
    case DocumentKind::kHtml: return "html";
    case DocumentKind::kPdf: return "pdf";
    case DocumentKind::kEmail: return "email";
  }
  return "text";
}

// A heading found in the cleaned text: its text spans [begin, end), level 1 is the top.
struct Heading {
  uint64_t begin = 0;
  uint64_t end = 0;
  int level = 1;
};

// A passage of a document, the unit of retrieval.
struct Chunk {
  std::string id;            // stable: hex hash of document id, ordinal and text
  int ordinal = 0;           // 0-based position within its document
  uint64_t begin = 0;        // byte offsets into Document::text
  uint64_t end = 0;
  std::string heading_path;  // enclosing headings, outermost first, joined by " > "
  std::string text;
};

// One logical document: a file, or one message of an mbox file.
struct Document {
  std::string id;            // source_path, plus "#<n>" for the n-th message of an mbox
  std::string source_path;   // the file it came from (absolute, normalised)
  DocumentKind kind = DocumentKind::kText;
  std::string title;         // may be empty
  std::string date;          // as found in the source (e-mail Date, PDF metadata); may be empty
  std::string content_hash;  // hex hash of the source file's bytes (same for all mbox messages)
  std::string text;          // cleaned UTF-8 text
  std::vector<Heading> headings;
  std::vector<std::string> attachments;  // e-mail attachment file names
  // E-mail only (empty otherwise): the Message-ID header without angle brackets, the From
  // header, and the cleaned body text alone (no subject, header lines or attachment list;
  // may be empty when `text` is not).
  std::string message_id;
  std::string sender;
  std::string body;
  std::vector<Chunk> chunks;             // filled by the chunker
};

}  // namespace kolibri
