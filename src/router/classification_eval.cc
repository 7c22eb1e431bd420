#include "kolibri/classification_eval.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

namespace kolibri {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Ratio(size_t num, size_t den) {
  return den == 0 ? kNaN : static_cast<double>(num) / static_cast<double>(den);
}

ThresholdMetrics At(const std::vector<ClassifiedItem>& items, const std::string& oos,
                    double threshold) {
  ThresholdMetrics m;
  m.threshold = threshold;
  struct Counts {
    size_t tp = 0, fp = 0, fn = 0;
  };
  std::map<std::string, Counts> per_label;
  size_t correct = 0, answered_correct = 0, in_scope = 0, in_scope_correct = 0;
  size_t oos_total = 0, oos_declined = 0;
  for (const ClassifiedItem& it : items) {
    const bool answered =
        !it.always_escalate && it.confidence >= threshold && (oos.empty() || it.predicted != oos);
    const bool gold_oos = !oos.empty() && it.gold == oos;
    // A declined item predicts the out-of-scope label, or nothing without one.
    const std::string* decision = answered ? &it.predicted : (oos.empty() ? nullptr : &oos);
    const bool right = decision != nullptr && *decision == it.gold;
    correct += right ? 1 : 0;
    per_label[it.gold];
    if (right) {
      per_label[it.gold].tp++;
    } else {
      per_label[it.gold].fn++;
      if (decision != nullptr) per_label[*decision].fp++;
    }
    if (answered) {
      m.answered++;
      answered_correct += right ? 1 : 0;
    }
    if (gold_oos) {
      oos_total++;
      oos_declined += answered ? 0 : 1;
    } else {
      in_scope++;
      in_scope_correct += answered && right ? 1 : 0;
    }
  }
  double f1_sum = 0;
  for (const auto& [label, c] : per_label) {
    const double denom = 2.0 * static_cast<double>(c.tp) + static_cast<double>(c.fp + c.fn);
    f1_sum += denom == 0 ? 0 : 2.0 * static_cast<double>(c.tp) / denom;
  }
  m.accuracy = Ratio(correct, items.size());
  m.macro_f1 = per_label.empty() ? kNaN : f1_sum / static_cast<double>(per_label.size());
  m.coverage = Ratio(m.answered, items.size());
  m.answered_accuracy = Ratio(answered_correct, m.answered);
  m.in_scope_accuracy = Ratio(in_scope_correct, in_scope);
  m.oos_recall = Ratio(oos_declined, oos_total);
  return m;
}

nlohmann::json Number(double v) {
  return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
}

nlohmann::json MetricsJson(const ThresholdMetrics& m, bool with_oos) {
  nlohmann::json j = {
      {"threshold", m.threshold},       {"answered", m.answered},
      {"accuracy", Number(m.accuracy)}, {"macro_f1", Number(m.macro_f1)},
      {"coverage", Number(m.coverage)}, {"answered_accuracy", Number(m.answered_accuracy)}};
  if (with_oos) {
    j["in_scope_accuracy"] = Number(m.in_scope_accuracy);
    j["oos_recall"] = Number(m.oos_recall);
  }
  return j;
}

std::string Cell(double v) {
  if (std::isnan(v)) return "     -";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%6.4f", v);
  return buf;
}

}  // namespace

ClassificationEval EvaluateClassifications(const std::vector<ClassifiedItem>& items,
                                           const ClassificationEvalOptions& options) {
  ClassificationEval eval;
  eval.examples = items.size();
  eval.oos_label = options.oos_label;
  size_t top1 = 0;
  constexpr int kBins = 10;
  double bin_conf[kBins] = {};
  size_t bin_right[kBins] = {};
  size_t bin_count[kBins] = {};
  for (const ClassifiedItem& it : items) {
    const bool right = it.predicted == it.gold;
    top1 += right ? 1 : 0;
    if (!options.oos_label.empty() && it.gold == options.oos_label) eval.oos_examples++;
    const int bin = std::min(kBins - 1, std::max(0, static_cast<int>(it.confidence * kBins)));
    bin_conf[bin] += it.confidence;
    bin_right[bin] += right ? 1 : 0;
    bin_count[bin]++;
  }
  eval.top1_accuracy = Ratio(top1, items.size());
  double ece = 0;
  for (int b = 0; b < kBins; ++b) {
    if (bin_count[b] == 0) continue;
    const auto count = static_cast<double>(bin_count[b]);
    ece += count * std::abs(bin_conf[b] / count - static_cast<double>(bin_right[b]) / count);
  }
  eval.expected_calibration_error = items.empty() ? kNaN : ece / static_cast<double>(items.size());
  eval.calibrated = At(items, options.oos_label, options.calibrated_threshold);
  for (double t : options.thresholds) eval.sweep.push_back(At(items, options.oos_label, t));
  return eval;
}

std::string ClassificationEvalJson(const ClassificationEval& eval) {
  const bool with_oos = !eval.oos_label.empty();
  nlohmann::json j = {{"examples", eval.examples},
                      {"top1_accuracy", Number(eval.top1_accuracy)},
                      {"expected_calibration_error", Number(eval.expected_calibration_error)},
                      {"calibrated", MetricsJson(eval.calibrated, with_oos)},
                      {"sweep", nlohmann::json::array()}};
  if (with_oos) {
    j["oos_label"] = eval.oos_label;
    j["oos_examples"] = eval.oos_examples;
  }
  for (const ThresholdMetrics& m : eval.sweep) j["sweep"].push_back(MetricsJson(m, with_oos));
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ClassificationEvalText(const ClassificationEval& eval) {
  const bool with_oos = !eval.oos_label.empty();
  std::string out;
  char buf[256];
  std::snprintf(
      buf, sizeof buf, "examples: %zu%s\ntop-1 accuracy: %s   expected calibration error: %s\n",
      eval.examples,
      with_oos ? (" (" + std::to_string(eval.oos_examples) + " labelled '" + eval.oos_label + "')")
                     .c_str()
               : "",
      Cell(eval.top1_accuracy).c_str(), Cell(eval.expected_calibration_error).c_str());
  out += buf;
  out += with_oos
             ? "threshold  accuracy  macro-F1  coverage  acc-answered  in-scope-acc  oos-recall\n"
             : "threshold  accuracy  macro-F1  coverage  acc-answered\n";
  auto row = [&](const ThresholdMetrics& m, const char* note) {
    std::snprintf(buf, sizeof buf, "%9.4f    %s    %s    %s        %s", m.threshold,
                  Cell(m.accuracy).c_str(), Cell(m.macro_f1).c_str(), Cell(m.coverage).c_str(),
                  Cell(m.answered_accuracy).c_str());
    out += buf;
    if (with_oos) {
      std::snprintf(buf, sizeof buf, "        %s      %s", Cell(m.in_scope_accuracy).c_str(),
                    Cell(m.oos_recall).c_str());
      out += buf;
    }
    out += note;
    out += '\n';
  };
  for (const ThresholdMetrics& m : eval.sweep) row(m, "");
  row(eval.calibrated, "  <- calibrated");
  return out;
}

}  // namespace kolibri
