#include "report.h"

#include <cstdio>
#include <map>

namespace kolibri::bench {
namespace {

using nlohmann::json;

std::string Key(const json& w) {
  return w["workload"].get<std::string>() + "@c" + std::to_string(w["concurrency"].get<int>());
}

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

}  // namespace

json MergeResults(const std::vector<json>& results, const json& config) {
  json merged = {{"config", config}, {"servers", results}};
  const json* kolibri = nullptr;
  for (const auto& r : results) {
    if (r["server"] == "kolibri") kolibri = &r;
  }
  json ratios = json::object();
  if (kolibri) {
    for (const auto& kw : (*kolibri)["workloads"]) {
      double best_rps = 0, best_tps = 0;
      std::string best_rps_server, best_tps_server;
      for (const auto& r : results) {
        if (&r == kolibri) continue;
        for (const auto& w : r["workloads"]) {
          if (Key(w) != Key(kw)) continue;
          if (w["requests_per_s"].get<double>() > best_rps) {
            best_rps = w["requests_per_s"];
            best_rps_server = r["server"];
          }
          if (w["generated_tokens_per_s"].get<double>() > best_tps) {
            best_tps = w["generated_tokens_per_s"];
            best_tps_server = r["server"];
          }
        }
      }
      if (best_rps <= 0) continue;
      ratios[Key(kw)] = {{"requests_per_s", kw["requests_per_s"].get<double>() / best_rps},
                         {"vs_requests", best_rps_server},
                         {"generated_tokens_per_s", best_tps > 0 ? kw["generated_tokens_per_s"].get<double>() / best_tps : 0},
                         {"vs_tokens", best_tps_server}};
    }
  }
  merged["kolibri_vs_best_llama"] = ratios;
  return merged;
}

std::string MarkdownReport(const json& merged) {
  std::string md;
  md += "| workload | server | req/s | gen tok/s | TTFT p50 ms | latency p50 / p95 ms | prompt tokens computed / req | failed |\n";
  md += "|---|---|---:|---:|---:|---:|---:|---:|\n";
  std::map<std::string, std::vector<std::pair<std::string, json>>> rows;
  std::vector<std::string> order;
  for (const auto& r : merged["servers"]) {
    for (const auto& w : r["workloads"]) {
      if (!rows.count(Key(w))) order.push_back(Key(w));
      rows[Key(w)].push_back({r["server"], w});
    }
  }
  for (const auto& key : order) {
    for (const auto& [server, w] : rows[key]) {
      double computed = w["prompt_tokens_computed_per_request"];
      md += "| " + key + " | " + server + " | " + Fmt("%.2f", w["requests_per_s"]) + " | " +
            Fmt("%.1f", w["generated_tokens_per_s"]) + " | " + Fmt("%.0f", w["ttft_ms_p50"]) + " | " +
            Fmt("%.0f", w["latency_ms_p50"]) + " / " + Fmt("%.0f", w["latency_ms_p95"]) + " | " +
            (computed < 0 ? std::string("n/a") : Fmt("%.1f", computed)) + " | " +
            std::to_string(w["failed"].get<int>()) + " |\n";
    }
  }
  md += "\n| server | cold TTFT ms | cached TTFT ms | cached / cold | prompt cached |\n|---|---:|---:|---:|---:|\n";
  for (const auto& r : merged["servers"]) {
    if (!r.contains("ttft")) continue;
    const json& t = r["ttft"];
    md += "| " + r["server"].get<std::string>() + " | " + Fmt("%.0f", t["cold_ttft_ms"]) + " | " +
          Fmt("%.0f", t["cached_ttft_ms"]) + " | " + Fmt("%.2f", t["cached_over_cold"]) + " | " +
          Fmt("%.0f %%", 100 * t["cached_fraction_of_prompt"].get<double>()) + " |\n";
  }
  std::string answers;
  for (const auto& r : merged["servers"]) {
    for (const auto& w : r["workloads"]) {
      if (!w.contains("answers_valid")) continue;
      answers += "| " + Key(w) + " | " + r["server"].get<std::string>() + " | " +
                 std::to_string(w["answers_parsed"].get<int>()) + " | " + std::to_string(w["answers_valid"].get<int>()) +
                 " | " + std::to_string(w["requests"].get<int>()) + " |\n";
    }
  }
  if (!answers.empty()) {
    md += "\n| workload | server | answers parse | answers validate | requests |\n|---|---|---:|---:|---:|\n" + answers;
  }
  std::string memory;
  for (const auto& r : merged["servers"]) {
    if (!r.contains("memory")) continue;
    const json& m = r["memory"];
    memory += "| " + r["server"].get<std::string>() + " | " + std::to_string(m["requests"].get<int>()) + " | " +
              Fmt("%.1f", m["rss_before_mb"]) + " | " + Fmt("%.1f", m["rss_after_mb"]) + " | " +
              Fmt("%+.1f", m["rss_growth_mb"]) + " | " + std::to_string(m["failed"].get<int>()) + " |\n";
  }
  if (!memory.empty()) {
    md += "\n| server | sequential requests | RSS before MB | RSS after MB | growth MB | failed |\n"
          "|---|---:|---:|---:|---:|---:|\n" + memory;
  }
  if (!merged["kolibri_vs_best_llama"].empty()) {
    md += "\n| workload | kolibri req/s ÷ best llama-server | kolibri gen tok/s ÷ best llama-server |\n|---|---:|---:|\n";
    for (const auto& [key, r] : merged["kolibri_vs_best_llama"].items()) {
      md += "| " + key + " | " + Fmt("%.2f", r["requests_per_s"]) + " (" + r["vs_requests"].get<std::string>() +
            ") | " + Fmt("%.2f", r["generated_tokens_per_s"]) + " (" + r["vs_tokens"].get<std::string>() + ") |\n";
    }
  }
  return md;
}

}  // namespace kolibri::bench
