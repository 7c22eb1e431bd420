#include "net/sse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kolibri::net {
namespace {

std::vector<std::string> ReadAll(const std::vector<std::string>& chunks) {
  SseReader reader;
  std::vector<std::string> events;
  for (const auto& c : chunks) {
    reader.Feed(c, [&](std::string_view data) { events.emplace_back(data); });
  }
  return events;
}

TEST(SseTest, EventFraming) {
  EXPECT_EQ(SseEvent("{\"a\":1}"), "data: {\"a\":1}\n\n");
  EXPECT_EQ(SseEvent("[DONE]"), "data: [DONE]\n\n");
  EXPECT_EQ(SseEvent("x\ny"), "data: x\ndata: y\n\n");
  EXPECT_EQ(SseEvent(""), "data: \n\n");
}

TEST(SseTest, ReaderRoundTripsWriter) {
  std::string stream = SseEvent("{\"a\":1}") + SseEvent("two\nlines") + SseEvent("[DONE]");
  EXPECT_EQ(ReadAll({stream}), (std::vector<std::string>{"{\"a\":1}", "two\nlines", "[DONE]"}));
}

TEST(SseTest, ReaderHandlesBytewiseChunksAndCrLf) {
  std::string stream = ": comment\r\nevent: x\r\ndata: hello\r\n\r\ndata:no-space\r\r";
  std::vector<std::string> chunks;
  for (char c : stream) chunks.emplace_back(1, c);
  EXPECT_EQ(ReadAll(chunks), (std::vector<std::string>{"hello", "no-space"}));
}

TEST(SseTest, IncompleteEventIsHeld) {
  SseReader reader;
  int events = 0;
  reader.Feed("data: partial", [&](std::string_view) { ++events; });
  EXPECT_EQ(events, 0);
  EXPECT_GT(reader.pending(), 0u);
  reader.Feed("\n\n", [&](std::string_view d) {
    ++events;
    EXPECT_EQ(d, "partial");
  });
  EXPECT_EQ(events, 1);
}

TEST(SseTest, EventsWithoutDataAreSkipped) {
  EXPECT_TRUE(ReadAll({"event: ping\n\n: keep-alive\n\n"}).empty());
}

}  // namespace
}  // namespace kolibri::net
