#include "kolibri/rank_fusion.h"

#include <algorithm>
#include <climits>
#include <unordered_map>

namespace kolibri {

std::vector<FusedRank> ReciprocalRankFusion(const std::vector<std::vector<int64_t>>& lists, int k) {
  k = std::max(k, 0);
  std::vector<FusedRank> out;
  std::unordered_map<int64_t, size_t> at;
  for (size_t l = 0; l < lists.size(); ++l) {
    for (size_t r = 0; r < lists[l].size(); ++r) {
      const int64_t id = lists[l][r];
      auto [it, fresh] = at.emplace(id, out.size());
      if (fresh) out.push_back({id, 0.0, std::vector<int>(lists.size(), 0)});
      FusedRank& f = out[it->second];
      if (f.ranks[l] != 0) continue;
      f.ranks[l] = static_cast<int>(r) + 1;
      f.score += 1.0 / (k + static_cast<double>(r) + 1.0);
    }
  }
  auto best_rank = [](const FusedRank& f) {
    int best = INT_MAX;
    for (int r : f.ranks) {
      if (r > 0) best = std::min(best, r);
    }
    return best;
  };
  std::sort(out.begin(), out.end(), [&](const FusedRank& a, const FusedRank& b) {
    if (a.score != b.score) return a.score > b.score;
    const int ra = best_rank(a), rb = best_rank(b);
    if (ra != rb) return ra < rb;
    return a.id < b.id;
  });
  return out;
}

}  // namespace kolibri
