#include "support_mail/eml_text.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <map>

namespace kolibri::testing {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct Line {
  std::string_view text;  // without its CR/LF end
  size_t next;            // offset of the following line
};

std::vector<Line> Lines(std::string_view text) {
  std::vector<Line> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({line, std::min(end + 1, text.size())});
    start = end + 1;
  }
  return lines;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t length = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xe  ? 3
                          : (c >> 3) == 0x1e ? 4
                                             : 0;
    if (length == 0 || i + length > s.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

// Value of parameter `name` in a structured header ("text/plain; charset=utf-8").
std::string Param(std::string_view value, std::string_view name) {
  const std::string lower = Lower(value);
  const std::string key = Lower(name) + "=";
  size_t pos = 0;
  while ((pos = lower.find(key, pos)) != std::string::npos) {
    if (pos > 0 && lower[pos - 1] != ';' &&
        !std::isspace(static_cast<unsigned char>(lower[pos - 1]))) {
      pos += key.size();
      continue;
    }
    std::string_view rest = value.substr(pos + key.size());
    if (!rest.empty() && rest.front() == '"') {
      return std::string(rest.substr(1, rest.find('"', 1) - 1));
    }
    return std::string(Trim(rest.substr(0, rest.find(';'))));
  }
  return "";
}

struct Entity {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (Lower(k) == Lower(name)) return v;
    }
    return "";
  }
};

Result<Entity> SplitEntity(std::string_view raw) {
  Entity entity;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t end = raw.find('\n', pos);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view line = raw.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (line.empty()) {
      entity.body = pos <= raw.size() ? raw.substr(pos) : std::string_view();
      return entity;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (entity.headers.empty()) return Status::Corrupt("continuation line before any header");
      entity.headers.back().second += " " + std::string(Trim(line));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Status::Corrupt("not a header line: '" + std::string(line.substr(0, 40)) + "'");
    }
    entity.headers.emplace_back(std::string(line.substr(0, colon)),
                                std::string(Trim(line.substr(colon + 1))));
  }
  if (entity.headers.empty()) return Status::Corrupt("no header block");
  entity.body = {};
  return entity;
}

Result<std::string> DecodeBody(const Entity& entity) {
  const std::string cte = Lower(Trim(entity.Header("Content-Transfer-Encoding")));
  if (cte.empty() || cte == "7bit" || cte == "8bit" || cte == "binary")
    return std::string(entity.body);
  if (cte == "quoted-printable") return DecodeQuotedPrintable(entity.body);
  if (cte == "base64") return DecodeBase64(entity.body);
  return Status::Unsupported("transfer encoding '" + cte + "'");
}

Status CollectText(std::string_view raw, std::string& out, int depth);

Status CollectEntity(const Entity& entity, std::string& out, int depth) {
  if (depth > 8) return Status::Unsupported("MIME nesting deeper than 8");
  const std::string type_header = entity.Header("Content-Type");
  std::string type = Lower(Trim(type_header.substr(0, type_header.find(';'))));
  if (type.empty()) type = "text/plain";
  const std::string disposition = Lower(entity.Header("Content-Disposition"));
  const bool attachment = disposition.rfind("attachment", 0) == 0;
  if (type.rfind("multipart/", 0) == 0) {
    const std::string boundary = Param(type_header, "boundary");
    if (boundary.empty()) return Status::Corrupt("multipart without boundary");
    const std::string delimiter = "--" + boundary;
    std::vector<std::string_view> parts;
    bool closed = false;
    size_t part_start = std::string_view::npos;
    for (const Line& line : Lines(entity.body)) {
      if (!line.text.starts_with(delimiter)) continue;
      const auto begin = static_cast<size_t>(line.text.data() - entity.body.data());
      if (part_start != std::string_view::npos) {
        parts.push_back(entity.body.substr(part_start, begin - part_start));
      }
      if (line.text.substr(delimiter.size()).starts_with("--")) {
        closed = true;
        break;
      }
      part_start = line.next;
    }
    if (part_start == std::string_view::npos) {
      return Status::Corrupt("multipart boundary '" + boundary + "' never occurs");
    }
    if (!closed) return Status::Corrupt("multipart '" + boundary + "' is not closed");
    if (type == "multipart/alternative") {
      // Prefer text/plain, as a reader of the mail would.
      for (std::string_view part : parts) {
        KOLIBRI_ASSIGN_OR_RETURN(Entity child, SplitEntity(part));
        if (Lower(child.Header("Content-Type")).rfind("text/plain", 0) == 0) {
          return CollectEntity(child, out, depth + 1);
        }
      }
    }
    for (std::string_view part : parts) KOLIBRI_RETURN_IF_ERROR(CollectText(part, out, depth + 1));
    return Status::Ok();
  }
  if (type == "message/rfc822") {
    KOLIBRI_ASSIGN_OR_RETURN(std::string decoded, DecodeBody(entity));
    return CollectText(decoded, out, depth + 1);
  }
  if (attachment || type.rfind("text/", 0) != 0) return Status::Ok();
  KOLIBRI_ASSIGN_OR_RETURN(std::string bytes, DecodeBody(entity));
  std::string charset = Param(type_header, "charset");
  if (charset.empty()) charset = "us-ascii";
  KOLIBRI_ASSIGN_OR_RETURN(std::string text, ToUtf8(bytes, charset));
  if (type == "text/html") text = HtmlToText(text);
  if (!out.empty()) out += "\n\n";
  out += text;
  return Status::Ok();
}

Status CollectText(std::string_view raw, std::string& out, int depth) {
  KOLIBRI_ASSIGN_OR_RETURN(Entity entity, SplitEntity(raw));
  return CollectEntity(entity, out, depth);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string EmlText::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (Lower(k) == Lower(name)) return v;
  }
  return "";
}

Result<std::string> DecodeQuotedPrintable(std::string_view encoded) {
  std::string out;
  const std::vector<Line> lines = Lines(encoded);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i].text;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    bool soft_break = false;
    for (size_t k = 0; k < line.size(); ++k) {
      if (line[k] != '=') {
        out += line[k];
        continue;
      }
      if (k + 1 == line.size()) {
        soft_break = true;
        break;
      }
      const int hi = k + 2 < line.size() ? HexValue(line[k + 1]) : -1;
      const int lo = k + 2 < line.size() ? HexValue(line[k + 2]) : -1;
      if (hi < 0 || lo < 0)
        return Status::Corrupt("bad quoted-printable escape in '" + std::string(line) + "'");
      out += static_cast<char>(hi * 16 + lo);
      k += 2;
    }
    if (!soft_break && i + 1 < lines.size()) out += '\n';
  }
  return out;
}

Result<std::string> DecodeBase64(std::string_view encoded) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  bool padding = false;
  for (char c : encoded) {
    int value;
    if (c >= 'A' && c <= 'Z')
      value = c - 'A';
    else if (c >= 'a' && c <= 'z')
      value = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      value = c - '0' + 52;
    else if (c == '+')
      value = 62;
    else if (c == '/')
      value = 63;
    else if (c == '=') {
      padding = true;
      continue;
    } else if (c == '\r' || c == '\n' || c == ' ' || c == '\t')
      continue;
    else
      return Status::Corrupt(std::string("character '") + c + "' in base64");
    if (padding) return Status::Corrupt("base64 data after padding");
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

Result<std::string> ToUtf8(std::string_view bytes, std::string_view charset) {
  const std::string cs = Lower(charset);
  if (cs == "utf-8" || cs == "utf8" || cs == "us-ascii") {
    if (!IsValidUtf8(bytes)) return Status::Corrupt("invalid " + cs + " text");
    if (cs == "us-ascii" &&
        std::any_of(bytes.begin(), bytes.end(), [](char c) { return c & 0x80; })) {
      return Status::Corrupt("8-bit bytes in us-ascii text");
    }
    return std::string(bytes);
  }
  if (cs != "iso-8859-1" && cs != "latin1" && cs != "windows-1252") {
    return Status::Unsupported("charset '" + std::string(charset) + "'");
  }
  static const std::map<unsigned char, uint32_t> kCp1252 = {
      {0x80, 0x20ac}, {0x84, 0x201e}, {0x85, 0x2026}, {0x91, 0x2018}, {0x92, 0x2019},
      {0x93, 0x201c}, {0x94, 0x201d}, {0x96, 0x2013}, {0x97, 0x2014}};
  std::string out;
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    const auto mapped = kCp1252.find(b);
    AppendUtf8(out, cs == "windows-1252" && mapped != kCp1252.end() ? mapped->second : b);
  }
  return out;
}

Result<std::string> DecodeHeaderWords(std::string_view value) {
  std::string out;
  size_t pos = 0;
  bool previous_was_word = false;
  while (pos < value.size()) {
    const size_t start = value.find("=?", pos);
    if (start == std::string_view::npos) {
      out += value.substr(pos);
      break;
    }
    const std::string_view between = value.substr(pos, start - pos);
    if (!(previous_was_word && Trim(between).empty())) out += between;  // RFC 2047 6.2
    const size_t q1 = value.find('?', start + 2);
    const size_t q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
    const size_t end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string_view::npos) return Status::Corrupt("unterminated encoded word");
    const std::string charset(value.substr(start + 2, q1 - start - 2));
    const char mode = static_cast<char>(std::toupper(static_cast<unsigned char>(value[q1 + 1])));
    std::string payload(value.substr(q2 + 1, end - q2 - 1));
    Result<std::string> bytes = Status::Unsupported("encoded-word mode");
    if (mode == 'B') {
      bytes = DecodeBase64(payload);
    } else if (mode == 'Q') {
      std::replace(payload.begin(), payload.end(), '_', ' ');
      bytes = DecodeQuotedPrintable(payload);
    }
    if (!bytes.ok()) return bytes.status();
    KOLIBRI_ASSIGN_OR_RETURN(std::string text, ToUtf8(*bytes, charset));
    out += text;
    pos = end + 2;
    previous_was_word = true;
  }
  return out;
}

std::string HtmlToText(std::string_view html) {
  std::string text;
  size_t pos = 0;
  auto skip_to = [&](std::string_view closing) {
    const std::string lower = Lower(html.substr(pos));
    const size_t found = lower.find(closing);
    pos = found == std::string::npos ? html.size() : pos + found + closing.size();
  };
  while (pos < html.size()) {
    if (html.compare(pos, 4, "<!--") == 0) {
      skip_to("-->");
    } else if (html[pos] == '<') {
      const std::string tag = Lower(html.substr(pos, 8));
      if (tag.rfind("<head", 0) == 0)
        skip_to("</head>");
      else if (tag.rfind("<style", 0) == 0)
        skip_to("</style>");
      else if (tag.rfind("<script", 0) == 0)
        skip_to("</script>");
      else {
        if (tag.rfind("<br", 0) == 0 || tag.rfind("<p", 0) == 0 || tag.rfind("</p", 0) == 0 ||
            tag.rfind("<div", 0) == 0 || tag.rfind("</div", 0) == 0) {
          text += '\n';
        }
        skip_to(">");
      }
    } else if (html[pos] == '&') {
      static const std::map<std::string, uint32_t> kEntities = {
          {"amp", '&'},   {"lt", '<'},    {"gt", '>'},    {"quot", '"'},   {"apos", '\''},
          {"nbsp", 0xa0}, {"auml", 0xe4}, {"ouml", 0xf6}, {"uuml", 0xfc},  {"szlig", 0xdf},
          {"Auml", 0xc4}, {"Ouml", 0xd6}, {"Uuml", 0xdc}, {"euro", 0x20ac}};
      const size_t semi = html.find(';', pos);
      const std::string name(semi == std::string_view::npos ? ""
                                                            : html.substr(pos + 1, semi - pos - 1));
      uint32_t cp = 0;
      if (!name.empty() && name[0] == '#') {
        cp = static_cast<uint32_t>(
            std::strtoul(name.c_str() + (name.size() > 1 && name[1] == 'x' ? 2 : 1), nullptr,
                         name.size() > 1 && name[1] == 'x' ? 16 : 10));
      } else if (const auto it = kEntities.find(name); it != kEntities.end()) {
        cp = it->second;
      }
      if (cp != 0) {
        AppendUtf8(text, cp);
        pos = semi + 1;
      } else {
        text += '&';
        ++pos;
      }
    } else {
      text += html[pos++];
    }
  }
  return text;
}

Result<EmlText> ParseEml(std::string_view raw) {
  KOLIBRI_ASSIGN_OR_RETURN(Entity entity, SplitEntity(raw));
  EmlText mail;
  mail.headers = entity.headers;
  KOLIBRI_RETURN_IF_ERROR(CollectEntity(entity, mail.body_text, 0));
  return mail;
}

}  // namespace kolibri::testing
