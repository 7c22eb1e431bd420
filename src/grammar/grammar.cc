#include "kolibri/grammar/grammar.h"

#include <algorithm>
#include <bit>
#include <cstdio>

namespace kolibri::grammar {

int ByteSet::Count() const {
  int n = 0;
  for (uint64_t w : bits) n += std::popcount(w);
  return n;
}

int Grammar::AddRule(std::string name) {
  rules_.push_back(Rule{std::move(name), -1});
  return static_cast<int>(rules_.size()) - 1;
}

void Grammar::SetBody(int rule, ExprId body) { rules_[rule].body = body; }

ExprId Grammar::Add(Expr e) {
  exprs_.push_back(std::move(e));
  return static_cast<ExprId>(exprs_.size()) - 1;
}

ExprId Grammar::Empty() { return Add(Expr{ExprKind::kEmpty}); }
ExprId Grammar::Nothing() { return Add(Expr{ExprKind::kNothing}); }

ExprId Grammar::Bytes(const ByteSet& set) {
  if (set.Empty()) return Nothing();
  Expr e{ExprKind::kBytes};
  e.bytes = set;
  return Add(std::move(e));
}

ExprId Grammar::Byte(uint8_t b) {
  ByteSet s;
  s.Set(b);
  return Bytes(s);
}

ExprId Grammar::Literal(std::string_view bytes) {
  if (bytes.empty()) return Empty();
  if (bytes.size() == 1) return Byte(static_cast<uint8_t>(bytes[0]));
  std::vector<ExprId> items;
  items.reserve(bytes.size());
  for (char c : bytes) items.push_back(Byte(static_cast<uint8_t>(c)));
  return Seq(std::move(items));
}

ExprId Grammar::Seq(std::vector<ExprId> items) {
  if (items.empty()) return Empty();
  if (items.size() == 1) return items[0];
  Expr e{ExprKind::kSeq};
  e.children = std::move(items);
  return Add(std::move(e));
}

ExprId Grammar::Alt(std::vector<ExprId> items) {
  if (items.empty()) return Nothing();
  if (items.size() == 1) return items[0];
  Expr e{ExprKind::kAlt};
  e.children = std::move(items);
  return Add(std::move(e));
}

ExprId Grammar::Ref(int rule) {
  Expr e{ExprKind::kRef};
  e.rule = rule;
  return Add(std::move(e));
}

ExprId Grammar::Repeat(ExprId item, int min, int max) {
  if (max == 0) return Empty();
  if (min == 1 && max == 1) return item;
  Expr e{ExprKind::kRepeat};
  e.children = {item};
  e.min = min;
  e.max = max;
  return Add(std::move(e));
}

int Grammar::FindRule(std::string_view name) const {
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::vector<CodepointRange> NormalizeRanges(std::vector<CodepointRange> ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<CodepointRange> out;
  for (auto [lo, hi] : ranges) {
    if (lo > hi) continue;
    hi = std::min(hi, kMaxCodepoint);
    if (lo > kMaxCodepoint) continue;
    if (!out.empty() && lo <= out.back().second + 1) {
      out.back().second = std::max(out.back().second, hi);
    } else {
      out.emplace_back(lo, hi);
    }
  }
  return out;
}

std::vector<CodepointRange> ComplementRanges(const std::vector<CodepointRange>& ranges) {
  std::vector<CodepointRange> norm = NormalizeRanges(ranges);
  std::vector<CodepointRange> out;
  uint32_t next = 0;
  for (auto [lo, hi] : norm) {
    if (lo > next) out.emplace_back(next, lo - 1);
    next = hi + 1;
  }
  if (next <= kMaxCodepoint) out.emplace_back(next, kMaxCodepoint);
  return out;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

namespace {

// Splits [lo, hi] (same UTF-8 length) until each piece is a product of byte ranges.
void Utf8Sequences(uint32_t lo, uint32_t hi, std::vector<std::vector<std::pair<uint8_t, uint8_t>>>* out) {
  static constexpr uint32_t kLimits[] = {0x7F, 0x7FF, 0xFFFF, 0x10FFFF};
  for (int i = 0; i < 3; ++i) {
    if (lo <= kLimits[i] && hi > kLimits[i]) {
      Utf8Sequences(lo, kLimits[i], out);
      Utf8Sequences(kLimits[i] + 1, hi, out);
      return;
    }
  }
  std::string a, b;
  AppendUtf8(lo, &a);
  AppendUtf8(hi, &b);
  const size_t n = a.size();
  for (size_t i = 1; i < n; ++i) {
    const uint32_t m = (uint32_t{1} << (6 * i)) - 1;
    if ((lo & ~m) != (hi & ~m)) {
      if ((lo & m) != 0) {
        Utf8Sequences(lo, lo | m, out);
        Utf8Sequences((lo | m) + 1, hi, out);
        return;
      }
      if ((hi & m) != m) {
        Utf8Sequences(lo, (hi & ~m) - 1, out);
        Utf8Sequences(hi & ~m, hi, out);
        return;
      }
    }
  }
  std::vector<std::pair<uint8_t, uint8_t>> seq;
  for (size_t i = 0; i < n; ++i) {
    seq.emplace_back(static_cast<uint8_t>(a[i]), static_cast<uint8_t>(b[i]));
  }
  out->push_back(std::move(seq));
}

}  // namespace

ExprId Grammar::CodepointRanges(std::vector<CodepointRange> ranges) {
  std::vector<CodepointRange> norm = NormalizeRanges(std::move(ranges));
  std::vector<std::vector<std::pair<uint8_t, uint8_t>>> seqs;
  for (auto [lo, hi] : norm) {
    // Surrogates are not valid scalar values in UTF-8.
    if (lo <= 0xDFFF && hi >= 0xD800) {
      if (lo < 0xD800) Utf8Sequences(lo, 0xD7FF, &seqs);
      if (hi > 0xDFFF) Utf8Sequences(0xE000, hi, &seqs);
    } else {
      Utf8Sequences(lo, hi, &seqs);
    }
  }
  std::vector<ExprId> alts;
  ByteSet single;
  for (const auto& seq : seqs) {
    if (seq.size() == 1) {
      single.SetRange(seq[0].first, seq[0].second);
      continue;
    }
    std::vector<ExprId> items;
    for (auto [a, b] : seq) {
      ByteSet s;
      s.SetRange(a, b);
      items.push_back(Bytes(s));
    }
    alts.push_back(Seq(std::move(items)));
  }
  if (!single.Empty()) alts.insert(alts.begin(), Bytes(single));
  return Alt(std::move(alts));
}

namespace {

std::string ByteSetText(const ByteSet& s) {
  std::string out = "[";
  for (int b = 0; b < 256; ++b) {
    if (!s.Test(static_cast<uint8_t>(b))) continue;
    int e = b;
    while (e + 1 < 256 && s.Test(static_cast<uint8_t>(e + 1))) ++e;
    char buf[16];
    auto put = [&](int v) {
      if (v >= 0x21 && v < 0x7F && v != '\\' && v != ']' && v != '-' && v != '^') {
        out.push_back(static_cast<char>(v));
      } else {
        std::snprintf(buf, sizeof buf, "\\x%02X", v);
        out += buf;
      }
    };
    put(b);
    if (e > b) {
      out.push_back('-');
      put(e);
    }
    b = e;
  }
  return out + "]";
}

}  // namespace

std::string Grammar::ToString() const {
  std::string out;
  auto print = [&](auto&& self, ExprId id) -> void {
    const Expr& e = exprs_[id];
    switch (e.kind) {
      case ExprKind::kEmpty: out += "\"\""; break;
      case ExprKind::kNothing: out += "[]"; break;
      case ExprKind::kBytes: out += ByteSetText(e.bytes); break;
      case ExprKind::kRef: out += rules_[e.rule].name; break;
      case ExprKind::kSeq:
      case ExprKind::kAlt:
        out += "(";
        for (size_t i = 0; i < e.children.size(); ++i) {
          if (i) out += e.kind == ExprKind::kAlt ? " | " : " ";
          self(self, e.children[i]);
        }
        out += ")";
        break;
      case ExprKind::kRepeat:
        self(self, e.children[0]);
        out += "{" + std::to_string(e.min) + "," + (e.max == kUnbounded ? "" : std::to_string(e.max)) + "}";
        break;
    }
  };
  for (const Rule& r : rules_) {
    out += r.name + " ::= ";
    if (r.body >= 0) print(print, r.body);
    out += "\n";
  }
  return out;
}

}  // namespace kolibri::grammar
