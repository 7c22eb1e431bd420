// SplitMix64: a tiny, portable pseudo-random generator, so a seed gives the same split and
// the same shuffles on every platform (std:: distributions differ between standard
// libraries). Not for cryptography.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace kolibri::router {

class SplitMix {
 public:
  explicit SplitMix(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Fisher-Yates with Next() % i (the modulo bias is irrelevant at these sizes).
  template <typename T>
  void Shuffle(std::vector<T>* v) {
    for (size_t i = v->size(); i > 1; --i) std::swap((*v)[i - 1], (*v)[Next() % i]);
  }

 private:
  uint64_t state_;
};

}  // namespace kolibri::router
