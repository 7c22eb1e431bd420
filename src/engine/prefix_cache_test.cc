#include "engine/prefix_cache.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

#include "engine/stop_matcher.h"

namespace kolibri::engine {
namespace {

std::vector<int32_t> Seq(std::initializer_list<int32_t> v) { return v; }

TEST(PrefixCacheTest, EmptyCacheMatchesNothing) {
  PrefixCache c(10, 4);
  auto m = c.Lookup(Seq({1, 2, 3}), 3);
  EXPECT_EQ(m.length, 0);
  EXPECT_EQ(m.entry, -1);
  EXPECT_EQ(c.cells(), 0);
}

TEST(PrefixCacheTest, SharedPrefixesShareCells) {
  PrefixCache c(10, 4);
  auto a = c.Insert(Seq({1, 2, 3, 4, 5}));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->cells_added, 5);
  EXPECT_GE(a->new_seq_id, 10);
  auto b = c.Insert(Seq({1, 2, 3, 9, 9, 9}));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->cells_added, 3);  // only the new suffix
  EXPECT_NE(b->new_seq_id, a->new_seq_id);
  EXPECT_EQ(b->source_seq_id, a->new_seq_id);  // the shared part comes from a's cells
  EXPECT_EQ(b->source_length, 3);
  EXPECT_EQ(c.cells(), 8);
  auto m = c.Lookup(Seq({1, 2, 3, 9, 7}), 100);
  EXPECT_EQ(m.length, 4);
  EXPECT_EQ(m.seq_id, b->new_seq_id);
  auto m2 = c.Lookup(Seq({1, 2, 3, 4, 5, 6}), 100);
  EXPECT_EQ(m2.length, 5);
  EXPECT_EQ(m2.seq_id, a->new_seq_id);
  // A capped lookup never returns more than asked (the last prompt token is recomputed).
  EXPECT_EQ(c.Lookup(Seq({1, 2, 3, 4, 5}), 4).length, 4);
}

TEST(PrefixCacheTest, AlreadyCoveredNeedsNoNewSequence) {
  PrefixCache c(0, 4);
  auto a = c.Insert(Seq({1, 2, 3, 4}));
  auto again = c.Insert(Seq({1, 2, 3}));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->new_seq_id, -1);
  EXPECT_EQ(again->entry, a->entry);
  EXPECT_EQ(c.entries(), 1);
  EXPECT_EQ(c.cells(), 4);
}

TEST(PrefixCacheTest, EvictsLeastRecentlyUsedAndFreesOnlyUnsharedCells) {
  PrefixCache c(0, 2);
  auto a = c.Insert(Seq({1, 2, 3, 4}));
  auto b = c.Insert(Seq({1, 2, 5, 6, 7}));
  EXPECT_TRUE(c.full());
  EXPECT_FALSE(c.Insert(Seq({8, 8})).has_value());  // full: evict first
  c.Lookup(Seq({1, 2, 3, 4}), 10);  // a is now the most recent
  auto ev = c.EvictLeastRecentlyUsed();
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->seq_id, b->new_seq_id);
  EXPECT_EQ(ev->cells_freed, 3);
  EXPECT_EQ(c.cells(), 4);
  EXPECT_EQ(c.Lookup(Seq({1, 2, 5}), 10).length, 2);
  auto d = c.Insert(Seq({8, 8}));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->new_seq_id, b->new_seq_id);  // the freed slot is reused
  (void)a;
}

TEST(PrefixCacheTest, PinnedEntriesAreNotEvicted) {
  PrefixCache c(0, 2);
  auto a = c.Insert(Seq({1, 2}));
  c.Pin(a->entry);
  auto b = c.Insert(Seq({3, 4}));
  c.Pin(b->entry);
  EXPECT_FALSE(c.EvictLeastRecentlyUsed().has_value());
  c.Unpin(b->entry);
  auto ev = c.EvictLeastRecentlyUsed();
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->seq_id, b->new_seq_id);
}

TEST(PrefixCacheTest, EvictingAPrefixEntryKeepsItsCellsForLongerEntries) {
  PrefixCache c(0, 4);
  auto sys = c.Insert(Seq({1, 2, 3}));
  auto full = c.Insert(Seq({1, 2, 3, 4, 5}));
  EXPECT_EQ(c.cells(), 5);
  c.Lookup(Seq({1, 2, 3, 4, 5}), 10);
  auto ev = c.EvictLeastRecentlyUsed();
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->seq_id, sys->new_seq_id);
  EXPECT_EQ(ev->cells_freed, 0);
  EXPECT_EQ(c.cells(), 5);
  EXPECT_EQ(c.Lookup(Seq({1, 2, 3, 9}), 10).seq_id, full->new_seq_id);
}

// Support-triage shape: one system prompt, many mails seen once. Trimming frees the mails'
// tails but keeps the system prompt cached, in the sequence of the last entry that held it.
TEST(PrefixCacheTest, TrimUnsharedKeepsTheSharedPrefix) {
  PrefixCache c(0, 8);
  auto a = c.Insert(Seq({1, 2, 3, 10, 11}));
  auto b = c.Insert(Seq({1, 2, 3, 20, 21, 22}));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(c.cells(), 8);
  EXPECT_EQ(c.UnsharedCells(), 5);  // the two tails; [1 2 3] is shared
  EXPECT_FALSE(c.TrimUnshared(5, 100).has_value());  // within budget
  c.Pin(b->entry);
  EXPECT_FALSE(c.TrimUnshared(4, 100).has_value());  // over it, but a is the only unpinned tail
  auto t1 = c.TrimUnshared(4, 0);  // a has idled a prompt: dropped, b still holds [1 2 3]
  ASSERT_TRUE(t1.has_value());
  EXPECT_EQ(t1->seq_id, a->new_seq_id);
  EXPECT_EQ(t1->keep, 0);
  EXPECT_EQ(t1->cells_freed, 2);
  EXPECT_FALSE(c.TrimUnshared(0, 100).has_value());  // b is pinned (running)
  c.Unpin(b->entry);
  EXPECT_FALSE(c.TrimUnshared(0, 100).has_value());  // the only tail left: kept until idle
  auto other = c.Insert(Seq({40, 41}));
  ASSERT_TRUE(other.has_value());
  auto t2 = c.TrimUnshared(0, 100);  // two tails over budget: the older, b, alone keeps [1 2 3]:
  ASSERT_TRUE(t2.has_value());       // it is cut back to it, not dropped
  EXPECT_EQ(t2->seq_id, b->new_seq_id);
  EXPECT_EQ(t2->keep, 3);
  EXPECT_EQ(t2->cells_freed, 3);
  EXPECT_EQ(c.cells(), 5);
  EXPECT_EQ(c.UnsharedCells(), 2);
  EXPECT_FALSE(c.TrimUnshared(0, 100).has_value());
  auto m = c.Lookup(Seq({1, 2, 3, 30, 31}), 10);
  EXPECT_EQ(m.length, 3);
  EXPECT_EQ(m.seq_id, b->new_seq_id);
  // The next mail shares the system prompt and adds only its own tail.
  auto d = c.Insert(Seq({1, 2, 3, 30, 31}));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->source_seq_id, b->new_seq_id);
  EXPECT_EQ(d->source_length, 3);
  EXPECT_EQ(d->cells_added, 2);
}

TEST(PrefixCacheTest, RepeatedPromptCountsAsShared) {
  PrefixCache c(0, 4);
  ASSERT_TRUE(c.Insert(Seq({5, 6, 7})).has_value());
  EXPECT_EQ(c.UnsharedCells(), 3);
  ASSERT_TRUE(c.Insert(Seq({5, 6, 7})).has_value());  // the same prompt again (a retry)
  EXPECT_EQ(c.UnsharedCells(), 0);
  EXPECT_FALSE(c.TrimUnshared(0, 100).has_value());
}

// A tail nobody shared within the idle window is freed even under the cell budget; one
// that is still recent stays.
TEST(PrefixCacheTest, TrimUnsharedFreesIdleTails) {
  PrefixCache c(0, 8);
  auto a = c.Insert(Seq({1, 2, 3}));
  auto b = c.Insert(Seq({7, 8}));
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(c.TrimUnshared(100, 1).has_value());  // a is one prompt old
  auto d = c.Insert(Seq({9}));
  ASSERT_TRUE(d.has_value());
  auto t = c.TrimUnshared(100, 1);  // a is now two prompts old
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->seq_id, a->new_seq_id);
  EXPECT_FALSE(c.TrimUnshared(100, 1).has_value());  // b is one prompt old
}

// Random operations against a brute-force model: cells() always equals the number of
// distinct prefixes held by live entries.
TEST(PrefixCacheTest, CellAccountingMatchesBruteForce) {
  std::mt19937 rng(1);
  PrefixCache c(0, 6);
  std::map<int32_t, std::vector<int32_t>> live;  // seq id -> tokens
  for (int step = 0; step < 2000; ++step) {
    std::vector<int32_t> t(1 + rng() % 8);
    for (auto& x : t) x = static_cast<int32_t>(rng() % 3);
    if (rng() % 3 == 0) {
      auto ev = c.EvictLeastRecentlyUsed();
      if (ev) live.erase(ev->seq_id);
    } else if (rng() % 4 == 0) {
      // Trimming cuts an entry back to its shared prefix (keep > 0) or drops it.
      auto ev = c.TrimUnshared(static_cast<int32_t>(rng() % 6), rng() % 5);
      if (ev && ev->keep == 0) live.erase(ev->seq_id);
      if (ev && ev->keep > 0) live[ev->seq_id].resize(static_cast<size_t>(ev->keep));
    } else {
      if (c.full()) {
        auto ev = c.EvictLeastRecentlyUsed();
        if (ev) live.erase(ev->seq_id);
      }
      auto ins = c.Insert(t);
      if (ins && ins->new_seq_id >= 0) live[ins->new_seq_id] = t;
    }
    std::set<std::vector<int32_t>> prefixes;
    for (const auto& [id, toks] : live) {
      for (size_t k = 1; k <= toks.size(); ++k) prefixes.insert({toks.begin(), toks.begin() + static_cast<long>(k)});
    }
    ASSERT_EQ(c.cells(), static_cast<int32_t>(prefixes.size())) << "step " << step;
    // Every lookup result is a true prefix held by the returned sequence.
    auto m = c.Lookup(t, 100);
    if (m.length > 0) {
      ASSERT_TRUE(live.count(m.seq_id));
      const auto& held = live[m.seq_id];
      ASSERT_GE(held.size(), static_cast<size_t>(m.length));
      ASSERT_TRUE(std::equal(t.begin(), t.begin() + m.length, held.begin()));
    }
  }
}

TEST(StopMatcherTest, HoldsBackPossibleStopPrefixes) {
  StopMatcher m({"</end>"});
  EXPECT_EQ(m.Feed("Hello <"), "Hello ");
  EXPECT_EQ(m.Feed("/e"), "");
  EXPECT_EQ(m.Feed("x"), "</ex");
  EXPECT_EQ(m.Feed(" ok </en"), " ok ");
  EXPECT_EQ(m.Feed("d> tail"), "");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.released(), "Hello </ex ok ");
}

TEST(StopMatcherTest, NeverSplitsUtf8) {
  StopMatcher m({});
  std::string euro = "\xE2\x82\xAC";
  EXPECT_EQ(m.Feed("a" + euro.substr(0, 1)), "a");
  EXPECT_EQ(m.Feed(euro.substr(1, 1)), "");
  EXPECT_EQ(m.Feed(euro.substr(2)), euro);
  EXPECT_EQ(m.Feed("b\xE2"), "b");
  EXPECT_EQ(m.Flush(), "");  // an incomplete character at the end is dropped
}

TEST(StopMatcherTest, EarliestOfSeveralStopsWins) {
  StopMatcher m({"STOP", "\n\n"});
  EXPECT_EQ(m.Feed("one\n\ntwo STOP"), "one");
  EXPECT_TRUE(m.stopped());
}

}  // namespace
}  // namespace kolibri::engine
