// Calibration of a classifier's scores on held-out data: temperature scaling and the choice
// of a confidence threshold. Shared by the tier-0 trainer and (later) the label-scoring
// task calibration; pure functions over plain arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kolibri::router {

// Mean negative log-likelihood of `gold` under softmax(logits / temperature). `logits` is
// row-major, gold.size() rows of `num_labels`.
double MeanNll(const std::vector<float>& logits, size_t num_labels,
               const std::vector<int32_t>& gold, double temperature);

// The temperature in [0.05, 20] minimising MeanNll (golden-section search on log T; NLL is
// unimodal in T). Returns 1 for empty input.
double FitTemperature(const std::vector<float>& logits, size_t num_labels,
                      const std::vector<int32_t>& gold);

struct ThresholdChoice {
  double threshold = 0;
  double cost = 0;               // per item
  double coverage = 0;           // share answered
  double answered_accuracy = 1;  // share of answered items that are right
};

// Chooses the confidence threshold minimising
//   #(answered and wrong) + escalation_cost × #(escalated although predicted right),
// where an item is answered when confidence >= threshold and predicted != oos_index (-1 =
// no out-of-scope label); an item whose gold label is oos_index is wrong whenever answered.
// With oos_share in (0, 1) and both groups present, items are reweighted so that the
// out-of-scope group carries that share of the total weight (held-out prevalence rarely
// matches production); 0 keeps every item at weight 1.
// The threshold lies halfway between the neighbouring confidences of the best split; ties
// keep the lower threshold (more coverage).
ThresholdChoice ChooseThreshold(const std::vector<float>& confidence,
                                const std::vector<int32_t>& predicted,
                                const std::vector<int32_t>& gold, int32_t oos_index,
                                double escalation_cost, double oos_share = 0);

}  // namespace kolibri::router
