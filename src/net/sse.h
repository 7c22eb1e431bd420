// Server-sent events (text/event-stream) framing: the writer side used by streamed API
// responses and the reader side used by clients (tests, benchmarks).
//
// Only `data:` fields matter here; `event:`, `id:`, `retry:` and comments are skipped by
// the reader. Values, no threads.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace kolibri::net {

// One event carrying `payload`: "data: <line>\n" per line of the payload, then "\n".
std::string SseEvent(std::string_view payload);

// Splits an event stream into the data of each event, across arbitrary chunk boundaries
// (bytes may arrive one at a time); accepts "\n", "\r\n" and "\r" line ends.
class SseReader {
 public:
  // Feeds received bytes; calls on_event with each complete event's data (several `data:`
  // lines joined by "\n"). Events without data lines are not reported.
  void Feed(std::string_view bytes, const std::function<void(std::string_view data)>& on_event);
  // Bytes of an incomplete line or event still held.
  size_t pending() const { return line_.size() + data_.size(); }

 private:
  void EndLine(const std::function<void(std::string_view)>& on_event);
  std::string line_;
  std::string data_;
  bool has_data_ = false;
  bool last_was_cr_ = false;
};

}  // namespace kolibri::net
