#include "router/calibration.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kolibri::router {

double MeanNll(const std::vector<float>& logits, size_t num_labels,
               const std::vector<int32_t>& gold, double temperature) {
  if (gold.empty()) return 0;
  double total = 0;
  for (size_t i = 0; i < gold.size(); ++i) {
    const float* row = logits.data() + i * num_labels;
    double max = row[0];
    for (size_t c = 1; c < num_labels; ++c) max = std::max(max, static_cast<double>(row[c]));
    double sum = 0;
    for (size_t c = 0; c < num_labels; ++c) sum += std::exp((row[c] - max) / temperature);
    total += std::log(sum) - (row[gold[i]] - max) / temperature;
  }
  return total / static_cast<double>(gold.size());
}

double FitTemperature(const std::vector<float>& logits, size_t num_labels,
                      const std::vector<int32_t>& gold) {
  if (gold.empty()) return 1;
  const double kInvPhi = (std::sqrt(5.0) - 1) / 2;
  double lo = std::log(0.05);
  double hi = std::log(20.0);
  double a = hi - kInvPhi * (hi - lo);
  double b = lo + kInvPhi * (hi - lo);
  double fa = MeanNll(logits, num_labels, gold, std::exp(a));
  double fb = MeanNll(logits, num_labels, gold, std::exp(b));
  for (int iter = 0; iter < 60 && hi - lo > 1e-4; ++iter) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - kInvPhi * (hi - lo);
      fa = MeanNll(logits, num_labels, gold, std::exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + kInvPhi * (hi - lo);
      fb = MeanNll(logits, num_labels, gold, std::exp(b));
    }
  }
  return std::exp((lo + hi) / 2);
}

ThresholdChoice ChooseThreshold(const std::vector<float>& confidence,
                                const std::vector<int32_t>& predicted,
                                const std::vector<int32_t>& gold, int32_t oos_index,
                                double escalation_cost, double oos_share) {
  ThresholdChoice best;
  const size_t n = confidence.size();
  if (n == 0) return best;
  // Candidates for answering, most confident first; items predicted out of scope are
  // never answered and cost nothing.
  std::vector<size_t> order;
  for (size_t i = 0; i < n; ++i) {
    if (predicted[i] != oos_index || oos_index < 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return confidence[x] > confidence[y]; });
  auto right = [&](size_t i) { return predicted[i] == gold[i] && gold[i] != oos_index; };
  size_t oos_count = 0;
  for (size_t i = 0; i < n; ++i) oos_count += gold[i] == oos_index && oos_index >= 0 ? 1 : 0;
  const bool reweigh = oos_share > 0 && oos_count > 0 && oos_count < n;
  const double in_weight =
      reweigh ? (1 - oos_share) * static_cast<double>(n) / static_cast<double>(n - oos_count) : 1.0;
  const double oos_weight =
      reweigh ? oos_share * static_cast<double>(n) / static_cast<double>(oos_count) : 1.0;
  auto weight = [&](size_t i) {
    return gold[i] == oos_index && oos_index >= 0 ? oos_weight : in_weight;
  };
  // Answer nothing: every right prediction is escalated needlessly.
  double needless = 0;
  for (size_t i : order) needless += right(i) ? weight(i) : 0;
  double wrong = 0;
  double best_cost = escalation_cost * needless;
  size_t best_k = 0;  // answer order[0..k)
  for (size_t k = 1; k <= order.size(); ++k) {
    const size_t i = order[k - 1];
    if (right(i))
      needless -= weight(i);
    else
      wrong += weight(i);
    // Only split between distinct confidences.
    if (k < order.size() && confidence[order[k]] == confidence[i]) continue;
    const double cost = wrong + escalation_cost * needless;
    if (cost <= best_cost + 1e-9) {
      best_cost = cost;
      best_k = k;
    }
  }
  if (best_k == 0) {
    best.threshold = order.empty() ? 1.0 : std::nextafter(confidence[order[0]], 2.0f);
  } else if (best_k == order.size()) {
    best.threshold = 0;
  } else {
    best.threshold =
        (static_cast<double>(confidence[order[best_k - 1]]) + confidence[order[best_k]]) / 2;
  }
  size_t answered_right = 0;
  for (size_t k = 0; k < best_k; ++k) answered_right += right(order[k]) ? 1 : 0;
  best.cost = best_cost / static_cast<double>(n);
  best.coverage = static_cast<double>(best_k) / static_cast<double>(n);
  best.answered_accuracy =
      best_k == 0 ? 1.0 : static_cast<double>(answered_right) / static_cast<double>(best_k);
  return best;
}

}  // namespace kolibri::router
