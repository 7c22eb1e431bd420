// Merging per-server benchmark results into one JSON and a markdown summary.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace kolibri::bench {

// {"config": config, "servers": [each result], "kolibri_vs_best_llama": {workload: ratios}}.
// The server named "kolibri" is compared with the better of the others per workload.
nlohmann::json MergeResults(const std::vector<nlohmann::json>& results, const nlohmann::json& config);

// Markdown tables of a merged result.
std::string MarkdownReport(const nlohmann::json& merged);

}  // namespace kolibri::bench
