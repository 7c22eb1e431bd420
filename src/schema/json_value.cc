#include "schema/json_value.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace kolibri::schema {
namespace {

using json = nlohmann::json;

// A nonzero finite number as sign * mantissa * 10^exponent with the mantissa free of
// trailing zeros, taken from the shortest text that reads back as the same double.
struct Decimal {
  bool negative = false;
  uint64_t mantissa = 0;
  int exponent = 0;
};

bool ToDecimal(const json& value, Decimal* out) {
  if (value.is_number_unsigned()) {
    out->mantissa = value.get<uint64_t>();
  } else if (value.is_number_integer()) {
    int64_t v = value.get<int64_t>();
    out->negative = v < 0;
    out->mantissa = v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
  } else {
    double d = value.get<double>();
    if (!std::isfinite(d)) return false;
    out->negative = d < 0;
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), std::fabs(d), std::chars_format::scientific);
    if (ec != std::errc()) return false;
    std::string_view text(buf, static_cast<size_t>(end - buf));
    size_t e = text.find('e');
    int exponent = 0;
    std::from_chars(text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0), text.data() + text.size(),
                    exponent);
    int fraction_digits = 0;
    bool after_point = false;
    for (size_t i = 0; i < e; ++i) {
      if (text[i] == '.') {
        after_point = true;
        continue;
      }
      out->mantissa = out->mantissa * 10 + static_cast<uint64_t>(text[i] - '0');
      if (after_point) ++fraction_digits;
    }
    out->exponent = exponent - fraction_digits;
  }
  while (out->mantissa != 0 && out->mantissa % 10 == 0) {
    out->mantissa /= 10;
    ++out->exponent;
  }
  return true;
}

__extension__ typedef unsigned __int128 u128;  // GCC and Clang both provide it

// (base^power) mod m, m > 0.
uint64_t PowMod(uint64_t base, int power, uint64_t m) {
  u128 result = 1 % m;
  u128 b = base % m;
  while (power > 0) {
    if (power & 1) result = result * b % m;
    b = b * b % m;
    power >>= 1;
  }
  return static_cast<uint64_t>(result);
}

}  // namespace

bool IsInteger(const json& value, bool integral_floats) {
  if (value.is_number_integer()) return true;  // covers unsigned too
  if (!integral_floats || !value.is_number_float()) return false;
  double d = value.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

const char* TypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::string: return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    default: return "binary";
  }
}

int CompareNumbers(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    bool a_neg = !a.is_number_unsigned() && a.get<int64_t>() < 0;
    bool b_neg = !b.is_number_unsigned() && b.get<int64_t>() < 0;
    if (a_neg != b_neg) return a_neg ? -1 : 1;
    if (a_neg) {
      int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    uint64_t x = a.get<uint64_t>(), y = b.get<uint64_t>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  // long double holds every int64/uint64 and every double exactly on x86-64.
  auto as_long_double = [](const json& v) -> long double {
    if (v.is_number_unsigned()) return static_cast<long double>(v.get<uint64_t>());
    if (v.is_number_integer()) return static_cast<long double>(v.get<int64_t>());
    return static_cast<long double>(v.get<double>());
  };
  long double x = as_long_double(a), y = as_long_double(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool IsMultipleOf(const json& value, const json& divisor) {
  Decimal x, m;
  if (!ToDecimal(value, &x) || !ToDecimal(divisor, &m) || m.mantissa == 0) return false;
  if (x.mantissa == 0) return true;
  if (x.exponent >= m.exponent) {
    // x / m = (x.mantissa * 10^k) / m.mantissa: check divisibility modulo m.mantissa.
    int k = x.exponent - m.exponent;
    u128 remainder = static_cast<u128>(x.mantissa % m.mantissa) * PowMod(10, k, m.mantissa) % m.mantissa;
    return remainder == 0;
  }
  // x / m = x.mantissa / (m.mantissa * 10^k); the divisor outgrows any 64-bit mantissa fast.
  int k = m.exponent - x.exponent;
  if (k > 20) return false;
  u128 scaled = m.mantissa;
  for (int i = 0; i < k; ++i) {
    if (scaled > std::numeric_limits<u128>::max() / 10) return false;
    scaled *= 10;
  }
  return static_cast<u128>(x.mantissa) % scaled == 0;
}

bool JsonEqual(const json& a, const json& b) {
  // nlohmann's operator== already compares numbers across integer/float by value, never
  // equates booleans with numbers, and compares objects as maps.
  return a == b;
}

std::string Summarize(const json& value, size_t max_chars) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() <= max_chars) return text;
  size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

size_t CodePointCount(const std::string& utf8) {
  size_t count = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace kolibri::schema
