// E-mail through GMime 3: the parser copes with broken MIME (missing boundaries, bad
// encodings) as well as any; charsets are converted here rather than by GMime so that a
// part whose bytes contradict its declared charset (Latin-1 labelled UTF-8) still reads.
#include <gmime/gmime.h>

#include <mutex>
#include <string>
#include <vector>

#include "ingest/extracted_text.h"
#include "ingest/text_builder.h"

namespace kolibri::ingest {
namespace {

void InitGMime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

struct Body {
  std::vector<std::string> texts;
  std::vector<std::string> attachments;
};

std::string DecodedBytes(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  GMimeStream* mem = g_mime_stream_mem_new();
  g_mime_data_wrapper_write_to_stream(content, mem);
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
  std::string out(reinterpret_cast<const char*>(bytes->data), bytes->len);
  g_object_unref(mem);
  return out;
}

std::string PartText(GMimePart* part) {
  GMimeObject* obj = GMIME_OBJECT(part);
  const char* charset = g_mime_object_get_content_type_parameter(obj, "charset");
  const std::string utf8 = ToUtf8(DecodedBytes(part), charset != nullptr ? charset : "");
  GMimeContentType* type = g_mime_object_get_content_type(obj);
  if (g_mime_content_type_is_type(type, "text", "html")) return HtmlToText(utf8).text;
  return PlainToText(utf8).text;
}

void CollectBody(GMimeObject* obj, Body* body, int depth);

void CollectMessage(GMimeMessage* message, Body* body, int depth);

void CollectBody(GMimeObject* obj, Body* body, int depth) {
  if (obj == nullptr || depth > 20) return;
  if (GMIME_IS_MESSAGE_PART(obj)) {
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
    if (inner != nullptr) CollectMessage(inner, body, depth + 1);
    return;
  }
  if (GMIME_IS_MULTIPART(obj)) {
    GMimeMultipart* multi = GMIME_MULTIPART(obj);
    const int count = g_mime_multipart_get_count(multi);
    GMimeContentType* type = g_mime_object_get_content_type(obj);
    if (g_mime_content_type_is_type(type, "multipart", "alternative")) {
      // One rendering of the same content: plain text if there is one, else the last (richest).
      GMimeObject* chosen = nullptr;
      for (int i = 0; i < count; ++i) {
        GMimeObject* p = g_mime_multipart_get_part(multi, i);
        if (g_mime_content_type_is_type(g_mime_object_get_content_type(p), "text", "plain")) {
          chosen = p;
          break;
        }
        chosen = p;
      }
      CollectBody(chosen, body, depth + 1);
      return;
    }
    for (int i = 0; i < count; ++i) CollectBody(g_mime_multipart_get_part(multi, i), body, depth + 1);
    return;
  }
  if (!GMIME_IS_PART(obj)) return;
  GMimePart* part = GMIME_PART(obj);
  const char* filename = g_mime_part_get_filename(part);
  const char* disposition = g_mime_object_get_disposition(obj);
  const bool attachment = (disposition != nullptr && g_ascii_strcasecmp(disposition, "attachment") == 0) ||
                          filename != nullptr;
  GMimeContentType* type = g_mime_object_get_content_type(obj);
  const bool texty = g_mime_content_type_is_type(type, "text", "plain") ||
                     g_mime_content_type_is_type(type, "text", "html");
  if (attachment) {
    body->attachments.push_back(filename != nullptr ? ToUtf8(filename) : "(unnamed attachment)");
    return;
  }
  if (texty) body->texts.push_back(PartText(part));
}

void CollectMessage(GMimeMessage* message, Body* body, int depth) {
  CollectBody(g_mime_message_get_mime_part(message), body, depth);
}

std::string AddressList(InternetAddressList* list) {
  if (list == nullptr || internet_address_list_length(list) == 0) return {};
  char* s = internet_address_list_to_string(list, nullptr, FALSE);
  std::string out = s != nullptr ? ToUtf8(s) : "";
  g_free(s);
  return out;
}

Result<ExtractedText> MessageToText(GMimeMessage* message) {
  GMimeObject* obj = GMIME_OBJECT(message);
  const char* subject = g_mime_message_get_subject(message);
  const std::string from = AddressList(g_mime_message_get_from(message));
  const std::string to = AddressList(g_mime_message_get_to(message));
  const char* date_header = g_mime_object_get_header(obj, "Date");
  const char* message_id = g_mime_message_get_message_id(message);
  if (subject == nullptr && from.empty() && to.empty() && date_header == nullptr &&
      message_id == nullptr) {
    return Status::Corrupt("no e-mail headers found (From, To, Subject, Date, Message-ID)");
  }
  ExtractedText result;
  result.title = subject != nullptr ? ToUtf8(subject) : "";
  if (GDateTime* date = g_mime_message_get_date(message)) {
    gchar* iso = g_date_time_format_iso8601(date);
    result.date = iso != nullptr ? iso : "";
    g_free(iso);
  } else if (date_header != nullptr) {
    result.date = ToUtf8(date_header);
  }
  Body body;
  CollectMessage(message, &body, 0);
  if (message_id != nullptr) result.message_id = ToUtf8(message_id);
  result.sender = from;
  TextBuilder body_only;  // the body alone: what the message's author wrote
  TextBuilder b;
  if (!result.title.empty()) b.AppendHeading(result.title, 1);
  if (!from.empty()) { b.LineBreak(); b.AppendInline("From: " + from); }
  if (!to.empty()) { b.LineBreak(); b.AppendInline("To: " + to); }
  if (!result.date.empty()) { b.LineBreak(); b.AppendInline("Date: " + result.date); }
  for (const std::string& text : body.texts) {
    for (TextBuilder* out : {&b, &body_only}) {
      out->ParagraphBreak();
      size_t start = 0;
      while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        std::string_view line(text.data() + start, nl - start);
        if (line.empty()) out->ParagraphBreak();
        else { out->LineBreak(); out->AppendInline(line); }
        start = nl + 1;
      }
    }
  }
  result.body = body_only.TakeText();
  if (!body.attachments.empty()) {
    std::string names = "Attachments:";
    for (size_t i = 0; i < body.attachments.size(); ++i) {
      names += (i == 0 ? " " : ", ") + body.attachments[i];
    }
    b.ParagraphBreak();
    b.AppendInline(names);
  }
  result.text = b.TakeText();
  result.headings = b.TakeHeadings();
  result.attachments = std::move(body.attachments);
  return result;
}

// Parses messages from `bytes` in `format`; stops after one unless it is an mbox.
Result<std::vector<ExtractedText>> Parse(std::string_view bytes, GMimeFormat format) {
  InitGMime();
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  g_mime_parser_set_format(parser, format);
  std::vector<ExtractedText> texts;
  Status first_error;
  while (!g_mime_parser_eos(parser)) {
    GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
    if (message == nullptr) break;
    Result<ExtractedText> text = MessageToText(message);
    g_object_unref(message);
    if (text.ok()) texts.push_back(std::move(text).value());
    else if (first_error.ok()) first_error = text.status();
    if (format != GMIME_FORMAT_MBOX) break;
  }
  g_object_unref(parser);
  g_object_unref(stream);
  if (texts.empty()) {
    if (!first_error.ok()) return first_error;
    return Status::Corrupt(format == GMIME_FORMAT_MBOX ? "no messages found in mbox"
                                                       : "not a parseable e-mail message");
  }
  return texts;
}

}  // namespace

Result<ExtractedText> EmailToText(std::string_view bytes) {
  KOLIBRI_ASSIGN_OR_RETURN(std::vector<ExtractedText> texts, Parse(bytes, GMIME_FORMAT_MESSAGE));
  return std::move(texts.front());
}

Result<std::vector<ExtractedText>> MboxToTexts(std::string_view bytes) {
  return Parse(bytes, GMIME_FORMAT_MBOX);
}

}  // namespace kolibri::ingest
