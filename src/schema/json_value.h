// JSON value helpers with JSON Schema's semantics: numbers compare by mathematical value
// (1 == 1.0), "integer" means "no fractional part" (draft 6+), multipleOf is exact on the
// decimal text a number was written with, and values print short for error messages.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace kolibri::schema {

// True for a JSON integer, and (when `integral_floats` is true, draft 6+) for a finite float
// without a fractional part (1.0, 1e3).
bool IsInteger(const nlohmann::json& value, bool integral_floats);

// The JSON Schema type name of `value`: "null", "boolean", "object", "array", "string",
// "integer" (a JSON integer token) or "number".
const char* TypeName(const nlohmann::json& value);

// -1, 0 or 1 as a < b, a == b, a > b; both must be numbers. Exact for all 64-bit integers.
int CompareNumbers(const nlohmann::json& a, const nlohmann::json& b);

// True when `value` is an integer multiple of `divisor` (> 0), judged on the shortest decimal
// text of each (so 0.0075 is a multiple of 0.0001 and 12.5 is not one of 0.2); never fooled
// by binary rounding. Non-finite quotients are not multiples.
bool IsMultipleOf(const nlohmann::json& value, const nlohmann::json& divisor);

// Deep equality as JSON Schema defines it ("const", "enum", "uniqueItems"): numbers by value
// (1 == 1.0), true != 1, objects regardless of member order.
bool JsonEqual(const nlohmann::json& a, const nlohmann::json& b);

// Compact JSON text of `value`, cut to about `max_chars` characters with "..." for messages.
std::string Summarize(const nlohmann::json& value, size_t max_chars = 60);

// Number of Unicode code points in a UTF-8 string (what minLength/maxLength count).
size_t CodePointCount(const std::string& utf8);

}  // namespace kolibri::schema
