// The tier-0 classifier: the cascade's cheapest tier. A softmax regression over hashed word
// unigrams, word bigrams and character n-grams (see FeatureOptions), trained in seconds from
// labelled examples, with temperature-scaled (calibrated) probabilities and a confidence
// threshold below which it escalates instead of answering.
//
// Training (Tier0Classifier::Train) splits a seeded held-out part off the examples
// (stratified by label), fits the weights on the rest by SGD (per-example steps, a linearly
// decaying rate, L2 decay of the touched rows; features scaled by inverse document frequency
// and normalised to unit length), then fits on the held-out part only: the temperature
// (minimising negative log-likelihood) and the threshold (minimising  wrong answers +
// escalation_cost × needless escalations, where an item of the out-of-scope label counts as
// wrong whenever it is answered; `oos_share` reweighs the two groups). With `refit` the weights are
// then fitted again on all examples, keeping that temperature and threshold (more data for the
// weights; calibration still comes only from examples the calibrated model had not seen). Same data
// and options give bit-identical models on one platform.
//
// Model files (Save/Load): little-endian binary, magic "KOLIBRT0", a format version, the
// feature options, labels, temperature, threshold, the used hash buckets (sorted) with an
// inverse document frequency and a weight row each, the bias, and a trailing FNV-1a checksum. Load
// validates magic, version, sizes, ranges and the checksum, and answers kCorrupt / kUnsupported
// with the reason.
//
// Thread safety: a Tier0Classifier is immutable after Train/Load (set_threshold aside);
// Predict may run concurrently from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/labelled_data.h"
#include "kolibri/status.h"

namespace kolibri {

// How a text becomes features; stored in the model file.
struct Tier0FeatureOptions {
  uint32_t hash_bits = 20;      // 2^hash_bits buckets; 10..24
  uint32_t char_ngram_min = 2;  // shortest character n-gram, in code points, of "<word>"
  uint32_t char_ngram_max = 5;  // longest (<= 8); 0 disables character n-grams
  uint32_t word_ngram_max = 2;  // 1: words only; 2: words and adjacent word pairs
};

struct Tier0TrainOptions {
  Tier0FeatureOptions features;
  uint32_t epochs = 15;           // passes over the training part; 1..1000
  double learning_rate = 2.0;     // initial SGD step, decaying linearly to 0
  double l2 = 1e-6;               // weight decay per touched row and step
  double holdout_fraction = 0.2;  // share held out for calibration; 0.02..0.5
  uint64_t seed = 1;              // split, shuffling
  std::string oos_label;          // label of out-of-scope examples ("" = none)
  double escalation_cost = 1.0;   // cost of escalating an item the model had right,
                                  // relative to a wrong answer (1); in (0, 1]. 1: the
                                  // threshold maximises held-out decision accuracy
  double oos_share = 0;           // expected share of out-of-scope inputs when choosing the
                                  // threshold, in [0, 1); 0: their held-out share
  bool refit = true;              // after calibrating, fit the weights again on all
                                  // examples (temperature and threshold stay as fitted)
};

// What training did, for logs and `train-router` output.
struct Tier0TrainReport {
  size_t train_examples = 0;
  size_t holdout_examples = 0;
  size_t labels = 0;
  size_t feature_rows = 0;     // distinct hash buckets seen in training
  double train_seconds = 0;    // weight fitting (both fits with refit)
  double holdout_nll_raw = 0;  // mean NLL on the held-out part at temperature 1
  double holdout_nll_calibrated = 0;
  double holdout_accuracy = 0;  // top-1, ignoring the threshold
  double holdout_coverage = 0;  // share answered at the chosen threshold
  double holdout_answered_accuracy = 0;
  double temperature = 1;
  double threshold = 0;
};

struct Tier0Prediction {
  std::vector<float> probabilities;  // calibrated, one per label, summing to 1
  size_t top = 0;                    // index into labels()
  float probability = 0;             // probabilities[top]
  float margin = 0;                  // top minus runner-up probability
  float entropy = 0;                 // of `probabilities`, in nats
  size_t known_features = 0;         // the text's features seen in training
  bool escalate = false;             // probability < threshold, the OOS label on top, or
                                     // no known feature (empty or foreign input)
};

class Tier0Classifier {
 public:
  // Errors: kInvalidArgument for fewer than two labels, too few examples to hold out one
  // per label, or options out of range (each message names the option).
  static Result<Tier0Classifier> Train(const std::vector<LabelledText>& examples,
                                       const Tier0TrainOptions& options,
                                       Tier0TrainReport* report = nullptr);

  // Errors: kNotFound (no file), kCorrupt (bad magic, truncated, sizes out of range,
  // checksum), kUnsupported (a newer format version).
  static Result<Tier0Classifier> Load(const std::string& path);
  static Result<Tier0Classifier> Deserialize(std::string_view bytes, std::string_view source);
  Status Save(const std::string& path) const;  // writes a temporary file, then renames
  std::string Serialize() const;

  Tier0Prediction Predict(std::string_view text) const;
  // The same, reusing `out`'s storage (no allocation once warm).
  void Predict(std::string_view text, Tier0Prediction* out) const;
  // Uncalibrated scores (temperature 1), one per label. Returns how many of the text's
  // features were seen in training.
  size_t Logits(std::string_view text, std::vector<float>* out) const;

  const std::vector<std::string>& labels() const { return labels_; }
  const Tier0FeatureOptions& feature_options() const { return features_; }
  double temperature() const { return temperature_; }
  double threshold() const { return threshold_; }
  void set_threshold(double threshold) { threshold_ = threshold; }
  const std::string& oos_label() const;  // "" when the model has none
  size_t feature_rows() const { return buckets_.size(); }
  // "t0-" + the model file's checksum in hex: names this exact model in audit records.
  std::string fingerprint() const;

 private:
  void BuildIndex();
  // Sets buckets, IDF, weights and bias from examples[ids] (labels as indices in label_of).
  void FitWeights(const std::vector<LabelledText>& examples, const std::vector<int32_t>& label_of,
                  const std::vector<size_t>& ids, const Tier0TrainOptions& options);

  Tier0FeatureOptions features_;
  std::vector<std::string> labels_;
  int32_t oos_index_ = -1;
  double temperature_ = 1;
  double threshold_ = 0;
  std::vector<uint32_t> buckets_;  // sorted; row i holds the weights of buckets_[i]
  std::vector<float> weights_;     // buckets_.size() × labels_.size(), row-major
  std::vector<float> bias_;        // labels_.size()
  std::vector<float> row_idf_;     // per row: 1 + ln((1 + n) / (1 + document frequency))
  std::vector<int32_t> index_;     // bucket → row, -1 when unseen (built on load)
  uint64_t checksum_ = 0;          // of the serialized model (set by Train and Load)
};

}  // namespace kolibri
