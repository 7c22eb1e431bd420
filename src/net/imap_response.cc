// IMAP response framing. See imap_response.h.
#include "net/imap_response.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace kolibri::net {
namespace {

// A line ending in "{N}" or "{N+}" announces an N-byte literal; false otherwise.
bool LiteralSize(std::string_view line, uint64_t* size, size_t* marker) {
  if (!line.ends_with("}")) return false;
  const size_t open = line.rfind('{');
  if (open == std::string_view::npos) return false;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (digits.ends_with("+")) digits.remove_suffix(1);
  if (digits.empty() || digits.size() > 19) return false;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *size);
  if (ec != std::errc() || end != digits.data() + digits.size()) return false;
  *marker = open;
  return true;
}

}  // namespace

Result<bool> ImapResponseReader::Next(ImapResponse* out) {
  for (;;) {
    if (skip_left_ > 0) {
      const uint64_t n = std::min<uint64_t>(skip_left_, buffer_.size());
      buffer_.erase(0, n);
      skip_left_ -= n;
      if (skip_left_ > 0) return false;
    }
    if (literal_need_ > 0) {
      if (buffer_.size() < literal_need_) return false;
      current_.literals.push_back(buffer_.substr(0, literal_need_));
      buffer_.erase(0, literal_need_);
      literal_need_ = 0;
      scanned_ = 0;
    }
    const size_t crlf = buffer_.find("\r\n", scanned_ > 0 ? scanned_ - 1 : 0);
    if (crlf == std::string::npos) {
      scanned_ = buffer_.size();
      if (buffer_.size() > max_line_) {
        return Status::Corrupt("the IMAP server sent a line longer than " + std::to_string(max_line_) + " bytes");
      }
      return false;
    }
    const std::string_view line(buffer_.data(), crlf);
    uint64_t size = 0;
    size_t marker = 0;
    const bool literal = LiteralSize(line, &size, &marker);
    if (literal) {
      current_.literal_offsets.push_back(current_.text.size() + marker);
      current_.literal_sizes.push_back(size);
    }
    current_.text.append(line);
    buffer_.erase(0, crlf + 2);
    scanned_ = 0;
    if (!literal) {
      *out = std::move(current_);
      current_ = ImapResponse();
      return true;
    }
    if (size > max_literal_) {
      current_.literals.emplace_back();
      skip_left_ = size;
    } else if (size == 0) {
      current_.literals.emplace_back();
    } else {
      literal_need_ = size;
    }
  }
}

bool ParseTagged(std::string_view text, std::string_view tag, std::string* condition, std::string* rest) {
  if (!text.starts_with(tag) || text.size() <= tag.size() || text[tag.size()] != ' ') return false;
  std::string_view after = text.substr(tag.size() + 1);
  const size_t space = after.find(' ');
  *condition = std::string(after.substr(0, space));
  std::transform(condition->begin(), condition->end(), condition->begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  *rest = space == std::string_view::npos ? std::string() : std::string(after.substr(space + 1));
  return true;
}

bool FindNumberAfter(std::string_view text, std::string_view key, uint32_t* value) {
  const size_t at = text.find(key);
  if (at == std::string_view::npos) return false;
  const char* begin = text.data() + at + key.size();
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(begin, end, *value);
  return ec == std::errc() && stop != begin;
}

}  // namespace kolibri::net
