// PushdownAutomaton: a Grammar lowered to one epsilon-free NFA per rule, with byte edges
// inside a rule and call edges into other rules. Node ids are global; rule r owns nodes
// [rule_begin[r], rule_begin[r+1]) and starts at rule_begin[r]. A node is `final` when its
// rule may end there. Every node left after BuildPushdownAutomaton can reach its rule's end
// (unproductive edges are trimmed), so any live matcher state can still complete.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/grammar/grammar.h"
#include "kolibri/status.h"

namespace kolibri::grammar {

inline constexpr int32_t kInfinity = std::numeric_limits<int32_t>::max() / 4;

struct ByteEdge {
  ByteSet bytes;
  int32_t target = 0;
};

struct CallEdge {
  int32_t rule = 0;
  int32_t ret = 0;     // node to continue at once the callee ends
  bool tail = false;   // `ret` is final with no edges: no frame needs pushing
};

struct PushdownAutomaton {
  std::vector<int32_t> rule_begin;      // rules + 1 entries
  std::vector<int32_t> node_rule;
  std::vector<uint8_t> final;
  std::vector<int32_t> byte_begin;      // CSR into byte_edges, nodes + 1 entries
  std::vector<ByteEdge> byte_edges;
  std::vector<int32_t> call_begin;      // CSR into call_edges
  std::vector<CallEdge> call_edges;
  std::vector<int32_t> dist_to_end;     // shortest byte count from node to its rule's end
  std::vector<int32_t> rule_min_length;
  int32_t root_rule = 0;

  int32_t node_count() const { return static_cast<int32_t>(final.size()); }
  int32_t rule_start(int32_t rule) const { return rule_begin[rule]; }
};

Result<PushdownAutomaton> BuildPushdownAutomaton(const Grammar& grammar, const CompileOptions& options);

}  // namespace kolibri::grammar
