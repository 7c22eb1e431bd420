// Grammar: the intermediate representation every constraint source compiles to.
//
// A Grammar is a set of named rules over *bytes*: each rule has one body expression built
// from byte sets, sequences, alternatives, bounded or unbounded repetition and references
// to other rules (recursion allowed, left recursion is rejected by the compiler). Constraint
// sources (JSON Schema, regex, GBNF, labels, substring-of) build one with the helpers below;
// GrammarCompiler (compiled_grammar.h) turns it into a pushdown automaton plus token masks.
//
// Code points are encoded as UTF-8 here (CodepointRanges), so everything downstream is
// byte-level and works with any vocabulary. Thread safety: a value type; build on one thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kolibri::grammar {

// A set of bytes (bit b set = byte b allowed).
struct ByteSet {
  std::array<uint64_t, 4> bits{};
  void Set(uint8_t b) { bits[b >> 6] |= uint64_t{1} << (b & 63); }
  void SetRange(uint8_t lo, uint8_t hi) {
    for (int b = lo; b <= hi; ++b) Set(static_cast<uint8_t>(b));
  }
  bool Test(uint8_t b) const { return (bits[b >> 6] >> (b & 63)) & 1; }
  bool Empty() const { return (bits[0] | bits[1] | bits[2] | bits[3]) == 0; }
  int Count() const;
  ByteSet& operator|=(const ByteSet& o) {
    for (int i = 0; i < 4; ++i) bits[i] |= o.bits[i];
    return *this;
  }
  bool operator==(const ByteSet& o) const { return bits == o.bits; }
};

// Inclusive code point range.
using CodepointRange = std::pair<uint32_t, uint32_t>;
inline constexpr uint32_t kMaxCodepoint = 0x10FFFF;

enum class ExprKind { kEmpty, kNothing, kBytes, kSeq, kAlt, kRef, kRepeat };

using ExprId = int32_t;
inline constexpr int kUnbounded = -1;

struct Expr {
  ExprKind kind = ExprKind::kEmpty;
  ByteSet bytes;                  // kBytes
  std::vector<ExprId> children;   // kSeq, kAlt, kRepeat (one child)
  int32_t rule = -1;              // kRef
  int32_t min = 0, max = 0;       // kRepeat; max == kUnbounded for no upper bound
};

struct Rule {
  std::string name;
  ExprId body = -1;  // -1 until SetBody
};

class Grammar {
 public:
  // Adds a rule with no body yet (so recursive rules can refer to themselves); returns its id.
  int AddRule(std::string name);
  void SetBody(int rule, ExprId body);
  void SetRoot(int rule) { root_ = rule; }
  int root() const { return root_; }

  ExprId Empty();                 // matches ""
  ExprId Nothing();               // matches no string at all
  ExprId Bytes(const ByteSet& set);
  ExprId Byte(uint8_t b);
  ExprId Literal(std::string_view bytes);
  ExprId Seq(std::vector<ExprId> items);
  ExprId Alt(std::vector<ExprId> items);
  ExprId Ref(int rule);
  ExprId Repeat(ExprId item, int min, int max);
  ExprId Star(ExprId item) { return Repeat(item, 0, kUnbounded); }
  ExprId Plus(ExprId item) { return Repeat(item, 1, kUnbounded); }
  ExprId Optional(ExprId item) { return Repeat(item, 0, 1); }
  // Any code point in `ranges` (need not be sorted), UTF-8 encoded. Surrogates are skipped.
  ExprId CodepointRanges(std::vector<CodepointRange> ranges);

  const std::vector<Rule>& rules() const { return rules_; }
  const std::vector<Expr>& exprs() const { return exprs_; }
  const Expr& expr(ExprId id) const { return exprs_[id]; }
  // Rule id by name, or -1.
  int FindRule(std::string_view name) const;
  // Human-readable GBNF-like text, for debugging and golden tests.
  std::string ToString() const;
  // Rough size (expressions), used for resource limits.
  size_t size() const { return exprs_.size(); }

 private:
  ExprId Add(Expr e);
  std::vector<Rule> rules_;
  std::vector<Expr> exprs_;
  int root_ = 0;
};

// Sorts, merges and complements code point ranges over [0, kMaxCodepoint].
std::vector<CodepointRange> NormalizeRanges(std::vector<CodepointRange> ranges);
std::vector<CodepointRange> ComplementRanges(const std::vector<CodepointRange>& ranges);
// Appends the UTF-8 encoding of `cp` to `out`.
void AppendUtf8(uint32_t cp, std::string* out);

}  // namespace kolibri::grammar
