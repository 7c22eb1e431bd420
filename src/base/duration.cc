#include "kolibri/duration.h"

#include <limits>

namespace kolibri {

Result<int64_t> ParseDurationMs(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::string unit = text.substr(digits);
  int64_t scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m") scale = 60 * 1000;
  else if (unit == "h") scale = 3600 * 1000;
  else if (unit == "d") scale = 86400 * 1000;
  if (digits == 0 || digits > 12 || scale == 0) {
    return Status::InvalidArgument("'" + text + "' is not a duration (a number and a unit: ms, s, m, h or d, e.g. 30d)");
  }
  const int64_t value = std::stoll(text.substr(0, digits));
  if (value <= 0) return Status::InvalidArgument("a duration must be positive, got '" + text + "'");
  if (value > std::numeric_limits<int64_t>::max() / scale) return Status::InvalidArgument("'" + text + "' is too long");
  return value * scale;
}

}  // namespace kolibri
