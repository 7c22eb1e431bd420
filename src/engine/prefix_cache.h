// PrefixCache: which token prefixes have their KV cells kept in the llama.cpp context, and
// in which cache sequence. Pure bookkeeping (no llama.cpp calls), so it is unit-testable;
// the scheduler performs the matching KV operations (llama_memory_seq_cp / seq_rm).
//
// A radix tree over token sequences. Each entry owns one cache sequence id whose KV holds
// the entry's whole path from the root; entries that share a prefix share those KV cells
// (a unified KV cache tags a cell with every sequence that uses it). cells() counts each
// tree edge once, which is exactly the number of cells the cache keeps alive.
//
// Entries a running request depends on are pinned and never evicted, so cells a running
// sequence shares with the cache are always counted by cells(). Not thread-safe: owned by
// the scheduler thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace kolibri::engine {

class PrefixCache {
 public:
  // Cache sequence ids are first_seq_id .. first_seq_id + max_entries - 1.
  PrefixCache(int32_t first_seq_id, int32_t max_entries);
  ~PrefixCache();
  PrefixCache(const PrefixCache&) = delete;
  PrefixCache& operator=(const PrefixCache&) = delete;

  struct Match {
    int32_t entry = -1;   // entry id to pin while the KV is used; -1: nothing cached
    int32_t seq_id = -1;  // cache sequence holding positions [0, length)
    int32_t length = 0;
  };
  // Longest cached prefix of `tokens`, at most `max_length` tokens. Marks it recently used.
  Match Lookup(std::span<const int32_t> tokens, int32_t max_length);

  struct Insertion {
    int32_t entry = -1;          // the entry now covering `tokens` (new or existing)
    int32_t new_seq_id = -1;     // >= 0: a new entry; fill its KV as below
    int32_t source_seq_id = -1;  // copy KV [0, source_length) from this cache sequence
    int32_t source_length = 0;   // (the part the tree already held: same cells, shared)
    int32_t cells_added = 0;     // copy KV [source_length, tokens.size()) from the caller's
                                 // sequence; these cells became cache cells
  };
  // Records `tokens` as cached. When they are already covered, returns that entry and no
  // new sequence. Returns nullopt when every slot is taken by a pinned entry.
  // Needs a free slot: call EvictLeastRecentlyUsed() first when full() is true.
  std::optional<Insertion> Insert(std::span<const int32_t> tokens);

  struct Eviction {
    int32_t seq_id = -1;      // remove this sequence's KV from position `keep` on
    int32_t keep = 0;         // (seq_rm(seq_id, keep, -1)); 0: the whole sequence
    int32_t cells_freed = 0;
  };
  // Drops the least recently used unpinned entry; nullopt when all are pinned or none exist.
  std::optional<Eviction> EvictLeastRecentlyUsed();

  // Cells no second prompt has shared yet: the tails of prompts seen once. In a unified
  // llama.cpp KV cache every decode step attends over every used cell (masked), so cells
  // kept on speculation cost time on every step while they wait for a reuse that may never
  // come (a support mail is seen once; its shared system prompt is what pays off).
  int32_t UnsharedCells() const;
  // Frees the unshared tail of one unpinned entry: the least recently used one whose tail
  // no prompt has shared within the last `max_idle_prompts` Insert calls, else, while
  // UnsharedCells() > budget, the least recently used one with a tail (never the only
  // unpinned one: a long prompt seen once stays until its second use or until it idles). An entry whose tail
  // hangs below a shared prefix nothing else keeps is cut back to that prefix (keep > 0)
  // rather than dropped, so the shared part stays cached. nullopt when nothing is due.
  std::optional<Eviction> TrimUnshared(int32_t budget, uint64_t max_idle_prompts);

  void Pin(int32_t entry);
  void Unpin(int32_t entry);

  int32_t cells() const { return cells_; }
  int32_t entries() const { return static_cast<int32_t>(entries_.size()); }
  bool full() const { return static_cast<int32_t>(entries_.size()) >= max_entries_; }
  int32_t max_entries() const { return max_entries_; }

 private:
  struct Node;
  struct Entry {
    Node* node = nullptr;
    int32_t seq_id = -1;
    int32_t pins = 0;
    uint64_t last_used = 0;
    uint64_t last_prompt = 0;  // prompts_ when a prompt last matched or inserted it
  };
  // Deepest node reached by `tokens` and how far along it the match goes.
  struct Walk {
    Node* node;          // node whose edge contains the match end
    int32_t edge_pos;    // tokens matched within node's edge
    int32_t depth;       // total tokens matched
  };
  Walk WalkTo(std::span<const int32_t> tokens, int32_t max_length) const;
  Entry* AnyEntryBelow(Node* node);
  Eviction Remove(int32_t entry);
  static int32_t Depth(const Node* node);
  void Touch(Node* node);
  int32_t PruneUpFrom(Node* node);

  int32_t first_seq_id_;
  int32_t max_entries_;
  std::unique_ptr<Node> root_;
  std::map<int32_t, Entry> entries_;  // by entry id
  std::vector<int32_t> free_seq_ids_;
  int32_t next_entry_id_ = 0;
  int32_t cells_ = 0;
  uint64_t clock_ = 0;
  uint64_t prompts_ = 0;  // Insert calls so far
};

}  // namespace kolibri::engine
