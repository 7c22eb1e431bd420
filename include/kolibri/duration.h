// Durations as operators write them in flags and configuration files ("30d", "12h").
#pragma once

#include <cstdint>
#include <string>

#include "kolibri/status.h"

namespace kolibri {

// "30d", "12h", "90m", "45s", "500ms" → milliseconds. InvalidArgument for anything else
// (no unit, a negative or zero value, overflow).
Result<int64_t> ParseDurationMs(const std::string& text);

}  // namespace kolibri
