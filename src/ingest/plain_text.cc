// Plain text and Markdown. Markdown keeps its lines (so quotes stay recognisable) except
// that heading markers are dropped and headings are recorded; fenced code stays verbatim.
#include <string>

#include "ingest/extracted_text.h"
#include "ingest/text_builder.h"

namespace kolibri::ingest {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = nl + 1;
  }
  return lines;
}

// Level of an ATX heading ("## Title"), 0 when `line` is none.
int AtxLevel(std::string_view line) {
  line = Trim(line);
  int level = 0;
  while (level < static_cast<int>(line.size()) && line[level] == '#') ++level;
  if (level == 0 || level > 6) return 0;
  if (static_cast<size_t>(level) < line.size() && line[level] != ' ' && line[level] != '\t') return 0;
  return level;
}

// 1 for "===", 2 for "---" setext underlines, else 0.
int SetextLevel(std::string_view line) {
  line = Trim(line);
  if (line.size() < 2) return 0;
  const char c = line.front();
  if (c != '=' && c != '-') return 0;
  for (char x : line) {
    if (x != c) return 0;
  }
  return c == '=' ? 1 : 2;
}

bool IsFence(std::string_view line) {
  line = Trim(line);
  return line.starts_with("```") || line.starts_with("~~~");
}

void AppendLine(TextBuilder* b, std::string_view line) {
  if (Trim(line).empty()) {
    b->ParagraphBreak();
    return;
  }
  b->LineBreak();
  b->AppendInline(line);
}

}  // namespace

ExtractedText PlainToText(std::string_view bytes) {
  const std::string utf8 = ToUtf8(bytes);
  TextBuilder b;
  for (std::string_view line : Lines(utf8)) AppendLine(&b, line);
  ExtractedText result;
  result.text = b.TakeText();
  const size_t first_line_end = result.text.find('\n');
  result.title = std::string(Trim(std::string_view(result.text).substr(0, first_line_end)));
  if (result.title.size() > 120) result.title.clear();
  return result;
}

ExtractedText MarkdownToText(std::string_view bytes) {
  const std::string utf8 = ToUtf8(bytes);
  const std::vector<std::string_view> lines = Lines(utf8);
  TextBuilder b;
  bool in_fence = false;
  std::string fence_text;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (IsFence(line)) {
      if (in_fence) {
        b.AppendPreformatted(fence_text);
        fence_text.clear();
      }
      in_fence = !in_fence;
      continue;
    }
    if (in_fence) {
      fence_text.append(line).push_back('\n');
      continue;
    }
    if (const int level = AtxLevel(line); level > 0) {
      std::string_view title = Trim(Trim(line).substr(static_cast<size_t>(level)));
      while (!title.empty() && title.back() == '#') title.remove_suffix(1);
      b.AppendHeading(Trim(title), level);
      continue;
    }
    const bool next_is_underline = i + 1 < lines.size() && !Trim(line).empty() &&
                                   SetextLevel(lines[i + 1]) > 0 &&
                                   (i == 0 || Trim(lines[i - 1]).empty());
    if (next_is_underline) {
      b.AppendHeading(Trim(line), SetextLevel(lines[i + 1]));
      ++i;
      continue;
    }
    AppendLine(&b, line);
  }
  if (in_fence) b.AppendPreformatted(fence_text);
  ExtractedText result;
  result.text = b.TakeText();
  result.headings = b.TakeHeadings();
  if (!result.headings.empty() && result.headings.front().level == 1) {
    const Heading& h = result.headings.front();
    result.title = result.text.substr(h.begin, h.end - h.begin);
  }
  return result;
}

}  // namespace kolibri::ingest
