#include "grammar/pushdown_automaton.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <string>

namespace kolibri::grammar {
namespace {

// Thompson construction of one rule, with epsilon edges, before their elimination.
class RuleBuilder {
 public:
  RuleBuilder(const Grammar& g, size_t budget) : g_(g), budget_(budget) {}

  int32_t NewNode() {
    if (eps_.size() >= budget_) overflow_ = true;
    if (overflow_) return 0;
    eps_.emplace_back();
    bytes_.emplace_back();
    calls_.emplace_back();
    return static_cast<int32_t>(eps_.size()) - 1;
  }
  bool overflow() const { return overflow_; }

  // Adds the expression's paths starting at `from`; returns the node where they end.
  int32_t Build(ExprId id, int32_t from, int depth) {
    if (overflow_) return 0;
    if (depth > 2000) {
      overflow_ = true;
      return 0;
    }
    const Expr& e = g_.expr(id);
    switch (e.kind) {
      case ExprKind::kEmpty: return from;
      case ExprKind::kNothing: return NewNode();
      case ExprKind::kBytes: {
        int32_t to = NewNode();
        if (!overflow_) bytes_[from].push_back({e.bytes, to});
        return to;
      }
      case ExprKind::kRef: {
        int32_t to = NewNode();
        if (!overflow_) calls_[from].push_back({e.rule, to, false});
        return to;
      }
      case ExprKind::kSeq: {
        int32_t cur = from;
        for (ExprId c : e.children) cur = Build(c, cur, depth + 1);
        return cur;
      }
      case ExprKind::kAlt: {
        int32_t to = NewNode();
        for (ExprId c : e.children) {
          int32_t end = Build(c, from, depth + 1);
          if (!overflow_) eps_[end].push_back(to);
        }
        return to;
      }
      case ExprKind::kRepeat: {
        int32_t cur = from;
        for (int i = 0; i < e.min && !overflow_; ++i) {
          int32_t start = NewNode();
          if (overflow_) return 0;
          eps_[cur].push_back(start);
          cur = Build(e.children[0], start, depth + 1);
        }
        if (e.max == kUnbounded) {
          int32_t loop = NewNode();
          if (overflow_) return 0;
          eps_[cur].push_back(loop);
          int32_t start = NewNode();
          if (overflow_) return 0;
          eps_[loop].push_back(start);
          int32_t end = Build(e.children[0], start, depth + 1);
          if (!overflow_) eps_[end].push_back(loop);
          return loop;
        }
        int32_t to = NewNode();
        for (int i = e.min; i < e.max && !overflow_; ++i) {
          eps_[cur].push_back(to);
          int32_t start = NewNode();
          if (overflow_) return 0;
          eps_[cur].push_back(start);
          cur = Build(e.children[0], start, depth + 1);
        }
        if (!overflow_) eps_[cur].push_back(to);
        return to;
      }
    }
    return from;
  }

  std::vector<std::vector<int32_t>> eps_;
  std::vector<std::vector<ByteEdge>> bytes_;
  std::vector<std::vector<CallEdge>> calls_;

 private:
  const Grammar& g_;
  size_t budget_;
  bool overflow_ = false;
};

}  // namespace

Result<PushdownAutomaton> BuildPushdownAutomaton(const Grammar& g, const CompileOptions& options) {
  PushdownAutomaton pda;
  const int32_t n_rules = static_cast<int32_t>(g.rules().size());
  if (n_rules == 0) return Status::InvalidArgument("grammar has no rules");
  if (g.root() < 0 || g.root() >= n_rules) return Status::InvalidArgument("grammar root rule out of range");
  pda.root_rule = g.root();
  pda.rule_begin.push_back(0);
  std::vector<std::vector<ByteEdge>> out_bytes;
  std::vector<std::vector<CallEdge>> out_calls;
  for (int32_t r = 0; r < n_rules; ++r) {
    const Rule& rule = g.rules()[r];
    if (rule.body < 0) return Status::InvalidArgument("grammar rule '" + rule.name + "' has no definition");
    const size_t used = pda.final.size();
    RuleBuilder b(g, options.max_nodes > used ? options.max_nodes - used : 0);
    int32_t start = b.NewNode();
    int32_t end = b.Build(rule.body, start, 0);
    if (b.overflow()) {
      return Status::ResourceExhausted("grammar too large: rule '" + rule.name + "' exceeds the limit of " +
                                       std::to_string(options.max_nodes) + " automaton nodes");
    }
    // Epsilon elimination: keep the start and every edge target; each inherits the edges of
    // the nodes it reaches by epsilon moves.
    const int32_t n = static_cast<int32_t>(b.eps_.size());
    std::vector<int32_t> keep(n, -1);
    std::vector<int32_t> order;
    auto mark = [&](int32_t v) {
      if (keep[v] < 0) {
        keep[v] = static_cast<int32_t>(order.size());
        order.push_back(v);
      }
    };
    mark(start);
    std::vector<int32_t> stamp(n, -1);
    int32_t round = 0;
    for (size_t k = 0; k < order.size(); ++k, ++round) {
      std::vector<int32_t> stack{order[k]};
      stamp[order[k]] = round;
      while (!stack.empty()) {
        int32_t v = stack.back();
        stack.pop_back();
        for (auto& e : b.bytes_[v]) mark(e.target);
        for (auto& c : b.calls_[v]) mark(c.ret);
        for (int32_t w : b.eps_[v]) {
          if (stamp[w] != round) {
            stamp[w] = round;
            stack.push_back(w);
          }
        }
      }
    }
    const int32_t base = static_cast<int32_t>(pda.final.size());
    for (int32_t v : order) {
      ++round;
      std::vector<int32_t> stack{v};
      stamp[v] = round;
      bool is_final = false;
      std::vector<ByteEdge> bytes;
      std::vector<CallEdge> calls;
      while (!stack.empty()) {
        int32_t u = stack.back();
        stack.pop_back();
        if (u == end) is_final = true;
        for (auto e : b.bytes_[u]) {
          e.target = base + keep[e.target];
          auto it = std::find_if(bytes.begin(), bytes.end(), [&](const ByteEdge& x) { return x.target == e.target; });
          if (it == bytes.end()) bytes.push_back(e); else it->bytes |= e.bytes;
        }
        for (auto c : b.calls_[u]) {
          c.ret = base + keep[c.ret];
          bool dup = false;
          for (auto& x : calls) dup |= x.rule == c.rule && x.ret == c.ret;
          if (!dup) calls.push_back(c);
        }
        for (int32_t w : b.eps_[u]) {
          if (stamp[w] != round) {
            stamp[w] = round;
            stack.push_back(w);
          }
        }
      }
      pda.final.push_back(is_final);
      pda.node_rule.push_back(r);
      out_bytes.push_back(std::move(bytes));
      out_calls.push_back(std::move(calls));
    }
    pda.rule_begin.push_back(static_cast<int32_t>(pda.final.size()));
    if (pda.final.size() > options.max_nodes) {
      return Status::ResourceExhausted("grammar too large: more than " + std::to_string(options.max_nodes) +
                                       " automaton nodes (at rule '" + rule.name + "')");
    }
  }
  const int32_t n_nodes = static_cast<int32_t>(pda.final.size());

  // Shortest completion lengths: Knuth's generalisation of Dijkstra to grammars. A node's
  // length is the minimum over its byte edges (1 + target) and call edges (callee's minimum
  // length + return node), so nodes are finalised in increasing order and each one updates
  // the nodes that depend on it. Linear-time relaxation sweeps are not enough here: a chain
  // of rules each calling the next (optional object members) would take one sweep per rule.
  pda.dist_to_end.assign(n_nodes, kInfinity);
  pda.rule_min_length.assign(n_rules, kInfinity);
  {
    // Dependents of node u: nodes with a byte edge to u, a call returning to u, or a call
    // into the rule starting at u.
    std::vector<int32_t> dep_begin(n_nodes + 1, 0);
    // Each dependency records the other operand of the sum (-1: a byte, length 1).
    struct Dependent {
      int32_t node;
      int32_t other;
    };
    auto for_each_dependency = [&](auto&& fn) {
      for (int32_t v = 0; v < n_nodes; ++v) {
        for (auto& e : out_bytes[v]) fn(e.target, Dependent{v, -1});
        for (auto& c : out_calls[v]) {
          fn(c.ret, Dependent{v, pda.rule_begin[c.rule]});
          fn(pda.rule_begin[c.rule], Dependent{v, c.ret});
        }
      }
    };
    for_each_dependency([&](int32_t u, Dependent) { ++dep_begin[u + 1]; });
    for (int32_t v = 0; v < n_nodes; ++v) dep_begin[v + 1] += dep_begin[v];
    std::vector<Dependent> deps(dep_begin[n_nodes]);
    std::vector<int32_t> fill(dep_begin.begin(), dep_begin.end() - 1);
    for_each_dependency([&](int32_t u, Dependent d) { deps[fill[u]++] = d; });

    using Item = std::pair<int32_t, int32_t>;  // (length, node)
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
    for (int32_t v = 0; v < n_nodes; ++v) {
      if (pda.final[v]) {
        pda.dist_to_end[v] = 0;
        queue.push({0, v});
      }
    }
    std::vector<uint8_t> done(n_nodes, 0);
    while (!queue.empty()) {
      const auto [d, u] = queue.top();
      queue.pop();
      if (done[u] || d != pda.dist_to_end[u]) continue;
      done[u] = 1;
      if (u == pda.rule_begin[pda.node_rule[u]]) pda.rule_min_length[pda.node_rule[u]] = d;
      for (int32_t k = dep_begin[u]; k < dep_begin[u + 1]; ++k) {
        const Dependent& dep = deps[k];
        if (done[dep.node]) continue;
        // With a tentative other operand this is still the length of a real path; the exact
        // value comes when that operand is finalised.
        const int64_t best = int64_t{d} + (dep.other < 0 ? 1 : int64_t{pda.dist_to_end[dep.other]});
        if (best < pda.dist_to_end[dep.node]) {
          pda.dist_to_end[dep.node] = static_cast<int32_t>(best);
          queue.push({pda.dist_to_end[dep.node], dep.node});
        }
      }
    }
  }

  if (pda.rule_min_length[pda.root_rule] >= kInfinity) {
    return Status::InvalidArgument("the constraint admits no value (rule '" + g.rules()[pda.root_rule].name +
                                   "' cannot be completed)");
  }

  // Trim unproductive edges and build the CSR arrays.
  pda.byte_begin.push_back(0);
  pda.call_begin.push_back(0);
  for (int32_t v = 0; v < n_nodes; ++v) {
    for (auto& e : out_bytes[v]) {
      if (pda.dist_to_end[e.target] < kInfinity) pda.byte_edges.push_back(e);
    }
    for (auto c : out_calls[v]) {
      if (pda.rule_min_length[c.rule] >= kInfinity || pda.dist_to_end[c.ret] >= kInfinity) continue;
      c.tail = pda.final[c.ret] && out_bytes[c.ret].empty() && out_calls[c.ret].empty();
      pda.call_edges.push_back(c);
    }
    pda.byte_begin.push_back(static_cast<int32_t>(pda.byte_edges.size()));
    pda.call_begin.push_back(static_cast<int32_t>(pda.call_edges.size()));
  }

  // Left recursion: a rule reaching itself through calls without consuming a byte.
  std::vector<uint8_t> color(n_rules, 0);
  std::string cycle_rule;
  auto first_calls = [&](int32_t r) {
    std::vector<int32_t> callees;
    std::vector<int32_t> stack{pda.rule_begin[r]};
    std::vector<int32_t> seen{pda.rule_begin[r]};
    while (!stack.empty()) {
      int32_t v = stack.back();
      stack.pop_back();
      for (int32_t k = pda.call_begin[v]; k < pda.call_begin[v + 1]; ++k) {
        const CallEdge& c = pda.call_edges[k];
        callees.push_back(c.rule);
        if (pda.rule_min_length[c.rule] == 0 && std::find(seen.begin(), seen.end(), c.ret) == seen.end()) {
          seen.push_back(c.ret);
          stack.push_back(c.ret);
        }
      }
    }
    return callees;
  };
  std::vector<std::vector<int32_t>> firsts(n_rules);
  for (int32_t r = 0; r < n_rules; ++r) firsts[r] = first_calls(r);
  auto dfs = [&](auto&& self, int32_t r) -> bool {
    color[r] = 1;
    for (int32_t c : firsts[r]) {
      if (color[c] == 1) {
        cycle_rule = g.rules()[c].name;
        return false;
      }
      if (color[c] == 0 && !self(self, c)) return false;
    }
    color[r] = 2;
    return true;
  };
  for (int32_t r = 0; r < n_rules; ++r) {
    if (color[r] == 0 && !dfs(dfs, r)) {
      return Status::InvalidArgument("grammar rule '" + cycle_rule + "' is left-recursive");
    }
  }
  return pda;
}

}  // namespace kolibri::grammar
