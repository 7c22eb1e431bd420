// Bad input: each problem is reported for its file with a reason, and the batch goes on.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "ingest/ingest_test_util.h"
#include "kolibri/ingest.h"

namespace kolibri {
namespace {

using testing::TempDir;

struct Collected {
  std::map<std::string, std::vector<Document>> stored;
  IngestSink Sink() {
    IngestSink sink;
    sink.is_current = [](const std::string&, const std::string&) -> Result<bool> { return false; };
    sink.replace = [this](const std::string& p, const std::string&, const std::vector<Document>& d) {
      stored[p] = d;
      return Status::Ok();
    };
    return sink;
  }
};

TEST(IngestBadInputTest, EachBadFileIsReportedAndTheBatchGoesOn) {
  TempDir dir;
  const std::string good = dir.Write("good.txt", "A good file.");
  const std::string binary = dir.Write("image.txt", std::string("abc\0\x01\x02", 6));
  const std::string png = dir.Write("photo", "\x89PNG\r\n\x1a\nrest");
  const std::string empty = dir.Write("empty.md", "");
  const std::string scanned = dir.Write("scan.pdf", testing::MakePdf("0 0 1 rg 10 10 100 100 re f"));
  const std::string broken_pdf = dir.Write("broken.pdf", "%PDF-1.4\n1 0 obj << garbage");
  const std::string fake_pdf = dir.Write("fake.pdf", "just text");
  const std::string no_headers = dir.Write("junk.eml", "this is not\na mail at all\n");
  const std::string unreadable = dir.Write("secret.txt", "secret");
  ::chmod(unreadable.c_str(), 0);
  const bool root = ::geteuid() == 0;  // root reads mode-0 files anyway
  Collected c;
  Result<IngestReport> report =
      IngestPaths({dir.path(), dir.path() + "/missing.txt"}, IngestOptions{}, c.Sink());
  ASSERT_TRUE(report.ok());
  std::map<std::string, Status> failed;
  for (const FileOutcome& f : report->files) {
    if (f.action == FileAction::kFailed) failed[f.path] = f.status;
  }
  EXPECT_TRUE(c.stored.count(good));
  EXPECT_NE(failed[binary].message().find("binary file (NUL byte"), std::string::npos);
  EXPECT_NE(failed[png].message().find("PNG image"), std::string::npos);
  EXPECT_NE(failed[empty].message().find("empty file"), std::string::npos);
  EXPECT_NE(failed[scanned].message().find("no text layer"), std::string::npos) << failed[scanned].message();
  EXPECT_EQ(failed[scanned].code(), ErrorCode::kUnsupported);
  EXPECT_EQ(failed[broken_pdf].code(), ErrorCode::kCorrupt) << failed[broken_pdf].ToString();
  EXPECT_NE(failed[fake_pdf].message().find("%PDF-"), std::string::npos);
  EXPECT_EQ(failed[no_headers].code(), ErrorCode::kCorrupt) << failed[no_headers].ToString();
  EXPECT_EQ(failed[dir.path() + "/missing.txt"].code(), ErrorCode::kNotFound);
  if (!root) {
    EXPECT_EQ(failed[unreadable].code(), ErrorCode::kPermissionDenied) << failed[unreadable].ToString();
  }
  EXPECT_EQ(report->added, root ? 2 : 1);
}

TEST(IngestBadInputTest, FilesAboveTheLimitAreReportedWithoutReading) {
  TempDir dir;
  // A sparse 200 MB file: created instantly, never read because it is over the limit.
  const std::string big = dir.path() + "/big.txt";
  {
    std::ofstream out(big, std::ios::binary);
  }
  ASSERT_EQ(::truncate(big.c_str(), 200ll << 20), 0);
  dir.Write("small.txt", "Small file.");
  Collected c;
  Result<IngestReport> report = IngestPaths({dir.path()}, IngestOptions{}, c.Sink());
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->failed, 1);
  const FileOutcome& f = report->files.front();
  EXPECT_EQ(f.path, big);
  EXPECT_EQ(f.status.code(), ErrorCode::kOutOfRange);
  EXPECT_NE(f.status.message().find("200.0 MiB, above the size limit of 50.0 MiB"), std::string::npos)
      << f.status.message();
  EXPECT_EQ(report->added, 1);
  IngestOptions small;
  small.max_file_bytes = 4;
  Result<IngestReport> limited = IngestPaths({dir.path() + "/small.txt"}, small, c.Sink());
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->failed, 1);
}

TEST(IngestBadInputTest, WrongCharsetsAreRepaired) {
  TempDir dir;
  // Latin-1 bytes in a part declared UTF-8, and in a plain text file.
  const std::string mail = dir.Write("latin.eml",
      "From: a@example.com\nSubject: Caf\xE9\nContent-Type: text/plain; charset=utf-8\n"
      "Content-Transfer-Encoding: 8bit\n\nCaf\xE9 cr\xE8me \x80 5\n");
  const std::string text = dir.Write("latin.txt", "na\xEFve r\xE9sum\xE9\n");
  const std::string bogus = dir.Write("bogus.eml",
      "From: a@example.com\nSubject: x\nContent-Type: text/plain; charset=x-no-such-charset\n\nplain words\n");
  Result<std::vector<Document>> m = IngestFile(mail, IngestOptions{});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_NE(m->front().text.find("Café crème € 5"), std::string::npos) << m->front().text;
  Result<std::vector<Document>> t = IngestFile(text, IngestOptions{});
  ASSERT_TRUE(t.ok());
  EXPECT_NE(t->front().text.find("naïve résumé"), std::string::npos);
  Result<std::vector<Document>> b = IngestFile(bogus, IngestOptions{});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_NE(b->front().text.find("plain words"), std::string::npos);
}

TEST(IngestBadInputTest, BrokenMimeStillYieldsTheReadableParts) {
  TempDir dir;
  // Boundary never closed, invalid base64 in one part, a part with no headers at all.
  const std::string mail = dir.Write("broken.eml",
      "From: a@example.com\nSubject: Broken\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
      "--B\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not base64***\n"
      "--B\nContent-Type: text/plain\n\nThe readable part survives.\n--B\n\nheaderless part text\n");
  Result<std::vector<Document>> docs = IngestFile(mail, IngestOptions{});
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  EXPECT_NE(docs->front().text.find("The readable part survives."), std::string::npos) << docs->front().text;
}

}  // namespace
}  // namespace kolibri
