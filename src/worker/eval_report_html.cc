// The HTML page of a worker evaluation: tables and inline SVG, no scripts or external
// resources. See EvalReportHtml in kolibri/worker/worker_eval.h.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "kolibri/worker/worker_eval.h"

namespace kolibri::worker {
namespace {

std::string Esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string Pct(double v) { return Fmt("%.1f %%", v * 100); }
std::string Mib(uint64_t b) { return b == 0 ? "–" : Fmt("%.0f MiB", static_cast<double>(b) / 1048576.0); }

// The candidates' colours, in order.
const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
const char* Color(size_t i) { return kColors[i % (sizeof kColors / sizeof kColors[0])]; }

// Mean of the quality-bar metrics that are rates (accuracy, field F1): the chart's y value.
double QualityScore(const CandidateResult& c) {
  double sum = 0;
  int n = 0;
  for (const auto& m : c.classify) sum += m.accuracy, ++n;
  for (const auto& m : c.extract) sum += m.f1, ++n;
  return n > 0 ? sum / n : 0;
}

uint64_t MemoryOf(const CandidateResult& c) { return c.planner_bytes > 0 ? c.planner_bytes : c.file_bytes; }

void QualityVsMemory(const EvalReport& r, std::ostringstream& o) {
  const int w = 560, h = 320, l = 70, b = 50, t = 20, rt = 20;
  uint64_t max_mem = 1;
  for (const auto& c : r.candidates) max_mem = std::max(max_mem, MemoryOf(c));
  const double xmax = static_cast<double>(max_mem) * 1.15 / 1048576.0;
  o << "<svg id=\"quality-vs-memory\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w << "\" height=\"" << h
    << "\" role=\"img\"><title>Quality vs memory</title>\n";
  o << "<line x1=\"" << l << "\" y1=\"" << h - b << "\" x2=\"" << w - rt << "\" y2=\"" << h - b << "\" stroke=\"#333\"/>";
  o << "<line x1=\"" << l << "\" y1=\"" << t << "\" x2=\"" << l << "\" y2=\"" << h - b << "\" stroke=\"#333\"/>\n";
  for (int k = 0; k <= 4; ++k) {
    const double y = h - b - (h - b - t) * k / 4.0;
    o << "<text x=\"" << l - 8 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\" font-size=\"11\">" << Fmt("%.2f", k / 4.0)
      << "</text><line x1=\"" << l << "\" y1=\"" << y << "\" x2=\"" << w - rt << "\" y2=\"" << y
      << "\" stroke=\"#eee\"/>\n";
    const double x = l + (w - l - rt) * k / 4.0;
    o << "<text x=\"" << x << "\" y=\"" << h - b + 16 << "\" text-anchor=\"middle\" font-size=\"11\">"
      << Fmt("%.0f", xmax * k / 4.0) << "</text>\n";
  }
  o << "<text x=\"" << (l + w - rt) / 2 << "\" y=\"" << h - 10 << "\" text-anchor=\"middle\" font-size=\"12\">memory (MiB, planner estimate)</text>";
  o << "<text x=\"14\" y=\"" << (t + h - b) / 2 << "\" transform=\"rotate(-90 14 " << (t + h - b) / 2
    << ")\" text-anchor=\"middle\" font-size=\"12\">mean quality (accuracy, field F1)</text>\n";
  for (size_t i = 0; i < r.candidates.size(); ++i) {
    const CandidateResult& c = r.candidates[i];
    const double x = l + (w - l - rt) * (static_cast<double>(MemoryOf(c)) / 1048576.0) / xmax;
    const double y = h - b - (h - b - t) * QualityScore(c);
    o << "<circle cx=\"" << x << "\" cy=\"" << y << "\" r=\"6\" fill=\"" << Color(i) << "\"><title>" << Esc(c.name)
      << "</title></circle><text x=\"" << x + 9 << "\" y=\"" << y - 8 - 13.0 * static_cast<double>(i) << "\" font-size=\"11\">" << Esc(c.name)
      << "</text>\n";
  }
  o << "</svg>\n";
}

void LatencyChart(const EvalReport& r, std::ostringstream& o) {
  const int row = 40, l = 180, w = 620, rt = 20, t = 10;
  const int h = t + row * static_cast<int>(r.candidates.size()) + 40;
  double max_ms = 1;
  for (const auto& c : r.candidates) {
    for (double v : c.latencies_ms) max_ms = std::max(max_ms, v);
  }
  max_ms *= 1.05;
  auto x_of = [&](double v) { return l + (w - l - rt) * v / max_ms; };
  o << "<svg id=\"latency\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w << "\" height=\"" << h
    << "\" role=\"img\"><title>Latency per mail</title>\n";
  for (size_t i = 0; i < r.candidates.size(); ++i) {
    const CandidateResult& c = r.candidates[i];
    const double y = t + row * (static_cast<double>(i) + 0.5);
    o << "<text x=\"" << l - 8 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\" font-size=\"11\">" << Esc(c.name)
      << "</text>\n";
    for (double v : c.latencies_ms) {
      o << "<circle cx=\"" << x_of(v) << "\" cy=\"" << y << "\" r=\"3\" fill=\"" << Color(i)
        << "\" fill-opacity=\"0.5\"/>";
    }
    o << "\n<line x1=\"" << x_of(c.p50_ms) << "\" y1=\"" << y - 12 << "\" x2=\"" << x_of(c.p50_ms) << "\" y2=\""
      << y + 12 << "\" stroke=\"#000\" stroke-width=\"2\"><title>p50</title></line>";
    o << "<line x1=\"" << x_of(c.p95_ms) << "\" y1=\"" << y - 12 << "\" x2=\"" << x_of(c.p95_ms) << "\" y2=\""
      << y + 12 << "\" stroke=\"#000\" stroke-dasharray=\"3 2\"><title>p95</title></line>\n";
  }
  const int axis = h - 30;
  o << "<line x1=\"" << l << "\" y1=\"" << axis << "\" x2=\"" << w - rt << "\" y2=\"" << axis << "\" stroke=\"#333\"/>";
  for (int k = 0; k <= 4; ++k) {
    const double v = max_ms * k / 4.0;
    o << "<text x=\"" << x_of(v) << "\" y=\"" << axis + 14 << "\" text-anchor=\"middle\" font-size=\"11\">"
      << Fmt("%.0f", v) << "</text>";
  }
  o << "<text x=\"" << (l + w) / 2 << "\" y=\"" << h - 2
    << "\" text-anchor=\"middle\" font-size=\"12\">ms per mail (solid: p50, dashed: p95)</text>\n</svg>\n";
}

void Confusion(const CandidateResult& c, const ClassMetrics& m, size_t index, std::ostringstream& o) {
  const int cell = 26, l = 150, t = 150;
  const int n = static_cast<int>(m.labels.size());
  int64_t max_count = 1;
  for (const auto& [g, row] : m.confusion) {
    for (const auto& [p, k] : row) max_count = std::max(max_count, k);
  }
  o << "<figure><figcaption>" << Esc(c.name) << " — " << Esc(m.step) << " (rows: gold, columns: predicted)</figcaption>\n";
  o << "<svg class=\"confusion\" id=\"confusion-" << index << "\" xmlns=\"http://www.w3.org/2000/svg\" width=\""
    << l + cell * n + 10 << "\" height=\"" << t + cell * n + 10 << "\" role=\"img\"><title>Confusion matrix "
    << Esc(m.step) << "</title>\n";
  for (int i = 0; i < n; ++i) {
    const std::string& label = m.labels[static_cast<size_t>(i)];
    o << "<text x=\"" << l - 6 << "\" y=\"" << t + cell * i + cell / 2 + 4 << "\" text-anchor=\"end\" font-size=\"10\">"
      << Esc(label) << "</text>";
    const int x = l + cell * i + cell / 2;
    o << "<text x=\"" << x << "\" y=\"" << t - 6 << "\" transform=\"rotate(-60 " << x << " " << t - 6
      << ")\" font-size=\"10\">" << Esc(label) << "</text>\n";
  }
  for (int gi = 0; gi < n; ++gi) {
    for (int pi = 0; pi < n; ++pi) {
      int64_t k = 0;
      auto row = m.confusion.find(m.labels[static_cast<size_t>(gi)]);
      if (row != m.confusion.end()) {
        auto it = row->second.find(m.labels[static_cast<size_t>(pi)]);
        if (it != row->second.end()) k = it->second;
      }
      const double a = static_cast<double>(k) / static_cast<double>(max_count);
      o << "<rect x=\"" << l + cell * pi << "\" y=\"" << t + cell * gi << "\" width=\"" << cell << "\" height=\"" << cell
        << "\" fill=\"" << (gi == pi ? "#2ca02c" : "#d62728") << "\" fill-opacity=\"" << Fmt("%.2f", k > 0 ? 0.15 + 0.85 * a : 0)
        << "\" stroke=\"#ccc\"/>";
      if (k > 0) {
        o << "<text x=\"" << l + cell * pi + cell / 2 << "\" y=\"" << t + cell * gi + cell / 2 + 4
          << "\" text-anchor=\"middle\" font-size=\"10\">" << k << "</text>";
      }
    }
    o << "\n";
  }
  o << "</svg></figure>\n";
}

}  // namespace

std::string EvalReportHtml(const EvalReport& r) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>kolibri eval — " << Esc(r.worker)
    << "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;"
       "margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}"
       "td:first-child,th:first-child{text-align:left}.ok{background:#e6f4e6}.miss{background:#fbe3e3}"
       ".rec{font-size:1.2em;padding:.6em;border-left:4px solid #1f77b4;background:#f0f6fb}figure{display:inline-block;"
       "margin:0 1em 1em 0}</style></head><body>\n";
  o << "<h1>Which model does this worker need?</h1>\n<p>Worker <code>" << Esc(r.worker) << "</code>, gold data <code>"
    << Esc(r.data) << "</code>, " << r.mails << " mails, " << r.candidates.size() << " candidates.</p>\n";
  o << "<p class=\"rec\" id=\"recommendation\">" << Esc(r.recommendation) << "</p>\n";

  o << "<h2>Summary</h2>\n<table id=\"summary\"><tr><th>candidate</th><th>file</th><th>planned memory</th>"
       "<th>peak RSS</th><th>p50 ms</th><th>p95 ms</th><th>prompt tok/s</th><th>generated tok/s</th>"
       "<th>escalation</th><th>record valid</th><th>evidence violations</th><th>failed</th><th>quality bar</th></tr>\n";
  for (const auto& c : r.candidates) {
    o << "<tr><td>" << Esc(c.name) << "</td><td>" << Mib(c.file_bytes) << "</td><td>" << Mib(c.planner_bytes)
      << "</td><td>" << Mib(c.peak_rss_bytes) << "</td><td>" << Fmt("%.0f", c.p50_ms) << "</td><td>"
      << Fmt("%.0f", c.p95_ms) << "</td><td>" << Fmt("%.1f", c.prompt_tokens_per_s) << "</td><td>"
      << Fmt("%.1f", c.generated_tokens_per_s) << "</td><td>" << Pct(c.escalation_rate) << "</td><td>"
      << Pct(c.record_valid_rate) << "</td><td>" << c.evidence_violations << "</td><td>" << c.failed << "</td><td class=\""
      << (c.meets_bar ? "ok\">meets" : "miss\">misses") << "</td></tr>\n";
  }
  o << "</table>\n";

  o << "<h2>Quality bars</h2>\n<table id=\"bars\"><tr><th>bar</th>";
  for (const auto& c : r.candidates) o << "<th>" << Esc(c.name) << "</th>";
  o << "</tr>\n";
  if (!r.candidates.empty()) {
    for (size_t k = 0; k < r.candidates[0].bars.size(); ++k) {
      const BarCheck& b0 = r.candidates[0].bars[k];
      o << "<tr><td>" << Esc(b0.what) << " " << (b0.higher_is_better ? "&ge; " : "&le; ") << Fmt("%.3g", b0.bar) << "</td>";
      for (const auto& c : r.candidates) {
        const BarCheck& b = c.bars[k];
        o << "<td class=\"" << (b.ok ? "ok" : "miss") << "\">" << Fmt("%.3f", b.value) << "</td>";
      }
      o << "</tr>\n";
    }
  }
  o << "</table>\n";

  o << "<h2>Classification</h2>\n<table id=\"classification\"><tr><th>step</th><th>candidate</th><th>n</th>"
       "<th>accuracy</th><th>macro-F1</th></tr>\n";
  for (const auto& c : r.candidates) {
    for (const auto& m : c.classify) {
      o << "<tr><td>" << Esc(m.step) << "</td><td>" << Esc(c.name) << "</td><td>" << m.n << "</td><td>"
        << Fmt("%.3f", m.accuracy) << "</td><td>" << Fmt("%.3f", m.macro_f1) << "</td></tr>\n";
    }
  }
  o << "</table>\n<h2>Extraction</h2>\n<table id=\"extraction\"><tr><th>step / field</th><th>candidate</th>"
       "<th>exact match</th><th>precision</th><th>recall</th><th>F1</th><th>schema-valid</th><th>rejected</th>"
       "<th>evidence violations</th></tr>\n";
  for (const auto& c : r.candidates) {
    for (const auto& m : c.extract) {
      o << "<tr><td><b>" << Esc(m.step) << "</b></td><td>" << Esc(c.name) << "</td><td>" << Fmt("%.3f", m.exact_match)
        << "</td><td>" << Fmt("%.3f", m.precision) << "</td><td>" << Fmt("%.3f", m.recall) << "</td><td>"
        << Fmt("%.3f", m.f1) << "</td><td>" << Pct(m.schema_valid_rate) << "</td><td>" << m.rejected << "</td><td>"
        << m.evidence_violations << "</td></tr>\n";
      for (const auto& [k, f] : m.fields) {
        o << "<tr><td>&nbsp;&nbsp;" << Esc(k) << "</td><td>" << Esc(c.name) << "</td><td>" << Fmt("%.3f", f.exact)
          << "</td><td>" << Fmt("%.3f", f.precision) << "</td><td>" << Fmt("%.3f", f.recall) << "</td><td>"
          << Fmt("%.3f", f.f1) << "</td><td></td><td></td><td></td></tr>\n";
      }
    }
  }
  o << "</table>\n";

  o << "<h2>Quality vs memory</h2>\n";
  QualityVsMemory(r, o);
  o << "<h2>Latency per mail</h2>\n";
  LatencyChart(r, o);
  o << "<h2>Confusion matrices</h2>\n";
  for (size_t i = 0; i < r.candidates.size(); ++i) {
    // The step with the most labels says most about the mistakes.
    const ClassMetrics* widest = nullptr;
    for (const auto& m : r.candidates[i].classify) {
      if (widest == nullptr || m.labels.size() > widest->labels.size()) widest = &m;
    }
    if (widest != nullptr) Confusion(r.candidates[i], *widest, i, o);
  }
  o << "<p><small>Written by <code>kolibri eval</code>. Latency, tokens/s and peak RSS depend on the machine and "
       "its load when the evaluation ran.</small></p>\n</body></html>\n";
  return o.str();
}

}  // namespace kolibri::worker
