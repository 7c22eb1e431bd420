#include "ingest/source_format.h"


#include <algorithm>
#include <cctype>
#include <string>

namespace kolibri::ingest {
namespace {

std::string LowerExtension(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  std::string ext(name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// A known binary signature's name, or nullptr.
const char* BinarySignature(std::string_view head) {
  struct Sig { std::string_view magic; const char* name; };
  static constexpr Sig kSigs[] = {
      {"\x89PNG", "PNG image"}, {"\xFF\xD8\xFF", "JPEG image"}, {"GIF8", "GIF image"},
      {"PK\x03\x04", "ZIP archive (or an office document)"}, {"\x1F\x8B", "gzip archive"},
      {"\x7F" "ELF", "ELF executable"}, {"BZh", "bzip2 archive"}, {"\xFD" "7zXZ", "xz archive"},
      {"SQLite format 3", "SQLite database"}, {"GGUF", "GGUF model"},
  };
  for (const Sig& s : kSigs) {
    if (head.starts_with(s.magic)) return s.name;
  }
  return nullptr;
}

bool LooksLikeMailHeaders(std::string_view head) {
  static constexpr std::string_view kNames[] = {"from:", "to:", "subject:", "date:", "message-id:",
                                                "received:", "return-path:", "mime-version:",
                                                "delivered-to:", "reply-to:"};
  const std::string lower = Lower(head.substr(0, 2048));
  int hits = 0;
  size_t start = 0;
  for (int line = 0; line < 12 && start < lower.size(); ++line) {
    size_t nl = lower.find('\n', start);
    if (nl == std::string::npos) nl = lower.size();
    std::string_view l(lower.data() + start, nl - start);
    if (l.empty() || l == "\r") break;
    for (std::string_view n : kNames) hits += l.starts_with(n) ? 1 : 0;
    start = nl + 1;
  }
  return hits >= 2;
}

}  // namespace

Result<SourceFormat> DetectFormat(std::string_view path, std::string_view head, bool maildir_message) {
  if (const char* sig = BinarySignature(head)) {
    return Status::Unsupported(std::string("binary file (") + sig + ")");
  }
  if (head.starts_with("%PDF-")) return SourceFormat::kPdf;
  const std::string ext = LowerExtension(path);
  if (ext == "pdf") return Status::Corrupt("named .pdf but does not start with %PDF-");
  const size_t nul = head.find('\0');
  // UTF-16 text has NUL bytes too; it is rare in document folders and reported like binary.
  if (nul != std::string_view::npos) {
    return Status::Unsupported("binary file (NUL byte at offset " + std::to_string(nul) + ")");
  }
  size_t controls = 0;
  for (char c : head) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b) ++controls;
  }
  if (!head.empty() && controls * 20 > head.size()) {
    return Status::Unsupported("binary file (" + std::to_string(controls) + " control bytes in the first " +
                               std::to_string(head.size()) + ")");
  }
  if (maildir_message || ext == "eml" || ext == "msg") return SourceFormat::kEmail;
  if (ext == "mbox" || ext == "mbx") return SourceFormat::kMbox;
  if (ext == "md" || ext == "markdown" || ext == "mdown" || ext == "mkd") return SourceFormat::kMarkdown;
  if (ext == "html" || ext == "htm" || ext == "xhtml") return SourceFormat::kHtml;
  if (ext == "txt" || ext == "text" || ext == "rst" || ext == "log") return SourceFormat::kText;
  if (head.starts_with("From ") && LooksLikeMailHeaders(head.substr(std::min(head.find('\n') + 1, head.size())))) {
    return SourceFormat::kMbox;
  }
  if (LooksLikeMailHeaders(head)) return SourceFormat::kEmail;
  const std::string lower = Lower(head.substr(0, 512));
  const size_t first = lower.find_first_not_of(" \t\r\n");
  if (first != std::string::npos &&
      (lower.compare(first, 14, "<!doctype html") == 0 || lower.compare(first, 5, "<html") == 0)) {
    return SourceFormat::kHtml;
  }
  return SourceFormat::kText;
}

}  // namespace kolibri::ingest
