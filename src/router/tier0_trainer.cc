// Training of the tier-0 classifier: stratified seeded split, SGD on the softmax regression,
// then temperature and threshold fitted on the held-out part (see tier0_classifier.h).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <numeric>

#include "kolibri/tier0_classifier.h"
#include "router/calibration.h"
#include "router/split_mix.h"
#include "router/text_features.h"

namespace kolibri {
namespace {

using router::SparseFeature;
using router::SplitMix;

Status ValidateOptions(const Tier0TrainOptions& o) {
  const Tier0FeatureOptions& f = o.features;
  if (f.hash_bits < 10 || f.hash_bits > 24) {
    return Status::InvalidArgument("hash bits must be in 10..24, got " +
                                   std::to_string(f.hash_bits));
  }
  if (f.char_ngram_max > 8 ||
      (f.char_ngram_max > 0 && (f.char_ngram_min < 1 || f.char_ngram_min > f.char_ngram_max))) {
    return Status::InvalidArgument(
        "character n-grams need 1 <= min <= max <= 8 (max 0 disables them)");
  }
  if (f.word_ngram_max < 1 || f.word_ngram_max > 2) {
    return Status::InvalidArgument("word n-gram length must be 1 or 2");
  }
  if (o.epochs < 1 || o.epochs > 1000) return Status::InvalidArgument("epochs must be in 1..1000");
  if (!(o.learning_rate > 0 && o.learning_rate <= 100)) {
    return Status::InvalidArgument("learning rate must be in (0, 100]");
  }
  if (!(o.l2 >= 0 && o.l2 < 1)) return Status::InvalidArgument("l2 must be in [0, 1)");
  if (!(o.holdout_fraction >= 0.02 && o.holdout_fraction <= 0.5)) {
    return Status::InvalidArgument("holdout fraction must be in [0.02, 0.5]");
  }
  if (!(o.escalation_cost > 0 && o.escalation_cost <= 1)) {
    return Status::InvalidArgument("escalation cost must be in (0, 1]");
  }
  if (!(o.oos_share >= 0 && o.oos_share < 1))
    return Status::InvalidArgument("out-of-scope share must be in [0, 1)");
  return Status::Ok();
}

struct Example {
  std::vector<SparseFeature> features;  // bucket replaced by row index for training examples
  int32_t label;
};

}  // namespace

void Tier0Classifier::FitWeights(const std::vector<LabelledText>& examples,
                                 const std::vector<int32_t>& label_of,
                                 const std::vector<size_t>& ids, const Tier0TrainOptions& options) {
  const size_t num_labels = labels_.size();
  router::FeatureHasher hasher(options.features);
  std::vector<Example> train(ids.size());
  std::vector<uint32_t> used;
  for (size_t i = 0; i < ids.size(); ++i) {
    hasher.Featurize(examples[ids[i]].text, &train[i].features);
    train[i].label = label_of[ids[i]];
    for (const SparseFeature& f : train[i].features) used.push_back(f.bucket);
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  buckets_ = std::move(used);
  BuildIndex();
  std::vector<float> document_frequency(buckets_.size(), 0.0f);
  for (Example& ex : train) {
    for (SparseFeature& f : ex.features) {
      f.bucket = static_cast<uint32_t>(index_[f.bucket]);
      document_frequency[f.bucket] += 1;
    }
  }
  row_idf_.resize(buckets_.size());
  const double n = static_cast<double>(train.size());
  for (size_t r = 0; r < row_idf_.size(); ++r) {
    row_idf_[r] = static_cast<float>(1.0 + std::log((1.0 + n) / (1.0 + document_frequency[r])));
  }
  for (Example& ex : train) router::ScaleAndNormalize(row_idf_, &ex.features);

  weights_.assign(buckets_.size() * num_labels, 0.0f);
  bias_.assign(num_labels, 0.0f);
  std::vector<float> p(num_labels);
  std::vector<size_t> order(train.size());
  std::iota(order.begin(), order.end(), size_t{0});
  SplitMix rng(options.seed ^ 0x5eed5eed5eed5eedull);
  const double total_steps =
      static_cast<double>(options.epochs) * static_cast<double>(train.size());
  double step = 0;
  for (uint32_t epoch = 0; epoch < options.epochs; ++epoch) {
    rng.Shuffle(&order);
    for (size_t id : order) {
      const Example& ex = train[id];
      const auto lr = static_cast<float>(options.learning_rate * (1.0 - step / total_steps));
      step += 1;
      std::copy(bias_.begin(), bias_.end(), p.begin());
      for (const SparseFeature& f : ex.features) {
        const float* w = weights_.data() + static_cast<size_t>(f.bucket) * num_labels;
        for (size_t c = 0; c < num_labels; ++c) p[c] += f.value * w[c];
      }
      const float max = *std::max_element(p.begin(), p.end());
      float sum = 0;
      for (float& v : p) {
        v = std::exp(v - max);
        sum += v;
      }
      const float inv = 1.0f / sum;
      for (float& v : p) v *= inv;
      p[static_cast<size_t>(ex.label)] -= 1.0f;  // p now holds the gradient of the loss
      const float decay = 1.0f - lr * static_cast<float>(options.l2);
      for (const SparseFeature& f : ex.features) {
        float* w = weights_.data() + static_cast<size_t>(f.bucket) * num_labels;
        const float scale = lr * f.value;
        for (size_t c = 0; c < num_labels; ++c) w[c] = w[c] * decay - scale * p[c];
      }
      for (size_t c = 0; c < num_labels; ++c) bias_[c] -= lr * p[c];
    }
  }
}

Result<Tier0Classifier> Tier0Classifier::Train(const std::vector<LabelledText>& examples,
                                               const Tier0TrainOptions& options,
                                               Tier0TrainReport* report) {
  KOLIBRI_RETURN_IF_ERROR(ValidateOptions(options));
  std::map<std::string, std::vector<size_t>> by_label;
  for (size_t i = 0; i < examples.size(); ++i) {
    if (examples[i].label.empty())
      return Status::InvalidArgument("example " + std::to_string(i + 1) + " has an empty label");
    by_label[examples[i].label].push_back(i);
  }
  if (by_label.size() < 2) {
    return Status::InvalidArgument(
        "training needs at least two distinct labels, found " + std::to_string(by_label.size()) +
        (by_label.empty() ? "" : " ('" + by_label.begin()->first + "')"));
  }
  if (!options.oos_label.empty() && !by_label.contains(options.oos_label)) {
    return Status::InvalidArgument("the out-of-scope label '" + options.oos_label +
                                   "' does not occur in the training data");
  }
  Tier0Classifier model;
  model.features_ = options.features;
  std::vector<int32_t> label_of(examples.size());
  for (auto& [label, ids] : by_label) {
    const auto index = static_cast<int32_t>(model.labels_.size());
    if (label == options.oos_label) model.oos_index_ = index;
    model.labels_.push_back(label);
    for (size_t id : ids) label_of[id] = index;
  }
  const LabelledSplit split = StratifiedSplit(examples, options.holdout_fraction, options.seed);
  const std::vector<size_t>& train_ids = split.first;
  const std::vector<size_t>& holdout_ids = split.second;
  if (holdout_ids.empty()) {
    return Status::InvalidArgument(
        "too few examples to hold out any for calibration: give at least "
        "two examples of some label");
  }
  const size_t num_labels = model.labels_.size();
  const auto start = std::chrono::steady_clock::now();
  model.FitWeights(examples, label_of, train_ids, options);
  double train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Calibration on the held-out part only.
  std::vector<float> logits(holdout_ids.size() * num_labels);
  std::vector<int32_t> gold(holdout_ids.size());
  std::vector<float> row;
  for (size_t i = 0; i < holdout_ids.size(); ++i) {
    model.Logits(examples[holdout_ids[i]].text, &row);
    std::copy(row.begin(), row.end(), logits.begin() + static_cast<std::ptrdiff_t>(i * num_labels));
    gold[i] = label_of[holdout_ids[i]];
  }
  model.temperature_ = router::FitTemperature(logits, num_labels, gold);
  std::vector<float> confidence(gold.size());
  std::vector<int32_t> predicted(gold.size());
  size_t correct = 0;
  Tier0Prediction prediction;
  for (size_t i = 0; i < holdout_ids.size(); ++i) {
    model.Predict(examples[holdout_ids[i]].text, &prediction);
    confidence[i] = prediction.probability;
    predicted[i] = static_cast<int32_t>(prediction.top);
    correct += predicted[i] == gold[i] ? 1 : 0;
  }
  const router::ThresholdChoice choice = router::ChooseThreshold(
      confidence, predicted, gold, model.oos_index_, options.escalation_cost, options.oos_share);
  model.threshold_ = choice.threshold;
  const double holdout_nll_raw = router::MeanNll(logits, num_labels, gold, 1.0);
  const double holdout_nll_calibrated =
      router::MeanNll(logits, num_labels, gold, model.temperature_);
  if (options.refit) {
    std::vector<size_t> all(examples.size());
    std::iota(all.begin(), all.end(), size_t{0});
    const auto refit_start = std::chrono::steady_clock::now();
    model.FitWeights(examples, label_of, all, options);
    train_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - refit_start).count();
  }

  const std::string bytes = model.Serialize();
  std::memcpy(&model.checksum_, bytes.data() + bytes.size() - sizeof model.checksum_,
              sizeof model.checksum_);

  if (report != nullptr) {
    report->train_examples = train_ids.size();
    report->holdout_examples = holdout_ids.size();
    report->labels = num_labels;
    report->feature_rows = model.buckets_.size();
    report->train_seconds = train_seconds;
    report->holdout_nll_raw = holdout_nll_raw;
    report->holdout_nll_calibrated = holdout_nll_calibrated;
    report->holdout_accuracy = static_cast<double>(correct) / static_cast<double>(gold.size());
    report->holdout_coverage = choice.coverage;
    report->holdout_answered_accuracy = choice.answered_accuracy;
    report->temperature = model.temperature_;
    report->threshold = model.threshold_;
  }
  return model;
}

}  // namespace kolibri
