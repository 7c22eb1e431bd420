// Temperature scaling for label scoring: one scalar T with distribution softmax(score / T),
// fitted on labelled dev examples by minimising the mean negative log-likelihood of the
// gold labels (convex in 1/T, so a bracketed one-dimensional search finds the optimum).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kolibri/status.h"
#include "kolibri/tasks/task.h"

namespace kolibri::tasks {

struct LabelledScores {
  std::vector<double> scores;  // raw log-scores per label (TaskRunner::ScoreLabels)
  int32_t gold = 0;            // index of the right label
};

// InvalidArgument when there are no examples or a gold index is out of range. The
// temperature is searched in [0.01, 100].
Result<Calibration> FitTemperature(const std::vector<LabelledScores>& examples);

// Mean negative log-likelihood of the gold labels at `temperature`.
double MeanNll(const std::vector<LabelledScores>& examples, double temperature);

struct LabelledText {
  std::string text;
  std::string label;
};
// A JSONL file of {"text": ..., "label": ...} objects (blank lines skipped). Errors name the
// line: InvalidArgument for a malformed line, NotFound for a missing file.
Result<std::vector<LabelledText>> ReadLabelledJsonl(const std::string& path);

}  // namespace kolibri::tasks
