// Merging per-server benchmark results into one JSON and a markdown summary.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace kolibri::bench {

// One result per server from several rounds of the same server: every number is the median
// over the rounds (matched by key, workloads by name and concurrency), every other value
// comes from the first round; "rounds" says how many, and each workload keeps its rounds'
// requests_per_s and generated_tokens_per_s as *_rounds arrays.
nlohmann::json CombineRounds(const std::vector<nlohmann::json>& rounds);

// {"config": config, "servers": [each result], "kolibri_vs_best_llama": {workload: ratios}}.
// The server named "kolibri" is compared with the better of the others per workload.
nlohmann::json MergeResults(const std::vector<nlohmann::json>& results, const nlohmann::json& config);

// Markdown tables of a merged result.
std::string MarkdownReport(const nlohmann::json& merged);

}  // namespace kolibri::bench
