#include "ingest/text_builder.h"

#include <glib.h>

#include <cstring>

namespace kolibri::ingest {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string StripControls(std::string s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') continue;
    if (u == 0x7f) continue;
    out.push_back(c);
  }
  return out;
}

std::string ConvertWith(std::string_view bytes, const char* from) {
  gsize written = 0;
  GError* error = nullptr;
  gchar* converted = g_convert(bytes.data(), static_cast<gssize>(bytes.size()), "UTF-8", from,
                               nullptr, &written, &error);
  if (converted == nullptr) {
    if (error != nullptr) g_error_free(error);
    return {};
  }
  std::string out(converted, written);
  g_free(converted);
  return out;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  return g_utf8_validate(s.data(), static_cast<gssize>(s.size()), nullptr) != 0;
}

std::string ToUtf8(std::string_view bytes, std::string_view charset) {
  if (bytes.size() >= 3 && std::memcmp(bytes.data(), "\xEF\xBB\xBF", 3) == 0) bytes.remove_prefix(3);
  std::string cs(charset);
  for (char& c : cs) c = static_cast<char>(g_ascii_tolower(c));
  const bool declared_utf8 = cs.empty() || cs == "utf-8" || cs == "utf8" || cs == "us-ascii" ||
                             cs == "ascii";
  if (!declared_utf8) {
    std::string converted = ConvertWith(bytes, cs.c_str());
    if (!converted.empty() || bytes.empty()) return StripControls(std::move(converted));
  }
  if (IsValidUtf8(bytes)) return StripControls(std::string(bytes));
  // Windows-1252 leaves five bytes undefined; ISO-8859-1 maps every byte.
  std::string cp1252 = ConvertWith(bytes, "WINDOWS-1252");
  return StripControls(cp1252.empty() ? ConvertWith(bytes, "ISO-8859-1") : std::move(cp1252));
}

void TextBuilder::EnsureSeparated() {
  if (text_.empty()) {
    pending_space_ = false;
    pending_newlines_ = 0;
    return;
  }
  if (pending_newlines_ > 0) {
    text_.append(pending_newlines_ >= 2 ? "\n\n" : "\n");
  } else if (pending_space_) {
    text_.push_back(' ');
  }
  pending_space_ = false;
  pending_newlines_ = 0;
}

void TextBuilder::AppendInline(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (IsSpace(text[i])) {
      pending_space_ = true;
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && !IsSpace(text[j])) ++j;
    EnsureSeparated();
    text_.append(text.substr(i, j - i));
    i = j;
  }
}

void TextBuilder::AppendPreformatted(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text.find_first_not_of(" \t\r\n\f") == std::string_view::npos) return;
  LineBreak();
  EnsureSeparated();
  text_.append(text);
  LineBreak();
}

void TextBuilder::LineBreak() {
  if (pending_newlines_ < 1) pending_newlines_ = 1;
}

void TextBuilder::ParagraphBreak() { pending_newlines_ = 2; }

void TextBuilder::AppendHeading(std::string_view text, int level) {
  ParagraphBreak();
  TextBuilder inner;
  inner.AppendInline(text);
  std::string clean = inner.TakeText();
  if (clean.empty()) return;
  EnsureSeparated();
  const size_t begin = text_.size();
  text_.append(clean);
  headings_.push_back({begin, text_.size(), level});
  ParagraphBreak();
}

std::string TextBuilder::TakeText() {
  while (!text_.empty() && IsSpace(text_.back())) text_.pop_back();
  pending_space_ = false;
  pending_newlines_ = 0;
  return std::move(text_);
}

}  // namespace kolibri::ingest
