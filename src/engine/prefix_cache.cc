#include "engine/prefix_cache.h"

#include <algorithm>

#include "kolibri/status.h"

namespace kolibri::engine {

struct PrefixCache::Node {
  std::vector<int32_t> edge;  // tokens from the parent to this node
  std::map<int32_t, std::unique_ptr<Node>> children;  // by first token of the child's edge
  Node* parent = nullptr;
  int32_t entry = -1;         // entry ending exactly here, or -1
  uint64_t last_used = 0;     // max over the subtree, kept for choosing a source entry
  bool shared = false;        // a prefix of at least two prompts inserted (or one inserted twice)
};

PrefixCache::PrefixCache(int32_t first_seq_id, int32_t max_entries)
    : first_seq_id_(first_seq_id), max_entries_(max_entries), root_(std::make_unique<Node>()) {
  for (int32_t i = max_entries - 1; i >= 0; --i) free_seq_ids_.push_back(first_seq_id + i);
}

PrefixCache::~PrefixCache() = default;

PrefixCache::Walk PrefixCache::WalkTo(std::span<const int32_t> tokens, int32_t max_length) const {
  Node* node = root_.get();
  int32_t depth = 0;
  const int32_t limit = std::min<int32_t>(max_length, static_cast<int32_t>(tokens.size()));
  while (depth < limit) {
    auto it = node->children.find(tokens[static_cast<size_t>(depth)]);
    if (it == node->children.end()) break;
    Node* child = it->second.get();
    int32_t k = 0;
    const int32_t edge_len = static_cast<int32_t>(child->edge.size());
    while (k < edge_len && depth < limit && child->edge[static_cast<size_t>(k)] == tokens[static_cast<size_t>(depth)]) {
      ++k;
      ++depth;
    }
    if (k < edge_len) return {child, k, depth};
    node = child;
  }
  return {node, static_cast<int32_t>(node->edge.size()), depth};
}

PrefixCache::Entry* PrefixCache::AnyEntryBelow(Node* node) {
  // Follow the most recently used branch; every node in the tree has an entry below it.
  while (node != nullptr) {
    if (node->entry >= 0) return &entries_.at(node->entry);
    Node* best = nullptr;
    for (auto& [tok, child] : node->children) {
      if (best == nullptr || child->last_used > best->last_used) best = child.get();
    }
    node = best;
  }
  return nullptr;
}

void PrefixCache::Touch(Node* node) {
  ++clock_;
  for (Node* n = node; n != nullptr; n = n->parent) n->last_used = clock_;
}

PrefixCache::Match PrefixCache::Lookup(std::span<const int32_t> tokens, int32_t max_length) {
  Walk w = WalkTo(tokens, max_length);
  if (w.depth == 0) return {};
  Entry* e = AnyEntryBelow(w.node);
  KOLIBRI_CHECK(e != nullptr);
  e->last_used = ++clock_;
  e->last_prompt = prompts_;
  Touch(e->node);
  int32_t id = e->node->entry;
  return {id, e->seq_id, w.depth};
}

std::optional<PrefixCache::Insertion> PrefixCache::Insert(std::span<const int32_t> tokens) {
  const int32_t n = static_cast<int32_t>(tokens.size());
  if (n == 0) return std::nullopt;
  ++prompts_;
  Walk w = WalkTo(tokens, n);
  // Every node fully on the walked path now prefixes two prompts.
  for (Node* p = w.edge_pos == static_cast<int32_t>(w.node->edge.size()) ? w.node : w.node->parent;
       p != nullptr && p != root_.get(); p = p->parent) {
    p->shared = true;
  }
  if (w.depth == n) {
    // Already covered by the path of an existing entry.
    Node* end = w.node;
    if (w.edge_pos == static_cast<int32_t>(end->edge.size()) && end->entry >= 0) {
      Entry& e = entries_.at(end->entry);
      e.last_used = ++clock_;
      e.last_prompt = prompts_;
      Touch(end);
      return Insertion{end->entry, -1, -1, 0, 0};
    }
    Entry* e = AnyEntryBelow(end);
    e->last_used = ++clock_;
    e->last_prompt = prompts_;
    Touch(e->node);
    return Insertion{e->node->entry, -1, -1, 0, 0};
  }
  if (free_seq_ids_.empty()) return std::nullopt;
  // Entries below the walk's end all hold KV for [0, depth): the new entry shares it.
  int32_t source_seq = -1;
  if (w.depth > 0) source_seq = AnyEntryBelow(w.node)->seq_id;

  Node* parent = w.node;
  if (w.edge_pos < static_cast<int32_t>(w.node->edge.size())) {
    // Split the edge at the divergence point.
    Node* child = w.node;
    Node* up = child->parent;
    auto mid = std::make_unique<Node>();
    mid->edge.assign(child->edge.begin(), child->edge.begin() + w.edge_pos);
    mid->parent = up;
    mid->last_used = child->last_used;
    mid->shared = true;
    std::unique_ptr<Node> owned = std::move(up->children.at(child->edge.front()));
    owned->edge.erase(owned->edge.begin(), owned->edge.begin() + w.edge_pos);
    owned->parent = mid.get();
    mid->children[owned->edge.front()] = std::move(owned);
    Node* mid_raw = mid.get();
    up->children[mid_raw->edge.front()] = std::move(mid);
    parent = mid_raw;
  }
  auto leaf = std::make_unique<Node>();
  leaf->edge.assign(tokens.begin() + w.depth, tokens.end());
  leaf->parent = parent;
  Node* leaf_raw = leaf.get();
  parent->children[leaf_raw->edge.front()] = std::move(leaf);

  int32_t id = next_entry_id_++;
  Entry e;
  e.node = leaf_raw;
  e.seq_id = free_seq_ids_.back();
  free_seq_ids_.pop_back();
  e.last_used = ++clock_;
  e.last_prompt = prompts_;
  leaf_raw->entry = id;
  entries_[id] = e;
  Touch(leaf_raw);
  int32_t added = n - w.depth;
  cells_ += added;
  return Insertion{id, e.seq_id, source_seq, w.depth, added};
}

int32_t PrefixCache::PruneUpFrom(Node* node) {
  int32_t freed = 0;
  while (node != root_.get() && node->entry < 0 && node->children.empty()) {
    Node* up = node->parent;
    freed += static_cast<int32_t>(node->edge.size());
    up->children.erase(node->edge.front());
    node = up;
  }
  // Merge a now single-child node without an entry into its child, keeping the tree compact;
  // a shared node stays apart so its cells keep counting as shared.
  if (node != root_.get() && node->entry < 0 && node->children.size() == 1 && !node->shared) {
    std::unique_ptr<Node> only = std::move(node->children.begin()->second);
    node->children.clear();
    node->edge.insert(node->edge.end(), only->edge.begin(), only->edge.end());
    node->entry = only->entry;
    node->last_used = only->last_used;
    node->children = std::move(only->children);
    for (auto& [tok, c] : node->children) c->parent = node;
    if (node->entry >= 0) entries_.at(node->entry).node = node;
  }
  return freed;
}

std::optional<PrefixCache::Eviction> PrefixCache::EvictLeastRecentlyUsed() {
  int32_t victim = -1;
  uint64_t oldest = UINT64_MAX;
  for (const auto& [id, e] : entries_) {
    if (e.pins == 0 && e.last_used < oldest) {
      oldest = e.last_used;
      victim = id;
    }
  }
  if (victim < 0) return std::nullopt;
  return Remove(victim);
}

PrefixCache::Eviction PrefixCache::Remove(int32_t id) {
  Entry e = entries_.at(id);
  entries_.erase(id);
  free_seq_ids_.push_back(e.seq_id);
  e.node->entry = -1;
  int32_t freed = PruneUpFrom(e.node);
  cells_ -= freed;
  return Eviction{e.seq_id, 0, freed};
}

int32_t PrefixCache::Depth(const Node* node) {
  int32_t d = 0;
  for (; node != nullptr; node = node->parent) d += static_cast<int32_t>(node->edge.size());
  return d;
}

int32_t PrefixCache::UnsharedCells() const {
  int32_t n = 0;
  std::vector<const Node*> stack = {root_.get()};
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    if (node != root_.get() && !node->shared) n += static_cast<int32_t>(node->edge.size());
    for (const auto& [tok, child] : node->children) stack.push_back(child.get());
  }
  return n;
}

std::optional<PrefixCache::Eviction> PrefixCache::TrimUnshared(int32_t budget, uint64_t max_idle_prompts) {
  int32_t victim = -1, candidates = 0;
  uint64_t oldest = UINT64_MAX;
  for (const auto& [id, e] : entries_) {
    if (e.pins != 0 || e.node->shared) continue;
    ++candidates;
    if (e.last_used < oldest) {
      oldest = e.last_used;
      victim = id;
    }
  }
  if (victim < 0) return std::nullopt;
  const bool idle = prompts_ - entries_.at(victim).last_prompt > max_idle_prompts;
  // Over the budget, the newest tail stays: a long prompt seen once (a handbook as the
  // system prompt) must survive until its second use, however large.
  if (!idle && (candidates < 2 || UnsharedCells() <= budget)) return std::nullopt;
  Entry& e = entries_.at(victim);
  Node* leaf = e.node;
  Node* up = leaf->parent;
  if (up == root_.get() || !up->shared || up->entry >= 0 || up->children.size() != 1 || !leaf->children.empty()) {
    // Removing the entry loses no shared prefix (another entry still holds it) or there is
    // no shared prefix to keep.
    return Remove(victim);
  }
  // The entry alone keeps its shared prefix: move it up to that prefix and free the tail.
  const int32_t freed = static_cast<int32_t>(leaf->edge.size());
  up->entry = victim;
  up->last_used = std::max(up->last_used, leaf->last_used);
  e.node = up;
  up->children.clear();  // destroys leaf
  cells_ -= freed;
  return Eviction{e.seq_id, Depth(up), freed};
}

void PrefixCache::Pin(int32_t entry) {
  auto it = entries_.find(entry);
  KOLIBRI_CHECK(it != entries_.end());
  ++it->second.pins;
}

void PrefixCache::Unpin(int32_t entry) {
  auto it = entries_.find(entry);
  KOLIBRI_CHECK(it != entries_.end() && it->second.pins > 0);
  --it->second.pins;
}

}  // namespace kolibri::engine
