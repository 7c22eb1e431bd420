#include "kolibri/labelled_data.h"

#include <gtest/gtest.h>

#include <set>

namespace kolibri {
namespace {

TEST(LabelledDataTest, CsvQuotingCommasQuotesNewlinesAndCrlf) {
  const std::string csv =
      "id,text,label\r\n"
      "1,\"hello, world\",greet\r\n"
      "2,\"she said \"\"hi\"\"\",quote\r\n"
      "3,\"two\nlines\",multi\n"
      "4,plain,\"x\"\n";
  auto data = ParseLabelledData(csv, "t.csv");
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  ASSERT_EQ(data->size(), 4u);
  EXPECT_EQ((*data)[0].text, "hello, world");
  EXPECT_EQ((*data)[0].label, "greet");
  EXPECT_EQ((*data)[1].text, "she said \"hi\"");
  EXPECT_EQ((*data)[2].text, "two\nlines");
  EXPECT_EQ((*data)[3].label, "x");
}

TEST(LabelledDataTest, CsvColumnsByNameBomAndBlankLines) {
  auto data =
      ParseLabelledData("\xEF\xBB\xBFtext,category\nI lost my card,lost_card\n\n\nhi,greet\n",
                        "b.csv", {.text_column = "text", .label_column = "category"});
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  ASSERT_EQ(data->size(), 2u);
  EXPECT_EQ((*data)[1].label, "greet");
}

TEST(LabelledDataTest, CsvErrorsNameTheProblemAndLine) {
  auto missing = ParseLabelledData("text,category\na,b\n", "m.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("no column 'label'"), std::string::npos);
  EXPECT_NE(missing.status().message().find("text, category"), std::string::npos);

  auto fields = ParseLabelledData("text,label\na,b\nc,d,e\n", "f.csv");
  ASSERT_FALSE(fields.ok());
  EXPECT_NE(fields.status().message().find("f.csv:3"), std::string::npos)
      << fields.status().message();

  auto open_quote = ParseLabelledData("text,label\n\"never closed,x\n", "q.csv");
  ASSERT_FALSE(open_quote.ok());
  EXPECT_NE(open_quote.status().message().find("not closed"), std::string::npos);

  auto stray = ParseLabelledData("text,label\nab\"c,x\n", "s.csv");
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.status().message().find("quote inside"), std::string::npos);

  auto empty_label = ParseLabelledData("text,label\nhello,\n", "e.csv");
  ASSERT_FALSE(empty_label.ok());
  EXPECT_NE(empty_label.status().message().find("empty label"), std::string::npos);
}

TEST(LabelledDataTest, EmptyFileAndHeaderOnly) {
  auto empty = ParseLabelledData(" \n\n", "empty.csv");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty"), std::string::npos);
  auto header = ParseLabelledData("text,label\n", "h.csv");
  ASSERT_FALSE(header.ok());
  EXPECT_NE(header.status().message().find("no examples"), std::string::npos);
}

TEST(LabelledDataTest, MissingFileIsNotFound) {
  auto r = ReadLabelledData("/nonexistent/dir/data.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotFound);
}

TEST(LabelledDataTest, JsonlObjectsAndPairs) {
  auto data = ParseLabelledData(
      "{\"text\": \"a\", \"label\": \"x\", \"extra\": 1}\n\n[\"b\", \"y\"]\n{\"t\": \"c\", \"l\": "
      "\"z\"}\n",
      "d.jsonl", {.text_column = "t", .label_column = "l"});
  // The first line lacks "t": the error names the line and the option.
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.status().message().find("d.jsonl:1"), std::string::npos);
  EXPECT_NE(data.status().message().find("--text-column"), std::string::npos);

  auto ok = ParseLabelledData("{\"text\": \"a\", \"label\": \"x\"}\n[\"b\", \"y\"]\n", "d.jsonl");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[1].text, "b");
  EXPECT_EQ((*ok)[1].label, "y");
}

TEST(LabelledDataTest, JsonlMalformedLines) {
  auto broken = ParseLabelledData("{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \n", "b.jsonl");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("b.jsonl:2"), std::string::npos);
  auto triple = ParseLabelledData("[\"a\", \"b\", \"c\"]\n", "t.jsonl");
  ASSERT_FALSE(triple.ok());
  EXPECT_NE(triple.status().message().find("[text, label]"), std::string::npos);
}

TEST(LabelledDataTest, JsonlRoundTrip) {
  const std::vector<LabelledText> in = {{"line \"one\"\nwith break", "a"}, {"zwei, drei", "b"}};
  auto out = ParseLabelledData(FormatLabelledJsonl(in), "rt.jsonl");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].text, in[0].text);
  EXPECT_EQ((*out)[1].label, "b");
}

TEST(LabelledDataTest, StratifiedSplitIsSeededAndKeepsEveryLabel) {
  std::vector<LabelledText> data;
  for (int i = 0; i < 50; ++i) data.push_back({"a" + std::to_string(i), "a"});
  for (int i = 0; i < 10; ++i) data.push_back({"b" + std::to_string(i), "b"});
  data.push_back({"only", "c"});
  const LabelledSplit s1 = StratifiedSplit(data, 0.2, 7);
  const LabelledSplit s2 = StratifiedSplit(data, 0.2, 7);
  const LabelledSplit s3 = StratifiedSplit(data, 0.2, 8);
  EXPECT_EQ(s1, s2);
  EXPECT_NE(s1, s3);
  EXPECT_EQ(s1.second.size(), 10u + 2u);  // 20 % of 50 and of 10; none of the singleton
  EXPECT_EQ(s1.first.size() + s1.second.size(), data.size());
  std::set<size_t> all(s1.first.begin(), s1.first.end());
  all.insert(s1.second.begin(), s1.second.end());
  EXPECT_EQ(all.size(), data.size());
  EXPECT_EQ(data[s1.first.back()].label, "c");
}

}  // namespace
}  // namespace kolibri
