// Chunking: the text is cut into units (headings, sentences, and word-bounded pieces of
// over-long sentences), which are packed greedily into chunks. See kolibri/chunker.h.
#include "kolibri/chunker.h"

#include <glib.h>

#include <algorithm>
#include <string>

namespace kolibri {
namespace {

struct Unit {
  size_t begin = 0;
  size_t end = 0;
  size_t words = 0;
  int heading_level = 0;  // 0: not a heading
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

size_t CountWords(std::string_view s) {
  size_t words = 0;
  bool in_word = false;
  for (char c : s) {
    const bool space = IsSpace(c);
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

bool StartsListItem(std::string_view rest) {
  size_t i = 0;
  while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
  if (i + 1 < rest.size() && (rest[i] == '-' || rest[i] == '*' || rest[i] == '+') && rest[i + 1] == ' ') return true;
  size_t d = i;
  while (d < rest.size() && rest[d] >= '0' && rest[d] <= '9') ++d;
  return d > i && d + 1 < rest.size() && (rest[d] == '.' || rest[d] == ')') && rest[d + 1] == ' ';
}

// Adds the sentence [begin, end) of `text`, cut into pieces of at most max_words words.
void AddSentence(std::string_view text, size_t begin, size_t end, size_t max_words,
                 std::vector<Unit>* units) {
  while (begin < end && IsSpace(text[begin])) ++begin;
  while (end > begin && IsSpace(text[end - 1])) --end;
  if (begin == end) return;
  size_t words = 0;
  size_t piece_begin = begin;
  bool in_word = false;
  for (size_t i = begin; i < end; ++i) {
    const bool space = IsSpace(text[i]);
    if (!space && !in_word) {
      if (words == max_words) {
        size_t piece_end = i;
        while (piece_end > piece_begin && IsSpace(text[piece_end - 1])) --piece_end;
        units->push_back({piece_begin, piece_end, words, 0});
        piece_begin = i;
        words = 0;
      }
      ++words;
    }
    in_word = !space;
  }
  units->push_back({piece_begin, end, words, 0});
}

// Splits the paragraph [begin, end) into sentence units.
void SplitSentences(std::string_view text, size_t begin, size_t end, size_t max_words,
                    std::vector<Unit>* units) {
  size_t start = begin;
  for (size_t i = begin; i < end; ++i) {
    const char c = text[i];
    bool boundary = false;
    size_t cut = i + 1;
    if (c == '.' || c == '!' || c == '?') {
      while (cut < end && (text[cut] == '"' || text[cut] == '\'' || text[cut] == ')' || text[cut] == ']')) ++cut;
      // "e.g. x" and "J. Smith" are not sentence ends: a one-letter word before the period.
      const bool initial = c == '.' && i >= 1 && g_ascii_isalpha(text[i - 1]) &&
                           (i < 2 || IsSpace(text[i - 2]) || text[i - 2] == '.');
      boundary = !initial && (cut == end || IsSpace(text[cut]));
    } else if (c == '\n') {
      boundary = StartsListItem(text.substr(i + 1, end - i - 1)) || (i > begin && text[i - 1] == ':');
    }
    if (boundary) {
      AddSentence(text, start, cut, max_words, units);
      start = cut;
      i = cut - 1;
    }
  }
  AddSentence(text, start, end, max_words, units);
}

std::vector<Unit> SplitUnits(const Document& doc, size_t max_words) {
  std::vector<Unit> units;
  const std::string_view text = doc.text;
  std::vector<Heading> headings = doc.headings;
  std::sort(headings.begin(), headings.end(),
            [](const Heading& a, const Heading& b) { return a.begin < b.begin; });
  size_t pos = 0;
  size_t h = 0;
  while (pos < text.size()) {
    if (h < headings.size() && headings[h].begin <= pos) {
      const Heading& head = headings[h++];
      if (head.end > pos && head.end <= text.size()) {
        units.push_back({head.begin, head.end, CountWords(text.substr(head.begin, head.end - head.begin)),
                         std::clamp(head.level, 1, 6)});
        pos = head.end;
      }
      continue;
    }
    size_t para_end = text.find("\n\n", pos);
    if (para_end == std::string_view::npos) para_end = text.size();
    if (h < headings.size() && headings[h].begin < para_end) para_end = headings[h].begin;
    SplitSentences(text, pos, para_end, max_words, &units);
    pos = para_end;
    while (pos < text.size() && IsSpace(text[pos])) ++pos;
  }
  return units;
}

std::string HeadingPath(const std::vector<std::pair<int, std::string>>& stack) {
  std::string path;
  for (const auto& [level, title] : stack) {
    if (!path.empty()) path += " > ";
    path += title;
  }
  return path;
}

}  // namespace


std::vector<Chunk> ChunkDocument(const Document& doc, const ChunkOptions& options) {
  const size_t max_words = std::max<size_t>(options.max_words, 1);
  const std::vector<Unit> units = SplitUnits(doc, max_words);
  std::vector<Chunk> chunks;
  std::vector<std::pair<int, std::string>> stack;  // (level, heading text)
  bool open = false;
  bool only_headings = true;
  size_t words = 0;
  Chunk current;
  auto close = [&] {
    if (!open) return;
    current.ordinal = static_cast<int>(chunks.size());
    current.text = doc.text.substr(current.begin, current.end - current.begin);
    std::string key = doc.id;
    key.push_back('\0');
    key += std::to_string(current.ordinal);
    key.push_back('\0');
    key += current.text;
    current.id = Sha256Hex(key).substr(0, 24);
    chunks.push_back(std::move(current));
    current = Chunk();
    open = false;
    only_headings = true;
    words = 0;
  };
  for (const Unit& u : units) {
    if (u.heading_level > 0) {
      if (open && !only_headings && words >= options.min_words) close();
      while (!stack.empty() && stack.back().first >= u.heading_level) stack.pop_back();
      stack.emplace_back(u.heading_level, doc.text.substr(u.begin, u.end - u.begin));
    } else if (open && !only_headings && words + u.words > max_words) {
      close();
    }
    if (!open) {
      open = true;
      current.begin = u.begin;
      current.heading_path = HeadingPath(stack);
    }
    current.end = u.end;
    words += u.words;
    if (u.heading_level == 0) only_headings = false;
    if (!only_headings && words >= options.target_words) close();
  }
  close();
  return chunks;
}

}  // namespace kolibri
