#include "kolibri/chunker.h"

#include <gtest/gtest.h>

#include <string>

namespace kolibri {
namespace {

Document MakeDoc(const std::string& text, std::vector<Heading> headings = {}) {
  Document d;
  d.id = "/docs/a.txt";
  d.text = text;
  d.headings = std::move(headings);
  return d;
}

std::string Sentences(int n, const std::string& word) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s += "This " + word + " sentence number " + std::to_string(i) + " has eight words.";
    s += i + 1 < n ? " " : "";
  }
  return s;
}

TEST(ChunkerTest, ChunksEndAtSentencesAndCoverTheText) {
  const Document doc = MakeDoc(Sentences(100, "plain"));
  ChunkOptions options;
  options.target_words = 50;
  options.max_words = 80;
  const std::vector<Chunk> chunks = ChunkDocument(doc, options);
  ASSERT_GT(chunks.size(), 10u);
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& c = chunks[i];
    EXPECT_EQ(c.ordinal, static_cast<int>(i));
    EXPECT_EQ(c.text, doc.text.substr(c.begin, c.end - c.begin));
    EXPECT_EQ(c.text.back(), '.') << c.text;
    EXPECT_TRUE(c.text.starts_with("This ")) << c.text;
    if (i > 0) {
      EXPECT_GT(c.begin, chunks[i - 1].end - 1);
    }
  }
  EXPECT_EQ(chunks.front().begin, 0u);
  EXPECT_EQ(chunks.back().end, doc.text.size());
}

TEST(ChunkerTest, IdsAreStableAndDependOnContent) {
  const Document doc = MakeDoc(Sentences(60, "plain"));
  const std::vector<Chunk> a = ChunkDocument(doc);
  const std::vector<Chunk> b = ChunkDocument(doc);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].id, b[i].id);
  Document other = doc;
  other.text[5] = 'X';
  EXPECT_NE(ChunkDocument(other).front().id, a.front().id);
  Document renamed = doc;
  renamed.id = "/docs/b.txt";
  EXPECT_NE(ChunkDocument(renamed).front().id, a.front().id);
  EXPECT_EQ(a.front().id.size(), 24u);
}

TEST(ChunkerTest, HeadingsStartChunksAndCarryTheirPath) {
  std::string text = "Manual\n\n" + Sentences(10, "intro") + "\n\nInstall\n\n" + Sentences(10, "install") +
                     "\n\nLinux\n\n" + Sentences(3, "linux");
  auto span = [&](const std::string& h, int level) {
    const size_t at = text.find(h + "\n\n");
    return Heading{at, at + h.size(), level};
  };
  const Document doc = MakeDoc(text, {span("Manual", 1), span("Install", 2), span("Linux", 3)});
  ChunkOptions options;
  options.min_words = 20;
  const std::vector<Chunk> chunks = ChunkDocument(doc, options);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_TRUE(chunks[0].text.starts_with("Manual\n\nThis intro"));
  EXPECT_EQ(chunks[0].heading_path, "Manual");
  EXPECT_TRUE(chunks[1].text.starts_with("Install\n\nThis install"));
  EXPECT_EQ(chunks[1].heading_path, "Manual > Install");
  EXPECT_EQ(chunks[2].heading_path, "Manual > Install > Linux");
}

TEST(ChunkerTest, OverlongSentenceIsCutAtWordBoundaries) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "word" + std::to_string(i) + " ";
  const Document doc = MakeDoc(text);
  ChunkOptions options;
  options.max_words = 300;
  const std::vector<Chunk> chunks = ChunkDocument(doc, options);
  ASSERT_EQ(chunks.size(), 4u);
  for (const Chunk& c : chunks) {
    EXPECT_NE(c.text.front(), ' ');
    EXPECT_NE(c.text.back(), ' ');
  }
  EXPECT_TRUE(chunks[1].text.starts_with("word300 "));
}

TEST(ChunkerTest, AbbreviationsDoNotEndSentences) {
  const Document doc = MakeDoc("Use a tool, e.g. a hammer. Ask J. Smith first. Done!");
  ChunkOptions options;
  options.target_words = 1;
  options.max_words = 50;
  const std::vector<Chunk> chunks = ChunkDocument(doc, options);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].text, "Use a tool, e.g. a hammer.");
  EXPECT_EQ(chunks[1].text, "Ask J. Smith first.");
}

TEST(ChunkerTest, EmptyTextHasNoChunks) {
  EXPECT_TRUE(ChunkDocument(MakeDoc("")).empty());
  EXPECT_TRUE(ChunkDocument(MakeDoc("  \n\n ")).empty());
}

}  // namespace
}  // namespace kolibri
