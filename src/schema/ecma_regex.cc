#include "schema/ecma_regex.h"

#include <pthread.h>

#include <cstdint>
#include <locale>

namespace kolibri::schema {
namespace {

// ECMA-262 WhiteSpace and LineTerminator code points, as the body of a character class.
const wchar_t kEcmaWhitespace[] =
    L"\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";

std::wstring HexEscape(uint32_t code_point) {
  wchar_t buf[16];
  std::swprintf(buf, 16, L"\\u%04x", static_cast<unsigned>(code_point));
  return buf;
}

// Rewrites the ECMAScript constructs std::regex lacks or gets wrong; rejects the ones it
// cannot express.
Result<std::wstring> Translate(const std::wstring& in, std::string_view pattern) {
  auto unsupported = [&](std::string_view what) {
    return Status::InvalidArgument("pattern '" + std::string(pattern) + "' uses " +
                                   std::string(what) + ", which the validator does not support");
  };
  std::wstring out;
  bool in_class = false;
  for (size_t i = 0; i < in.size(); ++i) {
    wchar_t c = in[i];
    if (c == L'\\' && i + 1 < in.size()) {
      wchar_t n = in[i + 1];
      if (n == L'p' || n == L'P') return unsupported("a Unicode property escape (\\p{...})");
      // ECMA-262 (with the u flag, which JSON Schema regexes assume) has no identity escapes
      // for letters: \Z or \A from other flavours would silently match a plain Z or A.
      if (((n >= L'a' && n <= L'z') || (n >= L'A' && n <= L'Z')) &&
          std::wstring_view(L"bBdDwWsSfnrtvcxuk").find(n) == std::wstring_view::npos) {
        return Status::InvalidArgument("pattern '" + std::string(pattern) + "' uses the escape \\" +
                                       static_cast<char>(n) + ", which ECMAScript regular expressions do not define");
      }
      if (n == L's') {
        out += in_class ? std::wstring(kEcmaWhitespace) : L"[" + std::wstring(kEcmaWhitespace) + L"]";
        ++i;
        continue;
      }
      if (n == L'S' && !in_class) {
        out += L"[^" + std::wstring(kEcmaWhitespace) + L"]";
        ++i;
        continue;
      }
      if (n == L'u' && i + 2 < in.size() && in[i + 2] == L'{') {
        size_t close = in.find(L'}', i + 3);
        if (close == std::wstring::npos) return unsupported("an unterminated \\u{...} escape");
        uint32_t code_point = 0;
        for (size_t j = i + 3; j < close; ++j) {
          wchar_t h = in[j];
          int digit = h >= L'0' && h <= L'9'   ? h - L'0'
                      : h >= L'a' && h <= L'f' ? h - L'a' + 10
                      : h >= L'A' && h <= L'F' ? h - L'A' + 10
                                               : -1;
          if (digit < 0 || code_point > 0x10FFFF) return unsupported("a malformed \\u{...} escape");
          code_point = code_point * 16 + static_cast<uint32_t>(digit);
        }
        if (code_point <= 0xFFFF) {
          out += HexEscape(code_point);
        } else {
          out += static_cast<wchar_t>(code_point);
        }
        i = close;
        continue;
      }
      out += c;
      out += n;
      ++i;
      continue;
    }
    if (in_class) {
      if (c == L']') in_class = false;
    } else if (c == L'[') {
      in_class = true;
      out += c;
      if (i + 1 < in.size() && in[i + 1] == L'^') {
        out += L'^';
        ++i;
      }
      // A ']' right after '[' or '[^' is a literal in some flavours but closes an empty
      // class in ECMAScript; std::regex agrees with ECMAScript, so nothing to do.
      continue;
    } else if (c == L'(' && i + 2 < in.size() && in[i + 1] == L'?' && in[i + 2] == L'<') {
      return unsupported(i + 3 < in.size() && (in[i + 3] == L'=' || in[i + 3] == L'!')
                             ? "lookbehind"
                             : "a named group");
    }
    out += c;
  }
  return out;
}

// libstdc++'s regex executor recurses once or more per subject character (about 0.7 KB
// per character in release builds, several times that under ASan), so a long subject
// overflows an ordinary thread stack. Short subjects run inline; longer ones run on a
// helper thread whose stack is reserved (not committed) large enough for the bound.
constexpr size_t kInlineSubjectLimit = 1000;
constexpr size_t kStackBytesPerCodePoint = 8 * 1024;

struct SearchJob {
  const std::wregex* regex;
  const std::wstring* text;
  EcmaRegex::Outcome outcome = EcmaRegex::Outcome::kFailed;
};

EcmaRegex::Outcome SearchInline(const std::wregex& regex, const std::wstring& text) {
  try {
    return std::regex_search(text, regex) ? EcmaRegex::Outcome::kMatch : EcmaRegex::Outcome::kNoMatch;
  } catch (const std::regex_error&) {
    return EcmaRegex::Outcome::kFailed;
  }
}

void* RunSearchJob(void* arg) {
  auto* job = static_cast<SearchJob*>(arg);
  job->outcome = SearchInline(*job->regex, *job->text);
  return nullptr;
}

EcmaRegex::Outcome SearchOnLargeStack(const std::wregex& regex, const std::wstring& text) {
  SearchJob job{&regex, &text};
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return EcmaRegex::Outcome::kFailed;
  pthread_t thread;
  bool started = pthread_attr_setstacksize(&attr, (text.size() + 64) * kStackBytesPerCodePoint) == 0 &&
                 pthread_create(&thread, &attr, RunSearchJob, &job) == 0;
  pthread_attr_destroy(&attr);
  if (!started) return EcmaRegex::Outcome::kFailed;
  pthread_join(thread, nullptr);
  return job.outcome;
}

}  // namespace

std::wstring DecodeUtf8(std::string_view utf8) {
  std::wstring out;
  out.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || i + static_cast<size_t>(extra) >= utf8.size()) {
      out += static_cast<wchar_t>(0xFFFD);
      ++i;
      continue;
    }
    uint32_t code_point = extra == 0 ? c : c & (0x3F >> extra);
    bool ok = true;
    for (int k = 1; k <= extra; ++k) {
      unsigned char d = static_cast<unsigned char>(utf8[i + static_cast<size_t>(k)]);
      if ((d & 0xC0) != 0x80) {
        ok = false;
        break;
      }
      code_point = (code_point << 6) | (d & 0x3F);
    }
    if (!ok) {
      out += static_cast<wchar_t>(0xFFFD);
      ++i;
      continue;
    }
    out += static_cast<wchar_t>(code_point);
    i += static_cast<size_t>(extra) + 1;
  }
  return out;
}

Result<EcmaRegex> EcmaRegex::Compile(std::string_view pattern) {
  Result<std::wstring> translated = Translate(DecodeUtf8(pattern), pattern);
  if (!translated.ok()) return translated.status();
  try {
    auto regex = std::make_shared<std::wregex>();
    regex->imbue(std::locale::classic());
    regex->assign(*translated, std::regex_constants::ECMAScript);
    return EcmaRegex(std::move(regex));
  } catch (const std::regex_error& e) {
    return Status::InvalidArgument("pattern '" + std::string(pattern) +
                                   "' is not a valid ECMAScript regular expression (" + e.what() + ")");
  }
}

EcmaRegex::Outcome EcmaRegex::Search(std::string_view subject, size_t max_code_points) const {
  std::wstring text = DecodeUtf8(subject);
  if (text.size() > max_code_points) return Outcome::kTooLong;
  if (text.size() <= kInlineSubjectLimit) return SearchInline(*regex_, text);
  return SearchOnLargeStack(*regex_, text);
}

}  // namespace kolibri::schema
