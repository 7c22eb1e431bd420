// VerifyEstimate: the planner's estimate next to what llama.cpp really allocates for the
// same model and settings (`kolibri plan --verify`). Loads the model — seconds, not
// milliseconds — through the engine's ProbeMemory; see memory_probe.h for its caveats.
#pragma once

#include <string>
#include <vector>

#include "kolibri/memory_plan.h"
#include "kolibri/memory_probe.h"
#include "kolibri/status.h"

namespace kolibri {

struct VerifyRow {
  std::string component;  // "weights", "kv cache", "output", "compute", "total"
  uint64_t estimate = 0;
  uint64_t actual = 0;
  double ErrorPercent() const;  // (estimate - actual) / actual × 100; 0 when both are 0
};

struct VerifyReport {
  MemoryEstimate estimate;
  MemoryProbeResult actual;
  std::vector<VerifyRow> rows;  // the last row is the total
};

// PlanOptions whose CPU kernel settings match this build of llama.cpp (its extra CPU
// buffer types), so estimates compare like with like.
PlanOptions MatchThisBuild(PlanOptions options);

// Estimates and probes `model_path` with `options` (CPU-kernel settings taken from this
// build) and `lora_paths`. Errors from either side are returned unchanged.
Result<VerifyReport> VerifyEstimate(const std::string& model_path, const std::vector<std::string>& lora_paths,
                                    const PlanOptions& options);

}  // namespace kolibri
