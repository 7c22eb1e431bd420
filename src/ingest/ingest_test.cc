#include "kolibri/ingest.h"

#include <gtest/gtest.h>

#include <map>

#include "ingest/ingest_test_util.h"

namespace kolibri {
namespace {

using testing::TempDir;

Document IngestOne(const std::string& path) {
  Result<std::vector<Document>> docs = IngestFile(path, IngestOptions{});
  EXPECT_TRUE(docs.ok()) << docs.status().ToString();
  if (!docs.ok() || docs->empty()) return {};
  return docs->front();
}

void ExpectChunksMatchText(const Document& doc) {
  ASSERT_FALSE(doc.chunks.empty());
  for (const Chunk& c : doc.chunks) {
    ASSERT_LE(c.end, doc.text.size());
    EXPECT_EQ(c.text, doc.text.substr(c.begin, c.end - c.begin));
  }
}

TEST(IngestTest, PlainTextKeepsTextAndHashesBytes) {
  TempDir dir;
  const std::string path = dir.Write("notes.txt", "Refund policy\n\nRefunds take five days. Ask support.\n");
  const Document doc = IngestOne(path);
  EXPECT_EQ(doc.kind, DocumentKind::kText);
  EXPECT_EQ(doc.title, "Refund policy");
  EXPECT_NE(doc.text.find("Refunds take five days. Ask support."), std::string::npos);
  EXPECT_EQ(doc.content_hash, Sha256Hex("Refund policy\n\nRefunds take five days. Ask support.\n"));
  EXPECT_EQ(doc.source_path, path);
  EXPECT_FALSE(doc.date.empty());
  ExpectChunksMatchText(doc);
}

TEST(IngestTest, MarkdownHeadingsBecomeHeadingPaths) {
  TempDir dir;
  const Document doc = IngestOne(dir.Write("guide.md",
      "# Guide\n\nIntro text here.\n\n## Install\n\nRun the installer. Then reboot.\n\n"
      "```\ncode  block\n```\n\nSetup\n-----\n\nMore words.\n"));
  EXPECT_EQ(doc.kind, DocumentKind::kMarkdown);
  EXPECT_EQ(doc.title, "Guide");
  ASSERT_EQ(doc.headings.size(), 3u);
  EXPECT_EQ(doc.text.substr(doc.headings[1].begin, doc.headings[1].end - doc.headings[1].begin), "Install");
  EXPECT_EQ(doc.headings[2].level, 2);
  EXPECT_EQ(doc.text.find("##"), std::string::npos);
  EXPECT_NE(doc.text.find("code  block"), std::string::npos);
  ExpectChunksMatchText(doc);
  EXPECT_EQ(doc.chunks.front().heading_path, "Guide");
}

TEST(IngestTest, HtmlDropsChromeAndKeepsMainText) {
  TempDir dir;
  const Document doc = IngestOne(dir.Write("page.html",
      "<!doctype html><html><head><title>Shipping &amp; returns</title><style>p{}</style>"
      "<script>var x = 'script text';</script></head><body>"
      "<header>Site header</header><nav><a href=/>Home</a> | <a>Menu item</a></nav>"
      "<div role=navigation>Breadcrumbs</div>"
      "<main><h1>Returns</h1><p>Items can be returned within <b>30 days</b>.</p>"
      "<ul><li>Keep the receipt</li><li>Use the label</li></ul><aside>Related links</aside></main>"
      "<footer>Copyright footer</footer></body></html>"));
  EXPECT_EQ(doc.kind, DocumentKind::kHtml);
  EXPECT_EQ(doc.title, "Shipping & returns");
  EXPECT_NE(doc.text.find("Items can be returned within 30 days."), std::string::npos) << doc.text;
  EXPECT_NE(doc.text.find("Keep the receipt\nUse the label"), std::string::npos) << doc.text;
  for (const char* chrome : {"Site header", "Menu item", "Breadcrumbs", "Related links",
                             "Copyright footer", "script text", "p{}"}) {
    EXPECT_EQ(doc.text.find(chrome), std::string::npos) << chrome;
  }
  ASSERT_EQ(doc.headings.size(), 1u);
  ExpectChunksMatchText(doc);
}

TEST(IngestTest, PdfTextLayerAndTitle) {
  TempDir dir;
  const Document doc = IngestOne(dir.Write("manual.pdf",
      testing::MakePdf("BT /F1 12 Tf 72 720 Td (The warranty lasts two years.) Tj ET", "Warranty")));
  EXPECT_EQ(doc.kind, DocumentKind::kPdf);
  EXPECT_EQ(doc.title, "Warranty");
  EXPECT_NE(doc.text.find("The warranty lasts two years."), std::string::npos) << doc.text;
}

TEST(IngestTest, EmailMultipartWithQuotedPrintableHtmlAndAttachment) {
  TempDir dir;
  const Document doc = IngestOne(dir.Write("mail.eml",
      "From: Anna <anna@example.com>\r\nTo: support@example.com\r\nSubject: =?UTF-8?Q?Bestellung_f=C3=BCr?= 42\r\n"
      "Date: Mon, 2 Mar 2026 10:00:00 +0100\r\nMessage-ID: <1@example.com>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
      "--XX\r\nContent-Type: multipart/alternative; boundary=YY\r\n\r\n"
      "--YY\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
      "<p>HTML version</p>\r\n"
      "--YY\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
      "Gr=FC=DFe, my order 42 has not arrived.\r\n"
      "--YY--\r\n"
      "--XX\r\nContent-Type: application/pdf; name=invoice.pdf\r\nContent-Disposition: attachment; filename=invoice.pdf\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--XX--\r\n"));
  EXPECT_EQ(doc.kind, DocumentKind::kEmail);
  EXPECT_EQ(doc.title, "Bestellung für 42");
  EXPECT_NE(doc.text.find("Grüße, my order 42 has not arrived."), std::string::npos) << doc.text;
  EXPECT_EQ(doc.text.find("HTML version"), std::string::npos);
  EXPECT_NE(doc.text.find("From: Anna <anna@example.com>"), std::string::npos) << doc.text;
  ASSERT_EQ(doc.attachments.size(), 1u);
  EXPECT_EQ(doc.attachments[0], "invoice.pdf");
  EXPECT_NE(doc.text.find("Attachments: invoice.pdf"), std::string::npos);
  EXPECT_EQ(doc.date.substr(0, 10), "2026-03-02");
}

TEST(IngestTest, MboxGivesOneDocumentPerMessage) {
  TempDir dir;
  const std::string path = dir.Write("archive.mbox",
      "From alice@example.com Mon Mar  2 10:00:00 2026\nFrom: alice@example.com\nSubject: First\n\nBody one.\n\n"
      "From bob@example.com Mon Mar  2 11:00:00 2026\nFrom: bob@example.com\nSubject: Second\n\n"
      "Body two with base64 below.\n");
  Result<std::vector<Document>> docs = IngestFile(path, IngestOptions{});
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[0].id, path + "#1");
  EXPECT_EQ((*docs)[1].title, "Second");
  EXPECT_EQ((*docs)[1].source_path, path);
}

TEST(IngestTest, EmailBytesParseLikeAnEmlFile) {
  const std::string raw =
      "From: Ada <ada@example.com>\r\nSubject: =?utf-8?q?R=C3=BCckfrage?=\r\nMessage-ID: <m1@example.com>\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\nWo bleibt mein Paket?\r\n";
  Result<std::vector<Document>> docs = IngestEmailBytes("imap://ada@host/INBOX;UID=7", raw, IngestOptions{});
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs->size(), 1u);
  const Document& d = docs->front();
  EXPECT_EQ(d.kind, DocumentKind::kEmail);
  EXPECT_EQ(d.id, "imap://ada@host/INBOX;UID=7");
  EXPECT_EQ(d.title, "R\xC3\xBC" "ckfrage");
  EXPECT_EQ(d.message_id, "m1@example.com");
  EXPECT_EQ(d.sender, "Ada <ada@example.com>");
  EXPECT_NE(d.body.find("Wo bleibt mein Paket?"), std::string::npos);
  EXPECT_EQ(d.content_hash, Sha256Hex(raw));
  EXPECT_FALSE(d.date.empty());

  EXPECT_EQ(IngestEmailBytes("x", "", IngestOptions{}).status().code(), ErrorCode::kUnsupported);
  IngestOptions small;
  small.max_file_bytes = 10;
  EXPECT_EQ(IngestEmailBytes("x", raw, small).status().code(), ErrorCode::kOutOfRange);
  EXPECT_FALSE(IngestEmailBytes("x", std::string("\x89PNG\r\n\x1a\n\0\0", 10), IngestOptions{}).ok());
}

TEST(IngestTest, PathsWalkFoldersAndMaildir) {
  TempDir dir;
  dir.Write("docs/a.txt", "Alpha text.");
  dir.Write("docs/sub/b.md", "# Beta\n\nBeta text.");
  dir.Write("docs/.hidden.txt", "hidden");
  dir.Write("mail/cur/1700000000.M1.host:2,S", "From: x@example.com\nSubject: Maildir one\n\nHello.\n");
  dir.Write("mail/new/1700000001.M2.host", "From: y@example.com\nSubject: Maildir two\n\nHi.\n");
  dir.Write("mail/tmp/partial", "From: z@example.com\nSubject: partial\n\n");
  std::map<std::string, std::string> stored;
  IngestSink sink;
  sink.is_current = [&](const std::string& p, const std::string& h) -> Result<bool> {
    auto it = stored.find(p);
    return it != stored.end() && it->second == h;
  };
  int replaced = 0;
  sink.replace = [&](const std::string& p, const std::string& h, const std::vector<Document>& docs) {
    stored[p] = h;
    replaced += static_cast<int>(docs.size());
    for (const Document& d : docs) {
      if (p.find("/mail/") != std::string::npos) {
        EXPECT_EQ(d.kind, DocumentKind::kEmail) << p;
      }
    }
    return Status::Ok();
  };
  Result<IngestReport> report = IngestPaths({dir.path() + "/docs", dir.path() + "/mail"}, IngestOptions{}, sink);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->added, 4);
  EXPECT_EQ(report->failed, 0);
  EXPECT_EQ(replaced, 4);
  Result<IngestReport> again = IngestPaths({dir.path()}, IngestOptions{}, sink);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 4);
  EXPECT_EQ(again->added, 0);
}

TEST(IngestTest, SinkFailureStopsTheBatch) {
  TempDir dir;
  dir.Write("a.txt", "Alpha.");
  IngestSink sink;
  sink.is_current = [](const std::string&, const std::string&) -> Result<bool> {
    return Status::Unavailable("index is locked");
  };
  sink.replace = [](const std::string&, const std::string&, const std::vector<Document>&) { return Status::Ok(); };
  Result<IngestReport> report = IngestPaths({dir.path()}, IngestOptions{}, sink);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace kolibri
