// PDF text layer through poppler-cpp. Poppler's own error chatter is silenced; what matters
// to the user is one reason per file.
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ingest/extracted_text.h"
#include "ingest/text_builder.h"

namespace kolibri::ingest {
namespace {

void Silence(const std::string&, void*) {}

std::string Utf8(const poppler::ustring& s) {
  const poppler::byte_array bytes = s.to_utf8();
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

Result<ExtractedText> PdfToText(std::string_view bytes) {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(Silence, nullptr); });
  if (!bytes.starts_with("%PDF-")) return Status::Corrupt("not a PDF file (no %PDF- header)");
  std::vector<char> data(bytes.begin(), bytes.end());
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_data(&data));
  if (!doc) return Status::Corrupt("PDF cannot be parsed (damaged or truncated)");
  if (doc->is_locked()) return Status::Unsupported("PDF is encrypted; a password is needed");
  ExtractedText result;
  result.title = Utf8(doc->get_title());
  if (const time_t created = doc->get_creation_date_t(); created > 0) {
    char buf[32];
    struct tm tm_utc;
    gmtime_r(&created, &tm_utc);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
    result.date = buf;
  }
  TextBuilder builder;
  const int pages = doc->pages();
  for (int i = 0; i < pages; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    const std::string text = ToUtf8(Utf8(page->text()));
    builder.ParagraphBreak();
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      std::string_view line(text.data() + start, nl - start);
      if (line.find_first_not_of(" \t\r\f") == std::string_view::npos) builder.ParagraphBreak();
      else {
        builder.LineBreak();
        builder.AppendInline(line);
      }
      start = nl + 1;
    }
  }
  result.text = builder.TakeText();
  if (result.text.empty()) {
    return Status::Unsupported("PDF has no text layer (" + std::to_string(pages) +
                               " page(s) of images?); OCR is not supported");
  }
  return result;
}

}  // namespace kolibri::ingest
