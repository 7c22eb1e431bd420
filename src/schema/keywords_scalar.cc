// Numeric and string keywords: multipleOf, maximum, exclusiveMaximum, minimum,
// exclusiveMinimum, maxLength, minLength, pattern, format.
#include "schema/evaluator.h"
#include "schema/format_checker.h"
#include "schema/json_value.h"

namespace kolibri::schema {

bool Evaluator::EvaluateNumber(const Json& schema, const Json& instance) {
  bool valid = true;
  auto check = [&](bool ok, std::string_view keyword, const std::string& message) {
    if (!ok) valid = Fail(keyword, message);
    return !ok && ShouldStop();
  };
  const std::string text = Summarize(instance);
  if (auto m = schema.find("multipleOf"); m != schema.end()) {
    if (check(IsMultipleOf(instance, *m), "multipleOf", text + " is not a multiple of " + Summarize(*m))) {
      return false;
    }
  }
  auto exclusive_max = schema.find("exclusiveMaximum");
  auto exclusive_min = schema.find("exclusiveMinimum");
  if (auto max = schema.find("maximum"); max != schema.end()) {
    // Draft 4: a boolean exclusiveMaximum turns maximum into a strict bound.
    bool strict = exclusive_max != schema.end() && *exclusive_max == true;
    int cmp = CompareNumbers(instance, *max);
    if (strict ? check(cmp < 0, "exclusiveMaximum", text + " must be less than " + Summarize(*max))
               : check(cmp <= 0, "maximum", text + " is greater than the maximum " + Summarize(*max))) {
      return false;
    }
  }
  if (auto min = schema.find("minimum"); min != schema.end()) {
    bool strict = exclusive_min != schema.end() && *exclusive_min == true;
    int cmp = CompareNumbers(instance, *min);
    if (strict ? check(cmp > 0, "exclusiveMinimum", text + " must be greater than " + Summarize(*min))
               : check(cmp >= 0, "minimum", text + " is less than the minimum " + Summarize(*min))) {
      return false;
    }
  }
  if (exclusive_max != schema.end() && exclusive_max->is_number()) {
    if (check(CompareNumbers(instance, *exclusive_max) < 0, "exclusiveMaximum",
              text + " must be less than " + Summarize(*exclusive_max))) {
      return false;
    }
  }
  if (exclusive_min != schema.end() && exclusive_min->is_number()) {
    if (check(CompareNumbers(instance, *exclusive_min) > 0, "exclusiveMinimum",
              text + " must be greater than " + Summarize(*exclusive_min))) {
      return false;
    }
  }
  return valid;
}

bool Evaluator::EvaluateString(const Json& schema, const Json& instance) {
  bool valid = true;
  auto check = [&](bool ok, std::string_view keyword, const std::string& message) {
    if (!ok) valid = Fail(keyword, message);
    return !ok && ShouldStop();
  };
  const std::string& value = instance.get_ref<const std::string&>();
  auto min = schema.find("minLength");
  auto max = schema.find("maxLength");
  if (min != schema.end() || max != schema.end()) {
    size_t length = CodePointCount(value);
    if (min != schema.end() &&
        check(static_cast<double>(length) >= min->get<double>(), "minLength",
              "string has " + std::to_string(length) + " characters, fewer than minLength " + Summarize(*min))) {
      return false;
    }
    if (max != schema.end() &&
        check(static_cast<double>(length) <= max->get<double>(), "maxLength",
              "string has " + std::to_string(length) + " characters, more than maxLength " + Summarize(*max))) {
      return false;
    }
  }
  if (auto pattern = schema.find("pattern"); pattern != schema.end()) {
    const std::string& text = pattern->get_ref<const std::string&>();
    switch (compiled_.Regex(text).Search(value, compiled_.max_pattern_subject_length)) {
      case EcmaRegex::Outcome::kMatch:
        break;
      case EcmaRegex::Outcome::kNoMatch:
        if (check(false, "pattern", Summarize(instance, 40) + " does not match the pattern " + text)) return false;
        break;
      case EcmaRegex::Outcome::kTooLong:
        if (check(false, "pattern",
                  "string has " + std::to_string(CodePointCount(value)) +
                      " characters, too long to check against the pattern (limit " +
                      std::to_string(compiled_.max_pattern_subject_length) + ")")) {
          return false;
        }
        break;
      case EcmaRegex::Outcome::kFailed:
        if (check(false, "pattern", "string could not be checked against the pattern " + text +
                                        " (regex engine limit)")) {
          return false;
        }
        break;
    }
  }
  if (compiled_.validate_formats) {
    if (auto format = schema.find("format"); format != schema.end()) {
      const std::string& name = format->get_ref<const std::string&>();
      if (check(CheckFormat(name, value), "format", Summarize(instance, 40) + " is not a valid " + name)) {
        return false;
      }
    }
  }
  return valid;
}

}  // namespace kolibri::schema
