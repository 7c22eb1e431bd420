// VectorIndex: exact top-k search over dense vectors by inner product (cosine similarity
// for normalized vectors), in memory. A vectorised scan, on purpose: at the scale of a
// company's documents (10^5 chunks of 384–1024 dims) it answers in tens of milliseconds
// on one core with exact recall, no build step and no tuning (see docs/benchmarks.md,
// "Vector search"). The document store persists the vectors and rebuilds this on open.
//
// Thread safety: Search() may run concurrently with other Search() calls; Add/Remove need
// exclusive access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "kolibri/status.h"

namespace kolibri {

struct VectorHit {
  int64_t id = 0;
  float score = 0;  // inner product with the query
};

class VectorIndex {
 public:
  explicit VectorIndex(int32_t dimension);

  int32_t dimension() const { return dimension_; }
  size_t size() const { return ids_.size(); }

  // Adds or replaces the vector of `id`. InvalidArgument on a wrong dimension or a
  // non-finite value.
  Status Add(int64_t id, std::span<const float> vector);
  // Removes `id`; false when it was not there.
  bool Remove(int64_t id);
  void Clear();

  // The k vectors with the highest inner product, best first (ties: lower id first).
  // `threads` > 1 splits the scan. InvalidArgument on a wrong query dimension.
  Result<std::vector<VectorHit>> Search(std::span<const float> query, size_t k, int threads = 1) const;

 private:
  int32_t dimension_;
  std::vector<float> data_;  // row-major, size() × dimension_
  std::vector<int64_t> ids_;
  std::unordered_map<int64_t, size_t> row_of_;
};

}  // namespace kolibri
