// Evaluation of a classifier with an escalation threshold, shared by every tier that
// classifies (`kolibri classify --router MODEL --eval FILE`, and the label-scoring task).
//
// Each item has a gold label, the classifier's top label and its calibrated confidence. At a
// threshold t an item is *answered* when confidence >= t, the top label is not the
// out-of-scope label and the classifier did not refuse it outright (always_escalate); otherwise it
// is *declined* (escalated / out of scope). A declined item counts as predicting the out-of-scope
// label when one is given, else as predicting nothing.
//
// Metrics at t: accuracy (decision equals gold, over all items), macro-F1 (over the labels
// present in gold or answered, each class's F1 averaged unweighted), coverage (answered
// share), answered accuracy (right share of the answered; NaN when none), in-scope accuracy
// (answered and right, over items whose gold is not out of scope — CLINC150's definition),
// out-of-scope recall (declined share of gold out-of-scope items; NaN without any).
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace kolibri {

struct ClassifiedItem {
  std::string gold;
  std::string predicted;         // the top label, before any threshold
  double confidence = 0;         // calibrated probability of `predicted`
  bool always_escalate = false;  // declined at every threshold (e.g. no known feature)
};

struct ClassificationEvalOptions {
  std::string oos_label;            // "" = the data has no out-of-scope items
  double calibrated_threshold = 0;  // the classifier's own threshold, reported apart
  std::vector<double> thresholds = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99};
};

struct ThresholdMetrics {
  double threshold = 0;
  size_t answered = 0;
  double accuracy = 0;
  double macro_f1 = 0;
  double coverage = 0;
  double answered_accuracy = 0;
  double in_scope_accuracy = 0;
  double oos_recall = 0;
};

struct ClassificationEval {
  size_t examples = 0;
  size_t oos_examples = 0;  // gold is the out-of-scope label
  std::string oos_label;
  double top1_accuracy = 0;               // predicted == gold, no threshold
  double expected_calibration_error = 0;  // top-1 confidence, 10 equal-width bins
  ThresholdMetrics calibrated;            // at options.calibrated_threshold
  std::vector<ThresholdMetrics> sweep;
};

ClassificationEval EvaluateClassifications(const std::vector<ClassifiedItem>& items,
                                           const ClassificationEvalOptions& options);

// The report as one JSON object (NaN values as null).
std::string ClassificationEvalJson(const ClassificationEval& eval);
// The report as an aligned text table for terminals.
std::string ClassificationEvalText(const ClassificationEval& eval);

}  // namespace kolibri
