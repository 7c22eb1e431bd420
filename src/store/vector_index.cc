#include "kolibri/vector_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <queue>
#include <string>
#include <thread>

namespace kolibri {
namespace {

// Eight lanes of two independent accumulators (GCC/Clang vector extension): SSE pairs on
// any x86-64, AVX registers in the AVX2 clone picked at run time.
using V8 = float __attribute__((vector_size(32)));

__attribute__((target_clones("avx2", "default"))) float Dot(const float* a, const float* b, size_t n) {
  V8 acc0 = {0, 0, 0, 0, 0, 0, 0, 0};
  V8 acc1 = acc0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    V8 x0, y0, x1, y1;
    std::memcpy(&x0, a + i, sizeof x0);
    std::memcpy(&y0, b + i, sizeof y0);
    std::memcpy(&x1, a + i + 8, sizeof x1);
    std::memcpy(&y1, b + i + 8, sizeof y1);
    acc0 += x0 * y0;
    acc1 += x1 * y1;
  }
  acc0 += acc1;
  float s = ((acc0[0] + acc0[1]) + (acc0[2] + acc0[3])) + ((acc0[4] + acc0[5]) + (acc0[6] + acc0[7]));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

bool Better(const VectorHit& a, const VectorHit& b) {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

// Keeps the best k of a row range in a heap whose top is the worst kept.
void ScanRange(const float* data, const int64_t* ids, size_t begin, size_t end, size_t dim, const float* q,
               size_t k, std::vector<VectorHit>& out) {
  auto worse_on_top = [](const VectorHit& a, const VectorHit& b) { return Better(a, b); };
  std::priority_queue<VectorHit, std::vector<VectorHit>, decltype(worse_on_top)> heap(worse_on_top);
  for (size_t r = begin; r < end; ++r) {
    VectorHit h{ids[r], Dot(data + r * dim, q, dim)};
    if (heap.size() < k) {
      heap.push(h);
    } else if (Better(h, heap.top())) {
      heap.pop();
      heap.push(h);
    }
  }
  while (!heap.empty()) {
    out.push_back(heap.top());
    heap.pop();
  }
}

}  // namespace

VectorIndex::VectorIndex(int32_t dimension) : dimension_(dimension) {}

Status VectorIndex::Add(int64_t id, std::span<const float> vector) {
  if (dimension_ <= 0) return Status::InvalidArgument("the index has no dimension");
  if (vector.size() != static_cast<size_t>(dimension_)) {
    return Status::InvalidArgument("vector of dimension " + std::to_string(vector.size()) +
                                   " given to an index of dimension " + std::to_string(dimension_));
  }
  for (float x : vector) {
    if (!std::isfinite(x)) return Status::InvalidArgument("vector " + std::to_string(id) + " has a non-finite value");
  }
  auto it = row_of_.find(id);
  if (it != row_of_.end()) {
    std::copy(vector.begin(), vector.end(), data_.begin() + static_cast<std::ptrdiff_t>(it->second * dimension_));
    return Status::Ok();
  }
  row_of_[id] = ids_.size();
  ids_.push_back(id);
  data_.insert(data_.end(), vector.begin(), vector.end());
  return Status::Ok();
}

bool VectorIndex::Remove(int64_t id) {
  auto it = row_of_.find(id);
  if (it == row_of_.end()) return false;
  const size_t row = it->second;
  const size_t last = ids_.size() - 1;
  const auto dim = static_cast<size_t>(dimension_);
  if (row != last) {
    std::copy(data_.begin() + static_cast<std::ptrdiff_t>(last * dim),
              data_.begin() + static_cast<std::ptrdiff_t>((last + 1) * dim),
              data_.begin() + static_cast<std::ptrdiff_t>(row * dim));
    ids_[row] = ids_[last];
    row_of_[ids_[row]] = row;
  }
  ids_.pop_back();
  data_.resize(last * dim);
  row_of_.erase(it);
  return true;
}

void VectorIndex::Clear() {
  data_.clear();
  ids_.clear();
  row_of_.clear();
}

Result<std::vector<VectorHit>> VectorIndex::Search(std::span<const float> query, size_t k, int threads) const {
  if (query.size() != static_cast<size_t>(dimension_)) {
    return Status::InvalidArgument("query of dimension " + std::to_string(query.size()) +
                                   " for an index of dimension " + std::to_string(dimension_));
  }
  std::vector<VectorHit> hits;
  if (k == 0 || ids_.empty()) return hits;
  const size_t n = ids_.size();
  const auto dim = static_cast<size_t>(dimension_);
  const size_t parts = std::clamp<size_t>(static_cast<size_t>(std::max(threads, 1)), 1, std::max<size_t>(1, n / 4096));
  if (parts == 1) {
    ScanRange(data_.data(), ids_.data(), 0, n, dim, query.data(), k, hits);
  } else {
    std::vector<std::vector<VectorHit>> partial(parts);
    std::vector<std::thread> pool;
    for (size_t p = 0; p < parts; ++p) {
      pool.emplace_back([&, p] {
        ScanRange(data_.data(), ids_.data(), n * p / parts, n * (p + 1) / parts, dim, query.data(), k, partial[p]);
      });
    }
    for (auto& t : pool) t.join();
    for (auto& part : partial) hits.insert(hits.end(), part.begin(), part.end());
  }
  std::sort(hits.begin(), hits.end(), Better);
  if (hits.size() > k) hits.resize(k);
  return hits;
}

}  // namespace kolibri
