// Hashed n-gram features of a text for the tier-0 classifier.
//
// The text is Unicode-normalised (NFKC) and case-folded with utf8proc; pure ASCII takes a
// fast path (lower-casing); invalid UTF-8 falls back to lower-casing ASCII bytes and treating
// other bytes as letters. Words are maximal runs of letters, marks and digits. Features:
// every word, every pair of adjacent words, and every character n-gram of length
// [char_ngram_min, char_ngram_max] (in code points) of each word framed as "<word>". Each
// feature is hashed (64-bit FNV-1a, a distinct salt per kind, then a SplitMix64 finaliser)
// into 2^hash_bits buckets, valued 1 + ln(count). The model then maps buckets to weight rows,
// scales each by the row's inverse document frequency and normalises the vector to unit L2
// norm (ScaleAndNormalize), so long and short texts weigh alike.
//
// Thread safety: a FeatureHasher is immutable; Featurize may run on many threads at once (it
// uses only the caller's output vector and thread-local scratch).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/tier0_classifier.h"

namespace kolibri::router {

struct SparseFeature {
  uint32_t bucket;
  float value;
};

class FeatureHasher {
 public:
  explicit FeatureHasher(const Tier0FeatureOptions& options) : options_(options) {}

  // Replaces `out` with the text's features: unique buckets in ascending order with
  // values 1 + ln(count) (empty for a text without words).
  void Featurize(std::string_view text, std::vector<SparseFeature>* out) const;

 private:
  Tier0FeatureOptions options_;
};

// For features whose `bucket` already holds a row index: multiplies each value by
// row_scale[row], then scales the vector to unit L2 norm (no-op for an empty vector).
void ScaleAndNormalize(const std::vector<float>& row_scale, std::vector<SparseFeature>* rows);

// Lower-cased, NFKC-normalised words of `text` (the word split Featurize uses).
std::vector<std::string> SplitWords(std::string_view text);

}  // namespace kolibri::router
