#include "kolibri/grammar/grammar_matcher.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "grammar/compiled_grammar_impl.h"

namespace kolibri::grammar {

// Every token allowed from one state, grouped by the shortest completion left after it, so
// budget masks at a state seen before (inside a string the state repeats token after
// token while the budget shrinks) cost a copy instead of a trie walk.
struct BudgetTable {
  int32_t min_bytes = 0;                          // of the state itself
  std::vector<uint32_t> same;                     // tokens leaving exactly min_bytes
  std::vector<std::pair<int32_t, int32_t>> less;  // (left, token), left < min_bytes, sorted
  std::vector<std::pair<int32_t, int32_t>> more;  // (left, token), left > min_bytes, sorted
};

struct GrammarMatcher::Runtime {
  explicit Runtime(const PushdownAutomaton* pda) : automaton(pda) {}
  // Budget tables kept per matcher; beyond this many states the memo starts over.
  static constexpr size_t kMaxBudgetTables = 32;
  StackAutomaton automaton;
  std::unordered_map<int32_t, std::unique_ptr<BudgetTable>> budget_tables;
  std::unordered_map<int32_t, int32_t> parent_state;  // stack → state of that stack alone
  std::vector<int32_t> state_at;
  std::vector<uint32_t> scratch;
};

GrammarMatcher::GrammarMatcher(std::shared_ptr<const CompiledGrammar> grammar) : grammar_(std::move(grammar)) {
  KOLIBRI_CHECK(grammar_ != nullptr);
  rt_ = std::make_unique<Runtime>(&grammar_->impl().pda);
  rt_->state_at.assign(grammar_->impl().vocab->impl().trie.max_token_length() + 2, 0);
  history_.push_back(rt_->automaton.StartState());
}

GrammarMatcher::~GrammarMatcher() = default;
GrammarMatcher::GrammarMatcher(GrammarMatcher&&) noexcept = default;
GrammarMatcher& GrammarMatcher::operator=(GrammarMatcher&&) noexcept = default;

size_t GrammarMatcher::mask_words() const { return grammar_->vocabulary_index().mask_words(); }

void GrammarMatcher::Reset() {
  history_.resize(1);
  terminated_ = false;
}

bool GrammarMatcher::StepBytes(int32_t* state, std::string_view bytes) {
  int32_t st = *state;
  for (char c : bytes) {
    st = rt_->automaton.Step(st, static_cast<uint8_t>(c));
    if (st == StackAutomaton::kDead) return false;
  }
  *state = st;
  return true;
}

bool GrammarMatcher::AcceptToken(int32_t token) {
  if (terminated_) return false;
  const Vocabulary& vocab = grammar_->vocabulary_index().vocabulary();
  if (token < 0 || static_cast<size_t>(token) >= vocab.size()) return false;
  if (std::find(vocab.stop_ids.begin(), vocab.stop_ids.end(), token) != vocab.stop_ids.end()) {
    if (!CanEnd()) return false;
    history_.push_back(history_.back());
    terminated_ = true;
    return true;
  }
  if (vocab.special[token] || vocab.token_bytes[token].empty()) return false;
  return AcceptString(vocab.token_bytes[token]);
}

bool GrammarMatcher::AcceptString(std::string_view bytes) {
  if (terminated_) return false;
  int32_t st = history_.back();
  if (!StepBytes(&st, bytes)) return false;
  history_.push_back(st);
  return true;
}

bool GrammarMatcher::CanEnd() const { return rt_->automaton.Accepts(history_.back()); }

bool GrammarMatcher::Rollback(int count) {
  if (count < 0 || static_cast<size_t>(count) > history_size()) return false;
  history_.resize(history_.size() - count);
  if (count > 0) terminated_ = false;
  return true;
}

int32_t GrammarMatcher::MinBytesToComplete() { return rt_->automaton.MinBytes(history_.back()); }

std::string GrammarMatcher::ForcedBytes(size_t max_bytes) {
  std::string out;
  if (terminated_) return out;
  int32_t st = history_.back();
  StackAutomaton& a = rt_->automaton;
  while (out.size() < max_bytes && !a.Accepts(st)) {
    int found = -1;
    int32_t next = StackAutomaton::kDead;
    for (int b = 0; b < 256; ++b) {
      int32_t s = a.Step(st, static_cast<uint8_t>(b));
      if (s == StackAutomaton::kDead) continue;
      if (found >= 0) return out;
      found = b;
      next = s;
    }
    if (found < 0) break;
    out.push_back(static_cast<char>(found));
    st = next;
  }
  return out;
}

int32_t GrammarMatcher::ParentState(int32_t stack) {
  auto it = rt_->parent_state.find(stack);
  if (it != rt_->parent_state.end()) return it->second;
  const int32_t st = rt_->automaton.StateOf({stack});
  rt_->parent_state.emplace(stack, st);
  return st;
}

void GrammarMatcher::WalkSubtree(int32_t trie_node, int32_t from_state, uint32_t* words) {
  const TokenTrie& trie = grammar_->impl().vocab->impl().trie;
  StackAutomaton& a = rt_->automaton;
  std::vector<int32_t>& state_at = rt_->state_at;
  const int32_t base = trie_node < 0 ? 0 : trie.depth(trie_node);
  state_at[base] = from_state;
  const int32_t begin = trie_node < 0 ? 0 : trie_node + 1;
  const int32_t end = trie_node < 0 ? trie.size() : trie.subtree_end(trie_node);
  for (int32_t i = begin; i < end;) {
    const int32_t d = trie.depth(i);
    const int32_t st = a.Step(state_at[d - 1], trie.byte(i));
    if (st == StackAutomaton::kDead) {
      i = trie.subtree_end(i);
      continue;
    }
    state_at[d] = st;
    for (const int32_t* t = trie.tokens_begin(i); t != trie.tokens_end(i); ++t) {
      words[*t >> 5] |= uint32_t{1} << (*t & 31);
    }
    ++i;
  }
}

void GrammarMatcher::FillNextTokenBitmask(uint32_t* words, const MaskOptions& options) {
  const CompiledGrammar::Impl& g = grammar_->impl();
  const VocabularyIndex::Impl& vi = g.vocab->impl();
  const size_t n_words = vi.words;
  std::memset(words, 0, n_words * sizeof(uint32_t));
  if (terminated_) return;
  const int32_t state = history_.back();
  StackAutomaton& a = rt_->automaton;
  if (options.remaining_tokens >= 0 &&
      options.remaining_tokens <= int64_t{a.MinBytes(state)} + options.budget_window) {
    FillBudgetMask(state, options.remaining_tokens, words);
    return;
  }
  const std::vector<int32_t> stacks = a.Stacks(state);
  for (int32_t s : stacks) {
    int32_t frames[CompiledGrammar::Impl::kMaxContextFrames];
    size_t n_frames = 1;
    frames[0] = a.StackNode(s);
    int32_t bottom = s;  // the deepest stack entry the mask covers
    while (n_frames < CompiledGrammar::Impl::kMaxContextFrames &&
           g.rule_is_leaf[g.pda.node_rule[frames[n_frames - 1]]] &&
           a.StackParent(bottom) != StackAutomaton::kEmptyStack) {
      bottom = a.StackParent(bottom);
      frames[n_frames++] = a.StackNode(bottom);
    }
    const NodeMask& m = g.GetMask(frames, n_frames);
    if (m.reject_mode) {
      std::vector<uint32_t>& tmp = rt_->scratch;
      tmp.assign(vi.normal_mask.begin(), vi.normal_mask.end());
      for (int32_t t : m.ids) tmp[t >> 5] &= ~(uint32_t{1} << (t & 31));
      for (size_t w = 0; w < n_words; ++w) words[w] |= tmp[w];
    } else {
      for (int32_t t : m.ids) words[t >> 5] |= uint32_t{1} << (t & 31);
    }
    const int32_t parent = a.StackParent(bottom);
    if (parent == StackAutomaton::kEmptyStack || m.pop_points.empty()) continue;
    const int32_t from = ParentState(parent);
    for (int32_t p : m.pop_points) WalkSubtree(p, from, words);
  }
  if (a.Accepts(state)) {
    for (int32_t t : vi.vocab.stop_ids) {
      if (t >= 0 && static_cast<size_t>(t) < vi.vocab.size()) words[t >> 5] |= uint32_t{1} << (t & 31);
    }
  }
}

void GrammarMatcher::FillBudgetMask(int32_t state, int32_t remaining, uint32_t* words) {
  const VocabularyIndex::Impl& vi = grammar_->impl().vocab->impl();
  StackAutomaton& a = rt_->automaton;
  if (a.Accepts(state)) {
    for (int32_t t : vi.vocab.stop_ids) {
      if (t >= 0 && static_cast<size_t>(t) < vi.vocab.size()) words[t >> 5] |= uint32_t{1} << (t & 31);
    }
  }
  // After this token, `remaining - 1` tokens (so bytes) must suffice to complete.
  const int64_t limit = int64_t{remaining} - 1;
  if (limit < 0) return;
  const BudgetTable& table = GetBudgetTable(state);
  auto add = [&](const std::vector<std::pair<int32_t, int32_t>>& list) {
    for (const auto& [left, t] : list) {
      if (left > limit) break;
      words[t >> 5] |= uint32_t{1} << (t & 31);
    }
  };
  add(table.less);
  if (limit < table.min_bytes) return;
  for (size_t w = 0; w < table.same.size(); ++w) words[w] |= table.same[w];
  add(table.more);
}

const BudgetTable& GrammarMatcher::GetBudgetTable(int32_t state) {
  auto it = rt_->budget_tables.find(state);
  if (it != rt_->budget_tables.end()) return *it->second;
  if (rt_->budget_tables.size() >= Runtime::kMaxBudgetTables) rt_->budget_tables.clear();
  const VocabularyIndex::Impl& vi = grammar_->impl().vocab->impl();
  StackAutomaton& a = rt_->automaton;
  auto table = std::make_unique<BudgetTable>();
  table->min_bytes = a.MinBytes(state);
  table->same.assign(vi.words, 0);
  const TokenTrie& trie = vi.trie;
  std::vector<int32_t>& state_at = rt_->state_at;
  state_at[0] = state;
  for (int32_t i = 0; i < trie.size();) {
    const int32_t d = trie.depth(i);
    const int32_t st = a.Step(state_at[d - 1], trie.byte(i));
    if (st == StackAutomaton::kDead) {
      i = trie.subtree_end(i);
      continue;
    }
    state_at[d] = st;
    if (trie.has_tokens(i)) {
      const int32_t left = a.MinBytes(st);
      for (const int32_t* t = trie.tokens_begin(i); t != trie.tokens_end(i); ++t) {
        if (left == table->min_bytes) {
          table->same[*t >> 5] |= uint32_t{1} << (*t & 31);
        } else if (left < table->min_bytes) {
          table->less.emplace_back(left, *t);
        } else if (left < kInfinity) {
          table->more.emplace_back(left, *t);
        }
      }
    }
    ++i;
  }
  std::sort(table->less.begin(), table->less.end());
  std::sort(table->more.begin(), table->more.end());
  return *rt_->budget_tables.emplace(state, std::move(table)).first->second;
}

}  // namespace kolibri::grammar
