#include "kolibri/tasks/calibration.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace kolibri::tasks {

double MeanNll(const std::vector<LabelledScores>& examples, double temperature) {
  double total = 0;
  for (const auto& e : examples) {
    double m = -INFINITY;
    for (double s : e.scores) m = std::max(m, s / temperature);
    double z = 0;
    for (double s : e.scores) z += std::exp(s / temperature - m);
    total += -(e.scores[static_cast<size_t>(e.gold)] / temperature - m - std::log(z));
  }
  return total / static_cast<double>(examples.size());
}

Result<Calibration> FitTemperature(const std::vector<LabelledScores>& examples) {
  if (examples.empty()) return Status::InvalidArgument("no examples to calibrate on");
  for (const auto& e : examples) {
    if (e.gold < 0 || e.gold >= static_cast<int32_t>(e.scores.size())) {
      return Status::InvalidArgument("a gold label index is out of range");
    }
    for (double s : e.scores) {
      if (!std::isfinite(s)) return Status::InvalidArgument("a label score is not finite");
    }
  }
  // Golden-section search over log T (NLL is convex in 1/T; unimodal in log T as well).
  double lo = std::log(0.01), hi = std::log(100.0);
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
  double fa = MeanNll(examples, std::exp(a)), fb = MeanNll(examples, std::exp(b));
  for (int i = 0; i < 100 && hi - lo > 1e-6; ++i) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = MeanNll(examples, std::exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = MeanNll(examples, std::exp(b));
    }
  }
  Calibration c;
  c.temperature = std::exp((lo + hi) / 2);
  c.examples = static_cast<int32_t>(examples.size());
  c.nll_before = MeanNll(examples, 1.0);
  c.nll_after = MeanNll(examples, c.temperature);
  return c;
}

Result<std::vector<LabelledText>> ReadLabelledJsonl(const std::string& path) {
  std::ifstream f(path);
  if (!f) return Status::NotFound("cannot open " + path);
  std::vector<LabelledText> out;
  std::string line;
  int lineno = 0;
  while (std::getline(f, line)) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    const std::string where = path + ":" + std::to_string(lineno) + ": ";
    if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument(where + "not a JSON object");
    if (!j.contains("text") || !j["text"].is_string() || !j.contains("label") || !j["label"].is_string()) {
      return Status::InvalidArgument(where + "needs string fields \"text\" and \"label\"");
    }
    out.push_back({j["text"].get<std::string>(), j["label"].get<std::string>()});
  }
  if (out.empty()) return Status::InvalidArgument(path + " has no examples");
  return out;
}

}  // namespace kolibri::tasks
