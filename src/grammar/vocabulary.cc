#include "kolibri/grammar/vocabulary.h"

#include <array>
#include <cstdio>
#include <unordered_map>

namespace kolibri::grammar {
namespace {

// Decodes one UTF-8 code point from s at *i; returns -1 on malformed input.
int64_t NextCodepoint(const std::string& s, size_t* i) {
  const auto c = static_cast<unsigned char>(s[*i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || *i + len > s.size()) return -1;
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    const auto d = static_cast<unsigned char>(s[*i + k]);
    if ((d >> 6) != 2) return -1;
    cp = (cp << 6) | (d & 0x3F);
  }
  *i += len;
  return cp;
}

// GPT-2's bytes_to_unicode, inverted: code point → byte.
const std::unordered_map<uint32_t, uint8_t>& ByteDecoder() {
  static const auto* table = [] {
    auto* m = new std::unordered_map<uint32_t, uint8_t>();
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      if (printable) {
        (*m)[static_cast<uint32_t>(b)] = static_cast<uint8_t>(b);
      } else {
        (*m)[static_cast<uint32_t>(256 + n)] = static_cast<uint8_t>(b);
        ++n;
      }
    }
    return m;
  }();
  return *table;
}

bool IsSpecialType(int32_t type) {
  return type == static_cast<int32_t>(TokenType::kControl) ||
         type == static_cast<int32_t>(TokenType::kUnknown) ||
         type == static_cast<int32_t>(TokenType::kUnused) ||
         type == static_cast<int32_t>(TokenType::kUndefined);
}

Vocabulary Start(const TokenListOptions& options) {
  Vocabulary v;
  v.token_bytes.resize(options.tokens.size());
  v.special.assign(options.tokens.size(), false);
  v.stop_ids = options.stop_ids;
  v.id = options.id;
  for (size_t i = 0; i < options.tokens.size(); ++i) {
    if (i < options.token_types.size() && IsSpecialType(options.token_types[i])) v.special[i] = true;
  }
  for (int32_t s : options.stop_ids) {
    if (s >= 0 && static_cast<size_t>(s) < v.special.size()) v.special[s] = true;
  }
  return v;
}

int32_t TypeOf(const TokenListOptions& o, size_t i) {
  return i < o.token_types.size() ? o.token_types[i] : static_cast<int32_t>(TokenType::kNormal);
}

}  // namespace

Result<Vocabulary> VocabularyFromByteLevelBpe(const TokenListOptions& options) {
  Vocabulary v = Start(options);
  const auto& decoder = ByteDecoder();
  for (size_t i = 0; i < options.tokens.size(); ++i) {
    if (v.special[i]) continue;
    const std::string& text = options.tokens[i];
    if (TypeOf(options, i) == static_cast<int32_t>(TokenType::kUserDefined)) {
      v.token_bytes[i] = text;
      continue;
    }
    std::string bytes;
    size_t pos = 0;
    while (pos < text.size()) {
      const int64_t cp = NextCodepoint(text, &pos);
      auto it = cp < 0 ? decoder.end() : decoder.find(static_cast<uint32_t>(cp));
      if (it == decoder.end()) {
        return Status::InvalidArgument("token " + std::to_string(i) + " ('" + text +
                                       "') is not a GPT-2 byte-level BPE token");
      }
      bytes.push_back(static_cast<char>(it->second));
    }
    v.token_bytes[i] = std::move(bytes);
  }
  return v;
}

Result<Vocabulary> VocabularyFromSentencePiece(const TokenListOptions& options) {
  Vocabulary v = Start(options);
  static constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581
  for (size_t i = 0; i < options.tokens.size(); ++i) {
    if (v.special[i]) continue;
    const std::string& text = options.tokens[i];
    if (TypeOf(options, i) == static_cast<int32_t>(TokenType::kByte)) {
      unsigned value = 0;
      if (text.size() != 6 || std::sscanf(text.c_str(), "<0x%02X>", &value) != 1) {
        return Status::InvalidArgument("byte token " + std::to_string(i) + " ('" + text +
                                       "') is not of the form <0xAB>");
      }
      v.token_bytes[i] = std::string(1, static_cast<char>(value));
      continue;
    }
    std::string bytes;
    for (size_t pos = 0; pos < text.size();) {
      if (text.compare(pos, kSpace.size(), kSpace) == 0) {
        bytes.push_back(' ');
        pos += kSpace.size();
      } else {
        bytes.push_back(text[pos++]);
      }
    }
    v.token_bytes[i] = std::move(bytes);
  }
  return v;
}

}  // namespace kolibri::grammar
