#include "engine/stop_matcher.h"

#include <algorithm>

namespace kolibri::engine {

size_t CompleteUtf8Prefix(std::string_view s) {
  // Walk back over at most 3 continuation bytes to the last lead byte and check whether
  // its sequence is complete.
  size_t n = s.size();
  size_t i = n;
  int back = 0;
  while (i > 0 && back < 4) {
    unsigned char c = static_cast<unsigned char>(s[i - 1]);
    if ((c & 0xC0) != 0x80) {
      size_t need = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
      return (n - (i - 1) >= need) ? n : i - 1;
    }
    --i;
    ++back;
  }
  return n;
}

StopMatcher::StopMatcher(std::vector<std::string> stops) {
  for (auto& s : stops) {
    if (!s.empty()) stops_.push_back(std::move(s));
  }
}

std::string StopMatcher::Feed(std::string_view piece) {
  if (stopped_) return {};
  pending_.append(piece);
  // A stop string anywhere in what is pending ends the output before it.
  size_t cut = std::string::npos;
  for (const auto& s : stops_) {
    size_t at = pending_.find(s);
    if (at != std::string::npos) cut = std::min(cut, at);
  }
  if (cut != std::string::npos) {
    stopped_ = true;
    std::string out = pending_.substr(0, cut);
    pending_.clear();
    released_ += out;
    return out;
  }
  // Hold back the longest suffix that is a prefix of some stop string.
  size_t hold = 0;
  for (const auto& s : stops_) {
    size_t max_k = std::min(s.size() - 1, pending_.size());
    for (size_t k = max_k; k > hold; --k) {
      if (pending_.compare(pending_.size() - k, k, s, 0, k) == 0) {
        hold = k;
        break;
      }
    }
  }
  size_t release = CompleteUtf8Prefix(std::string_view(pending_).substr(0, pending_.size() - hold));
  std::string out = pending_.substr(0, release);
  pending_.erase(0, release);
  released_ += out;
  return out;
}

std::string StopMatcher::Flush() {
  if (stopped_) return {};
  std::string out = pending_.substr(0, CompleteUtf8Prefix(pending_));
  pending_.clear();
  released_ += out;
  return out;
}

}  // namespace kolibri::engine
