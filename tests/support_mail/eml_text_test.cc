#include "support_mail/eml_text.h"

#include <gtest/gtest.h>

namespace kolibri::testing {
namespace {

TEST(EmlTextTest, QuotedPrintableJoinsSoftBreaksAndDecodesEscapes) {
  auto text = DecodeQuotedPrintable("Gr=C3=BC=C3=9Fe aus K=\r\nassel=\r\n\r\nzweite Zeile");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "Grüße aus Kassel\nzweite Zeile");
  EXPECT_FALSE(DecodeQuotedPrintable("kaputt =ZZ").ok());
}

TEST(EmlTextTest, Base64DecodesAcrossLinesAndRejectsForeignCharacters) {
  auto text = DecodeBase64("SGFsbG8g\r\nV2VsdA==");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "Hallo Welt");
  EXPECT_FALSE(DecodeBase64("SGFs***").ok());
}

TEST(EmlTextTest, CharsetsBecomeUtf8) {
  EXPECT_EQ(*ToUtf8("Gr\xfc\xdf"
                    "e",
                    "ISO-8859-1"),
            "Grüße");
  EXPECT_EQ(*ToUtf8("129,00 \x80", "windows-1252"), "129,00 €");
  EXPECT_FALSE(ToUtf8("Gr\xfc\xdf"
                      "e",
                      "utf-8")
                   .ok());
  EXPECT_FALSE(ToUtf8("Gr\xfc"
                      "e",
                      "us-ascii")
                   .ok());
  EXPECT_EQ(ToUtf8("x", "x-klingon").status().code(), ErrorCode::kUnsupported);
}

TEST(EmlTextTest, EncodedWordsDecodeAndAdjacentWordsJoin) {
  EXPECT_EQ(*DecodeHeaderWords("=?utf-8?Q?R=C3=BCcksendung_Toaster?="), "Rücksendung Toaster");
  EXPECT_EQ(*DecodeHeaderWords("=?utf-8?B?R2Fy?=\r\n =?utf-8?B?YW50aWU=?= ok"), "Garantie ok");
  EXPECT_EQ(*DecodeHeaderWords("=?iso-8859-1?Q?B=FCgeleisen?= tropft"), "Bügeleisen tropft");
  EXPECT_FALSE(DecodeHeaderWords("=?utf-8?Q?offen").ok());
}

TEST(EmlTextTest, HtmlLosesTagsCommentsAndHeadButKeepsText) {
  EXPECT_EQ(HtmlToText("<html><head><title>x</title></head><body><!-- hidden -->"
                       "<p>Gr&uuml;&szlig;e &amp; Dank&#33;</p></body></html>"),
            "\nGrüße & Dank!\n");
}

TEST(EmlTextTest, MultipartAlternativePrefersPlainTextAndSkipsAttachments) {
  const std::string raw =
      "From: a <a@example.de>\r\nMessage-ID: <x@example.de>\r\n"
      "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
      "preamble\r\n--m\r\nContent-Type: multipart/alternative;\r\n boundary=\"alt\"\r\n\r\n"
      "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain NL-24031877\r\n"
      "--alt\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--alt--\r\n"
      "--m\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\n"
      "attached\r\n--m--\r\n";
  auto mail = ParseEml(raw);
  ASSERT_TRUE(mail.ok()) << mail.status().ToString();
  EXPECT_EQ(mail->Header("message-id"), "<x@example.de>");
  EXPECT_NE(mail->body_text.find("plain NL-24031877"), std::string::npos);
  EXPECT_EQ(mail->body_text.find("html"), std::string::npos);
  EXPECT_EQ(mail->body_text.find("attached"), std::string::npos);
}

TEST(EmlTextTest, MultipartWithoutItsBoundaryIsCorrupt) {
  auto mail = ParseEml("Content-Type: multipart/mixed; boundary=\"a\"\n\n--b\n\ntext\n--b--\n");
  EXPECT_EQ(mail.status().code(), ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace kolibri::testing
