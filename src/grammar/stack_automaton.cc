#include "grammar/stack_automaton.h"

#include <algorithm>
#include <cstring>

namespace kolibri::grammar {

StackAutomaton::StackAutomaton(const PushdownAutomaton* pda) : pda_(pda) {
  stacks_.emplace_back(-1, -1);  // kEmptyStack
  stack_min_bytes_.push_back(0);
  seen_stamp_.push_back(0);
  Intern({}, false);  // kDead
}

int32_t StackAutomaton::Stack(int32_t node, int32_t parent) {
  const uint64_t key = (static_cast<uint64_t>(static_cast<uint32_t>(node)) << 32) | static_cast<uint32_t>(parent);
  auto [it, inserted] = stack_ids_.emplace(key, static_cast<int32_t>(stacks_.size()));
  if (inserted) {
    stacks_.emplace_back(node, parent);
    stack_min_bytes_.push_back(-1);
    seen_stamp_.push_back(0);
  }
  return it->second;
}

int32_t StackAutomaton::StartState() {
  return StateOf({Stack(pda_->rule_start(pda_->root_rule), kEmptyStack)});
}

int32_t StackAutomaton::StateOf(const std::vector<int32_t>& initial) {
  // Expand calls and pop finished rules until every stack's top waits for a byte.
  ++stamp_;
  std::vector<int32_t> result;
  bool accepts = false;
  work_.assign(initial.begin(), initial.end());
  for (int32_t s : work_) seen_stamp_[s] = stamp_;
  while (!work_.empty()) {
    const int32_t s = work_.back();
    work_.pop_back();
    const int32_t node = stacks_[s].first;
    const int32_t parent = stacks_[s].second;
    auto push = [&](int32_t t) {
      if (seen_stamp_[t] != stamp_) {
        seen_stamp_[t] = stamp_;
        work_.push_back(t);
      }
    };
    if (pda_->byte_begin[node] != pda_->byte_begin[node + 1]) result.push_back(s);
    if (pda_->final[node]) {
      if (parent == kEmptyStack) {
        accepts = true;
      } else {
        push(parent);
      }
    }
    for (int32_t k = pda_->call_begin[node]; k < pda_->call_begin[node + 1]; ++k) {
      const CallEdge& c = pda_->call_edges[k];
      const int32_t frame = c.tail ? parent : Stack(c.ret, parent);
      push(Stack(pda_->rule_start(c.rule), frame));
    }
  }
  return Intern(std::move(result), accepts);
}

int32_t StackAutomaton::Intern(std::vector<int32_t> stacks, bool accepts) {
  std::sort(stacks.begin(), stacks.end());
  stacks.erase(std::unique(stacks.begin(), stacks.end()), stacks.end());
  std::string key(stacks.size() * sizeof(int32_t) + 1, '\0');
  key[0] = accepts ? 1 : 0;
  if (!stacks.empty()) std::memcpy(key.data() + 1, stacks.data(), stacks.size() * sizeof(int32_t));
  auto [it, inserted] = state_ids_.emplace(std::move(key), static_cast<int32_t>(states_.size()));
  if (inserted) {
    states_.push_back(State{std::move(stacks), accepts, -1});
    trans_.resize(states_.size() * 256, -1);
  }
  return it->second;
}

int32_t StackAutomaton::ComputeStep(int32_t state, uint8_t byte) {
  std::vector<int32_t> next;
  // Copy: Stack() may grow stacks_, and states_ may grow in StateOf.
  const std::vector<int32_t> current = states_[state].stacks;
  for (int32_t s : current) {
    const int32_t node = stacks_[s].first;
    const int32_t parent = stacks_[s].second;
    for (int32_t k = pda_->byte_begin[node]; k < pda_->byte_begin[node + 1]; ++k) {
      const ByteEdge& e = pda_->byte_edges[k];
      if (e.bytes.Test(byte)) next.push_back(Stack(e.target, parent));
    }
  }
  if (next.empty()) return kDead;
  return StateOf(next);
}

int32_t StackAutomaton::StackMinBytes(int32_t stack) {
  // Iterative: stacks can be deep (recursive schemas), so no recursion here.
  std::vector<int32_t> chain;
  int32_t s = stack;
  while (s != kEmptyStack && stack_min_bytes_[s] < 0) {
    chain.push_back(s);
    s = stacks_[s].second;
  }
  int64_t acc = s == kEmptyStack ? 0 : stack_min_bytes_[s];
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    acc = std::min<int64_t>(kInfinity, acc + pda_->dist_to_end[stacks_[*it].first]);
    stack_min_bytes_[*it] = static_cast<int32_t>(acc);
  }
  return stack == kEmptyStack ? 0 : stack_min_bytes_[stack];
}

int32_t StackAutomaton::MinBytes(int32_t state) {
  State& st = states_[state];
  if (st.min_bytes >= 0) return st.min_bytes;
  int32_t best = st.accepts ? 0 : kInfinity;
  for (int32_t s : st.stacks) best = std::min(best, StackMinBytes(s));
  states_[state].min_bytes = best;
  return best;
}

size_t StackAutomaton::memory_bytes() const {
  size_t n = trans_.size() * sizeof(int32_t) + stacks_.size() * 24 + states_.size() * 64;
  for (const State& s : states_) n += s.stacks.size() * sizeof(int32_t);
  return n;
}

}  // namespace kolibri::grammar
