// Accumulates cleaned text from a parser's stream of words, line breaks, paragraph breaks
// and headings: collapses runs of whitespace, never emits more than one blank line, and
// records heading spans as byte offsets into the result. Used by the HTML, Markdown and
// e-mail extractors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kolibri/document.h"

namespace kolibri::ingest {

class TextBuilder {
 public:
  // Appends inline text; whitespace runs become one space (newlines too).
  void AppendInline(std::string_view text);
  // Appends text verbatim except that it starts on its own line (preformatted blocks).
  void AppendPreformatted(std::string_view text);
  void LineBreak();
  void ParagraphBreak();
  // A heading on its own paragraph; empty headings are dropped.
  void AppendHeading(std::string_view text, int level);

  // The text with trailing whitespace removed, and its headings.
  std::string TakeText();
  std::vector<Heading> TakeHeadings() { return std::move(headings_); }

 private:
  void EnsureSeparated();
  std::string text_;
  std::vector<Heading> headings_;
  bool pending_space_ = false;
  int pending_newlines_ = 0;  // 1 line break, 2 paragraph break
};

// True when `s` is valid UTF-8.
bool IsValidUtf8(std::string_view s);

// `bytes` as UTF-8: converted from `charset` when named and known, kept when already valid
// UTF-8, else decoded as Windows-1252 (the usual truth behind a wrong or missing label).
// A UTF-8 byte-order mark is dropped; NUL bytes and other C0 controls (but tab, LF, CR, FF)
// are removed.
std::string ToUtf8(std::string_view bytes, std::string_view charset = {});

}  // namespace kolibri::ingest
