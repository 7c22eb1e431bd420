#include "report.h"

#include <algorithm>
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

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Median of the numbers at the same place in `others` (objects by key, arrays of workloads
// by Key, other arrays position by position).
json CombineValue(const json& first, const std::vector<const json*>& all) {
  if (first.is_number() && !first.is_boolean()) {
    std::vector<double> v;
    for (const json* a : all) {
      if (a != nullptr && a->is_number()) v.push_back(a->get<double>());
    }
    return v.empty() ? first : json(Median(v));
  }
  if (first.is_object()) {
    json out = json::object();
    for (auto it = first.begin(); it != first.end(); ++it) {
      std::vector<const json*> sub;
      for (const json* a : all) sub.push_back(a != nullptr && a->is_object() && a->contains(it.key()) ? &(*a)[it.key()] : nullptr);
      out[it.key()] = CombineValue(it.value(), sub);
    }
    return out;
  }
  if (first.is_array()) {
    json out = json::array();
    for (size_t i = 0; i < first.size(); ++i) {
      const json& item = first[i];
      const bool workload = item.is_object() && item.contains("workload") && item.contains("concurrency");
      std::vector<const json*> sub;
      for (const json* a : all) {
        const json* match = nullptr;
        if (a != nullptr && a->is_array()) {
          for (size_t k = 0; k < a->size(); ++k) {
            if (workload ? ((*a)[k].is_object() && (*a)[k].contains("workload") && Key((*a)[k]) == Key(item)) : k == i) {
              match = &(*a)[k];
              break;
            }
          }
        }
        sub.push_back(match);
      }
      json combined = CombineValue(item, sub);
      if (workload) {
        for (const char* field : {"requests_per_s", "generated_tokens_per_s"}) {
          json per_round = json::array();
          for (const json* m : sub) {
            if (m != nullptr && m->contains(field)) per_round.push_back((*m)[field]);
          }
          combined[std::string(field) + "_rounds"] = per_round;
        }
      }
      out.push_back(combined);
    }
    return out;
  }
  return first;
}

}  // namespace

json CombineRounds(const std::vector<json>& rounds) {
  if (rounds.empty()) return json::object();
  std::vector<const json*> all;
  for (const json& r : rounds) all.push_back(&r);
  json out = CombineValue(rounds.front(), all);
  out["rounds"] = rounds.size();
  return out;
}

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
