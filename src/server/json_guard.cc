#include "server/json_guard.h"

#include <string>

namespace kolibri::server {

Status CheckUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return Status::InvalidArgument("request body is not valid UTF-8 (byte " + std::to_string(i) + ")");
    }
    if (i + len > n) {
      return Status::InvalidArgument("request body is not valid UTF-8 (truncated sequence at byte " +
                                     std::to_string(i) + ")");
    }
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        return Status::InvalidArgument("request body is not valid UTF-8 (byte " + std::to_string(i + k) + ")");
      }
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return Status::InvalidArgument("request body is not valid UTF-8 (byte " + std::to_string(i) + ")");
    }
    i += len;
  }
  return Status::Ok();
}

Status CheckJsonDepth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return Status::InvalidArgument("JSON nests deeper than " + std::to_string(max_depth) +
                                       " levels (byte " + std::to_string(i) + ")");
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return Status::Ok();
}

Result<nlohmann::json> ParseJsonBody(std::string_view text, int max_depth) {
  KOLIBRI_RETURN_IF_ERROR(CheckUtf8(text));
  KOLIBRI_RETURN_IF_ERROR(CheckJsonDepth(text, max_depth));
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." → the part
    // after the tag, which is what a user can act on.
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    return Status::InvalidArgument("malformed JSON: " + what);
  }
}

}  // namespace kolibri::server
