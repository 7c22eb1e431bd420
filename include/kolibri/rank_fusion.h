// Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): several ranked lists
// of ids become one, each id scoring sum over lists of 1 / (k + rank), rank 1-based. It
// needs no score calibration between retrievers (BM25 scores and cosine similarities are
// not comparable), which is why hybrid retrieval uses it. k = 60 is the paper's constant:
// it damps the head of each list so that an id ranked well by two retrievers beats one
// ranked first by only one.
#pragma once

#include <cstdint>
#include <vector>

namespace kolibri {

inline constexpr int kDefaultRrfK = 60;

struct FusedRank {
  int64_t id = 0;
  double score = 0;            // sum of 1 / (k + rank)
  std::vector<int> ranks;      // per input list: the id's 1-based rank there, 0 when absent
};

// Fuses `lists` (each best first; an id repeated within a list counts at its first rank).
// Result best first; ties by the better best rank, then the lower id. k must be >= 0
// (negative values are treated as 0).
std::vector<FusedRank> ReciprocalRankFusion(const std::vector<std::vector<int64_t>>& lists, int k = kDefaultRrfK);

}  // namespace kolibri
