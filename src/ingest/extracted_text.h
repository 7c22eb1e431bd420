// The format extractors: bytes of one source -> cleaned text with title, date, headings.
// Each returns a Status a user can act on when the input cannot be read (kCorrupt for
// malformed input, kUnsupported for input it cannot handle, like a PDF without text).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kolibri/document.h"
#include "kolibri/status.h"

namespace kolibri::ingest {

struct ExtractedText {
  std::string title;
  std::string date;
  std::string text;
  std::vector<Heading> headings;
  std::vector<std::string> attachments;
  // E-mail only: Message-ID (without angle brackets), From, and the body text alone.
  std::string message_id;
  std::string sender;
  std::string body;
};

// HTML main text: <main>/<article> when present, else <body>; chrome (nav, header, footer,
// aside, script, style, form, ...) dropped. Non-UTF-8 bytes are read as Windows-1252.
ExtractedText HtmlToText(std::string_view html);

// Plain text (kept as is, charset-repaired) and Markdown (ATX and setext headings become
// headings; other lines are kept).
ExtractedText PlainToText(std::string_view bytes);
ExtractedText MarkdownToText(std::string_view bytes);

// The text layer of a PDF, pages separated by paragraph breaks.
Result<ExtractedText> PdfToText(std::string_view bytes);

// One RFC 5322 message (.eml or a Maildir file).
Result<ExtractedText> EmailToText(std::string_view bytes);
// Every message of an mbox file ("From " separated), in order.
Result<std::vector<ExtractedText>> MboxToTexts(std::string_view bytes);

}  // namespace kolibri::ingest
