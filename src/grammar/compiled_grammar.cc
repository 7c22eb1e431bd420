#include "kolibri/grammar/compiled_grammar.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

#include "grammar/compiled_grammar_impl.h"

namespace kolibri::grammar {

VocabularyIndex::VocabularyIndex() : impl_(std::make_unique<Impl>()) {}
VocabularyIndex::~VocabularyIndex() = default;

std::shared_ptr<const VocabularyIndex> VocabularyIndex::Build(Vocabulary vocabulary) {
  std::shared_ptr<VocabularyIndex> index(new VocabularyIndex());
  Impl& impl = *index->impl_;
  impl.vocab = std::move(vocabulary);
  impl.vocab.special.resize(impl.vocab.size(), false);
  impl.trie.Build(impl.vocab);
  impl.words = (impl.vocab.size() + 31) / 32;
  impl.normal_mask.assign(impl.words, 0);
  for (size_t i = 0; i < impl.vocab.size(); ++i) {
    if (!impl.vocab.special[i] && !impl.vocab.token_bytes[i].empty()) {
      impl.normal_mask[i >> 5] |= uint32_t{1} << (i & 31);
    }
  }
  return index;
}

const Vocabulary& VocabularyIndex::vocabulary() const { return impl_->vocab; }
size_t VocabularyIndex::mask_words() const { return impl_->words; }
size_t VocabularyIndex::shared_mask_count() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->shared.size();
}

CompiledGrammar::CompiledGrammar(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledGrammar::~CompiledGrammar() = default;
const VocabularyIndex& CompiledGrammar::vocabulary_index() const { return *impl_->vocab; }
size_t CompiledGrammar::node_count() const { return impl_->pda.final.size(); }
int32_t CompiledGrammar::MinBytesFromStart() const { return impl_->pda.rule_min_length[impl_->pda.root_rule]; }

void CompiledGrammar::PrecomputeNodeMasks() const {
  for (int32_t v = 0; v < impl_->pda.node_count(); ++v) {
    if (impl_->pda.byte_begin[v] != impl_->pda.byte_begin[v + 1]) impl_->GetMask(&v, 1);
  }
}

Result<std::shared_ptr<const CompiledGrammar>> CompileGrammar(const Grammar& grammar,
                                                               std::shared_ptr<const VocabularyIndex> vocabulary,
                                                               const CompileOptions& options) {
  KOLIBRI_CHECK(vocabulary != nullptr);
  KOLIBRI_ASSIGN_OR_RETURN(PushdownAutomaton built, BuildPushdownAutomaton(grammar, options));
  auto impl = std::make_unique<CompiledGrammar::Impl>();
  impl->vocab = std::move(vocabulary);
  impl->pda = std::move(built);
  impl->max_shared_rule_nodes = options.max_shared_rule_nodes;
  const size_t n = impl->pda.final.size();
  impl->node_masks = std::make_unique<std::atomic<const NodeMask*>[]>(n);
  for (size_t i = 0; i < n; ++i) impl->node_masks[i].store(nullptr, std::memory_order_relaxed);
  const PushdownAutomaton& pda = impl->pda;
  const size_t n_rules = pda.rule_min_length.size();
  impl->rule_is_leaf.assign(n_rules, 0);
  for (size_t r = 0; r < n_rules; ++r) {
    const int32_t b = pda.rule_begin[r], e = pda.rule_begin[r + 1];
    impl->rule_is_leaf[r] = e - b <= CompiledGrammar::Impl::kLeafRuleNodes && pda.call_begin[b] == pda.call_begin[e];
  }
  impl->canonical_offset.assign(n, -1);
  impl->rule_signature.resize(impl->pda.rule_min_length.size());
  impl->rule_signature_done.assign(impl->pda.rule_min_length.size(), 0);
  return std::shared_ptr<const CompiledGrammar>(std::make_shared<CompiledGrammar>(std::move(impl)));
}

namespace {

void AppendInt(int32_t v, std::string* out) {
  char buf[sizeof v];
  std::memcpy(buf, &v, sizeof v);
  out->append(buf, sizeof v);
}

}  // namespace

// A canonical description of the rule and every rule it calls, with rules and nodes
// renumbered by discovery, so identical structures in different grammars get equal keys.
const std::string& CompiledGrammar::Impl::RuleSignature(int32_t rule) const {
  if (rule_signature_done[rule]) return rule_signature[rule];
  rule_signature_done[rule] = 1;
  std::unordered_map<int32_t, int32_t> local;
  std::vector<int32_t> order{rule};
  local[rule] = 0;
  size_t nodes = 0;
  std::string sig;
  for (size_t k = 0; k < order.size(); ++k) {
    const int32_t r = order[k];
    const int32_t begin = pda.rule_begin[r], end = pda.rule_begin[r + 1];
    nodes += end - begin;
    if (nodes > max_shared_rule_nodes) return rule_signature[rule];  // too big to share: ""
    AppendInt(end - begin, &sig);
    for (int32_t v = begin; v < end; ++v) {
      sig.push_back(pda.final[v] ? 'F' : 'N');
      AppendInt(pda.byte_begin[v + 1] - pda.byte_begin[v], &sig);
      for (int32_t e = pda.byte_begin[v]; e < pda.byte_begin[v + 1]; ++e) {
        const ByteEdge& be = pda.byte_edges[e];
        sig.append(reinterpret_cast<const char*>(be.bytes.bits.data()), sizeof(be.bytes.bits));
        AppendInt(be.target - begin, &sig);
      }
      AppendInt(pda.call_begin[v + 1] - pda.call_begin[v], &sig);
      for (int32_t e = pda.call_begin[v]; e < pda.call_begin[v + 1]; ++e) {
        const CallEdge& c = pda.call_edges[e];
        auto [it, inserted] = local.emplace(c.rule, static_cast<int32_t>(order.size()));
        if (inserted) order.push_back(c.rule);
        AppendInt(it->second, &sig);
        AppendInt(c.ret - begin, &sig);
        sig.push_back(c.tail ? 'T' : 'R');
      }
    }
  }
  rule_signature[rule] = std::move(sig);
  return rule_signature[rule];
}

// Moore-style partition refinement bounded by the longest token: after j rounds two nodes
// share a class when no byte string of at most j bytes tells them apart (same finality,
// same byte sets into same classes, same callees returning into same classes). A callee
// that may match "" returns without consuming a byte, so its return node is compared by
// identity. Classes are named by their first node, which depends on structure alone, so
// keys built from them stay valid across grammars with equal rule signatures.
int32_t CompiledGrammar::Impl::CanonicalOffset(int32_t node) const {
  if (canonical_offset[node] >= 0) return canonical_offset[node];
  const int32_t rule = pda.node_rule[node];
  const int32_t begin = pda.rule_begin[rule], end = pda.rule_begin[rule + 1], m = end - begin;
  if (m <= kMinCanonicalRuleNodes) {
    for (int32_t v = begin; v < end; ++v) canonical_offset[v] = v - begin;
    return canonical_offset[node];
  }
  std::vector<int32_t> cls(m), next(m);
  int32_t classes = 0;
  for (int32_t v = 0; v < m; ++v) {
    cls[v] = pda.final[begin + v] ? 1 : 0;
    classes = std::max(classes, cls[v] + 1);
  }
  const int32_t rounds = vocab->impl().trie.max_token_length() + 1;
  std::vector<uint64_t> sig;
  std::vector<std::array<uint64_t, 5>> edges;
  for (int32_t round = 0; round < rounds; ++round) {
    std::map<std::vector<uint64_t>, int32_t> ids;
    for (int32_t v = 0; v < m; ++v) {
      const int32_t u = begin + v;
      sig.assign(1, static_cast<uint64_t>(cls[v]));  // so each round refines the last
      edges.clear();
      for (int32_t e = pda.byte_begin[u]; e < pda.byte_begin[u + 1]; ++e) {
        std::array<uint64_t, 5> item{};
        std::memcpy(item.data(), pda.byte_edges[e].bytes.bits.data(), sizeof(uint64_t) * 4);
        item[4] = static_cast<uint64_t>(cls[pda.byte_edges[e].target - begin]);
        edges.push_back(item);
      }
      std::sort(edges.begin(), edges.end());
      for (const auto& item : edges) sig.insert(sig.end(), item.begin(), item.end());
      sig.push_back(~uint64_t{0});
      for (int32_t e = pda.call_begin[u]; e < pda.call_begin[u + 1]; ++e) {
        const CallEdge& c = pda.call_edges[e];
        const bool nullable = pda.rule_min_length[c.rule] == 0;
        sig.push_back(static_cast<uint64_t>(c.rule));
        sig.push_back(c.tail ? 1 : 0);
        sig.push_back(nullable ? (uint64_t{1} << 40) + static_cast<uint64_t>(c.ret - begin)
                               : static_cast<uint64_t>(cls[c.ret - begin]));
      }
      next[v] = ids.emplace(sig, static_cast<int32_t>(ids.size())).first->second;
    }
    cls.swap(next);
    const int32_t refined = static_cast<int32_t>(ids.size());
    if (refined == classes) break;
    classes = refined;
  }
  std::vector<int32_t> first(classes, -1);
  for (int32_t v = 0; v < m; ++v) {
    if (first[cls[v]] < 0) first[cls[v]] = v;
    canonical_offset[begin + v] = first[cls[v]];
  }
  return canonical_offset[node];
}

std::shared_ptr<const NodeMask> CompiledGrammar::Impl::WalkContext(const int32_t* frames, size_t n_frames) const {
  if (!local) local = std::make_unique<StackAutomaton>(&pda);
  StackAutomaton& a = *local;
  const int32_t node = frames[0];
  int32_t below = StackAutomaton::kEmptyStack;
  for (size_t i = n_frames; i-- > 1;) below = a.Stack(frames[i], below);
  const TokenTrie& trie = vocab->impl().trie;
  // First byte: only the node's own byte edges (its calls and its rule's end are other
  // stacks of the matcher's state, with masks of their own).
  int32_t first[256];
  {
    std::vector<int32_t> next;
    for (int b = 0; b < 256; ++b) {
      next.clear();
      for (int32_t k = pda.byte_begin[node]; k < pda.byte_begin[node + 1]; ++k) {
        const ByteEdge& e = pda.byte_edges[k];
        if (e.bytes.Test(static_cast<uint8_t>(b))) next.push_back(a.Stack(e.target, below));
      }
      first[b] = next.empty() ? StackAutomaton::kDead : a.StateOf(next);
    }
  }
  auto mask = std::make_shared<NodeMask>();
  // Accepted tokens as a bitmask: the ids come out sorted without a sort (which cost more
  // than the walk itself for masks with ~10^5 tokens).
  std::vector<uint32_t> accepted(vocab->impl().words, 0);
  size_t accepted_count = 0;
  std::vector<int32_t> state_at(trie.max_token_length() + 2, 0);
  const int32_t n = trie.size();
  for (int32_t i = 0; i < n;) {
    const int32_t d = trie.depth(i);
    const int32_t st = d == 1 ? first[trie.byte(i)] : a.Step(state_at[d - 1], trie.byte(i));
    if (st == StackAutomaton::kDead) {
      i = trie.subtree_end(i);
      continue;
    }
    state_at[d] = st;
    for (const int32_t* t = trie.tokens_begin(i); t != trie.tokens_end(i); ++t) {
      accepted[*t >> 5] |= uint32_t{1} << (*t & 31);
      ++accepted_count;
    }
    if (a.Accepts(st) && trie.subtree_end(i) > i + 1) mask->pop_points.push_back(i);
    ++i;
  }
  const auto& normal = vocab->impl().normal_mask;
  size_t normal_count = 0;
  for (uint32_t w : normal) normal_count += static_cast<size_t>(__builtin_popcount(w));
  mask->reject_mode = accepted_count * 2 > normal_count;
  mask->ids.reserve(mask->reject_mode ? normal_count - accepted_count : accepted_count);
  for (size_t w = 0; w < accepted.size(); ++w) {
    for (uint32_t bits = mask->reject_mode ? normal[w] & ~accepted[w] : accepted[w]; bits != 0; bits &= bits - 1) {
      mask->ids.push_back(static_cast<int32_t>(w * 32 + static_cast<size_t>(__builtin_ctz(bits))));
    }
  }
  return mask;
}

const NodeMask& CompiledGrammar::Impl::ComputeMask(const int32_t* frames, size_t n) const {
  std::lock_guard<std::mutex> lock(mu);
  std::string local_key;
  if (n == 1) {
    if (const NodeMask* m = node_masks[frames[0]].load(std::memory_order_acquire)) return *m;
  } else {
    local_key.assign(reinterpret_cast<const char*>(frames), n * sizeof(int32_t));
    auto it = context_masks.find(local_key);
    if (it != context_masks.end()) return *it->second;
  }
  std::string key;
  if (max_shared_rule_nodes > 0) {
    for (size_t i = 0; i < n; ++i) {
      const int32_t rule = pda.node_rule[frames[i]];
      const std::string& sig = RuleSignature(rule);
      if (sig.empty()) {
        key.clear();
        break;
      }
      AppendInt(static_cast<int32_t>(sig.size()), &key);
      key += sig;
      AppendInt(CanonicalOffset(frames[i]), &key);
    }
  }
  std::shared_ptr<const NodeMask> mask;
  const VocabularyIndex::Impl& vi = vocab->impl();
  if (!key.empty()) {
    std::lock_guard<std::mutex> vlock(vi.mu);
    auto it = vi.shared.find(key);
    if (it != vi.shared.end()) mask = it->second;
  }
  if (mask == nullptr) {
    mask = WalkContext(frames, n);
    if (!key.empty()) {
      std::lock_guard<std::mutex> vlock(vi.mu);
      if (vi.shared_bytes + mask->memory_bytes() <= VocabularyIndex::Impl::kMaxSharedBytes) {
        vi.shared_bytes += mask->memory_bytes() + key.size();
        vi.shared.emplace(std::move(key), mask);
      }
    }
  }
  owned.push_back(mask);
  if (n == 1) {
    node_masks[frames[0]].store(mask.get(), std::memory_order_release);
  } else {
    context_masks.emplace(std::move(local_key), mask.get());
  }
  return *mask;
}

}  // namespace kolibri::grammar
