// Per-type grammar builders and allOf merging of the JSON Schema converter.
#include <algorithm>
#include <cmath>

#include "grammar/schema_converter.h"
#include "kolibri/grammar/constraints.h"
#include "kolibri/grammar/regex_parser.h"

namespace kolibri::grammar {
namespace {

std::optional<double> Num(const OJson& s, const char* k) {
  auto it = s.find(k);
  if (it == s.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::vector<std::string> TypeList(const OJson& t) {
  if (t.is_string()) return {t.get<std::string>()};
  std::vector<std::string> out;
  if (t.is_array()) {
    for (auto& x : t) {
      if (x.is_string()) out.push_back(x.get<std::string>());
    }
  }
  return out;
}

}  // namespace

// Folds allOf (and a $ref with siblings) into one schema object. Where two subschemas give
// the same keyword different values that cannot be combined, the first is kept and the
// keyword is reported post_checked: the grammar may then admit more, never less.
Result<OJson> SchemaConverter::MergeAllOf(const OJson& s, const std::string& ptr, int depth) {
  if (depth > options_.max_nesting_depth) {
    return Status::InvalidArgument("allOf/$ref chain too deep (a cycle?) at '" + ptr + "'");
  }
  OJson m = s;
  m.erase("allOf");
  const OJson& subs = s["allOf"];
  for (size_t i = 0; i < subs.size(); ++i) {
    const std::string sptr = ptr + "/allOf/" + std::to_string(i);
    OJson sub = subs[i];
    if (sub.is_boolean()) {
      if (!sub.get<bool>()) return OJson(false);
      continue;
    }
    if (!sub.is_object()) return Status::InvalidArgument("allOf entry at '" + sptr + "' must be a schema");
    if (sub.contains("$ref") && sub["$ref"].is_string()) {
      std::string target_ptr;
      Status error;
      const OJson* target = Resolve(sub["$ref"].get<std::string>(), sptr, &target_ptr, &error);
      if (target == nullptr) {
        if (error.code() != ErrorCode::kUnsupported) return error;
        KOLIBRI_RETURN_IF_ERROR(Reject(sptr, "$ref", error.message()));
        sub.erase("$ref");
      } else {
        Mark(sptr, "$ref", KeywordHandling::kEnforced, "merged");
        OJson rest = sub;
        rest.erase("$ref");
        sub = *target;
        if (sub.is_boolean()) {
          if (!sub.get<bool>()) return OJson(false);
          sub = OJson::object();
        }
        if (!rest.empty()) {
          OJson wrap = rest;
          wrap["allOf"] = OJson::array({sub});
          KOLIBRI_ASSIGN_OR_RETURN(sub, MergeAllOf(wrap, sptr, depth + 1));
        }
      }
    }
    if (sub.contains("allOf")) {
      KOLIBRI_ASSIGN_OR_RETURN(sub, MergeAllOf(sub, sptr, depth + 1));
      if (sub.is_boolean()) return sub;
    }
    for (auto it = sub.begin(); it != sub.end(); ++it) {
      const std::string& k = it.key();
      const OJson& v = it.value();
      if (!m.contains(k)) {
        m[k] = v;
        continue;
      }
      OJson& cur = m[k];
      if (cur == v) continue;
      if (k == "properties" && cur.is_object() && v.is_object()) {
        for (auto p = v.begin(); p != v.end(); ++p) {
          if (cur.contains(p.key()) && cur[p.key()] != p.value()) {
            cur[p.key()] = OJson{{"allOf", OJson::array({cur[p.key()], p.value()})}};
          } else {
            cur[p.key()] = p.value();
          }
        }
      } else if (k == "required" && cur.is_array() && v.is_array()) {
        for (auto& r : v) {
          if (std::find(cur.begin(), cur.end(), r) == cur.end()) cur.push_back(r);
        }
      } else if (k == "type") {
        std::vector<std::string> a = TypeList(cur), b = TypeList(v), both;
        for (auto& x : a) {
          for (auto& y : b) {
            if (x == y) both.push_back(x);
            else if ((x == "number" && y == "integer") || (x == "integer" && y == "number")) both.push_back("integer");
          }
        }
        if (both.empty()) return AdmitsNoValue(ptr, "allOf types conflict");
        cur = both;
      } else if ((k == "minimum" || k == "minLength" || k == "minItems" || k == "minProperties") && cur.is_number() &&
                 v.is_number()) {
        cur = std::max(cur.get<double>(), v.get<double>());
      } else if ((k == "maximum" || k == "maxLength" || k == "maxItems" || k == "maxProperties") && cur.is_number() &&
                 v.is_number()) {
        cur = std::min(cur.get<double>(), v.get<double>());
      } else if (k == "enum" && cur.is_array() && v.is_array()) {
        OJson both = OJson::array();
        for (auto& x : cur) {
          if (std::find(v.begin(), v.end(), x) != v.end()) both.push_back(x);
        }
        cur = both;
      } else if ((k == "items" || k == "additionalProperties" || k == "propertyNames" || k == "contains") &&
                 !cur.is_array() && !v.is_array()) {
        cur = OJson{{"allOf", OJson::array({cur, v})}};
      } else if (AnnotationKeywords(k)) {
        continue;
      } else {
        Mark(ptr, k, KeywordHandling::kPostChecked, "conflicting allOf values; the grammar keeps the first");
      }
    }
  }
  return m;
}

bool SchemaConverter::AnnotationKeywords(const std::string& k) {
  return k == "title" || k == "description" || k == "default" || k == "examples" || k == "$comment" ||
         k == "$id" || k == "$schema" || k == "$defs" || k == "definitions";
}

Result<ExprId> SchemaConverter::ObjectExpr(const OJson& s, const std::string& ptr, int depth) {
  struct Prop {
    std::string key;
    OJson schema;
    std::string sptr;
    bool required = false;
  };
  std::vector<Prop> props;
  std::set<std::string> required;
  if (s.contains("required")) {
    if (!s["required"].is_array()) return Status::InvalidArgument("required at '" + ptr + "' must be an array");
    for (auto& r : s["required"]) {
      if (r.is_string()) required.insert(r.get<std::string>());
    }
    Mark(ptr, "required", KeywordHandling::kEnforced);
  }
  if (s.contains("properties")) {
    if (!s["properties"].is_object()) return Status::InvalidArgument("properties at '" + ptr + "' must be an object");
    Mark(ptr, "properties", KeywordHandling::kEnforced);
    for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it) {
      props.push_back({it.key(), it.value(), ptr + "/properties/" + PointerEscape(it.key()), required.count(it.key()) > 0});
    }
  }
  OJson additional = true;
  std::string additional_ptr = ptr + "/additionalProperties";
  if (s.contains("additionalProperties")) {
    additional = s["additionalProperties"];
    Mark(ptr, "additionalProperties", KeywordHandling::kEnforced);
  } else if (s.contains("unevaluatedProperties") && s["unevaluatedProperties"].is_boolean() &&
             !s.contains("patternProperties")) {
    additional = s["unevaluatedProperties"];
    additional_ptr = ptr + "/unevaluatedProperties";
    Mark(ptr, "unevaluatedProperties", KeywordHandling::kEnforced, "no members beyond the declared ones");
  }
  const bool has_patterns = s.contains("patternProperties") && s["patternProperties"].is_object();
  if (s.contains("required")) {
    for (auto& r : s["required"]) {
      if (!r.is_string()) continue;
      const std::string key = r.get<std::string>();
      bool declared = std::any_of(props.begin(), props.end(), [&](const Prop& p) { return p.key == key; });
      if (declared) continue;
      if (additional == false && !has_patterns) {
        return AdmitsNoValue(ptr, "required '" + key + "' is not allowed by additionalProperties false");
      }
      props.push_back({key, has_patterns ? OJson(true) : additional, additional_ptr, true});
    }
  }
  // Extra members: pattern properties, then any other name when additionalProperties allows.
  std::vector<ExprId> extra_alts;
  if (has_patterns) {
    Mark(ptr, "patternProperties", KeywordHandling::kPostChecked,
         "members matching a pattern get its schema; names matching several are checked after");
    const OJson& pp = s["patternProperties"];
    for (auto it = pp.begin(); it != pp.end(); ++it) {
      auto key = AddRegex(&g_, it.key(), {RegexMatchMode::kSearch, RegexEncoding::kJsonString});
      ExprId key_expr = key.ok() ? g_.Seq({g_.Byte('"'), *key, g_.Byte('"')}) : g_.Ref(json_.string);
      KOLIBRI_ASSIGN_OR_RETURN(ExprId value, SchemaRule(it.value(), ptr + "/patternProperties/" + PointerEscape(it.key()),
                                                        depth + 1));
      extra_alts.push_back(g_.Seq({key_expr, g_.Byte(':'), value}));
    }
  }
  // additionalProperties applies to names no pattern matches: none when a pattern matches
  // every name (".*", "").
  bool patterns_cover_all = false;
  if (has_patterns) {
    for (auto it = s["patternProperties"].begin(); it != s["patternProperties"].end(); ++it) {
      auto all = RegexMatchesEveryString(it.key());
      patterns_cover_all = patterns_cover_all || (all.ok() && *all);
    }
  }
  if (!(additional.is_boolean() && !additional.get<bool>()) && !patterns_cover_all) {
    KOLIBRI_ASSIGN_OR_RETURN(ExprId value, SchemaRule(additional, additional_ptr, depth + 1));
    extra_alts.push_back(g_.Seq({g_.Ref(json_.string), g_.Byte(':'), value}));
    if (!props.empty()) {
      Mark(ptr, "properties", KeywordHandling::kEnforced,
           "an extra member named like a declared property is checked after");
    }
  }
  int extra_rule = -1;
  if (!extra_alts.empty()) {
    extra_rule = g_.AddRule("extra" + std::to_string(g_.rules().size()));
    g_.SetBody(extra_rule, g_.Alt(std::move(extra_alts)));
  }
  auto extras_part = [&](bool comma) -> ExprId {
    if (extra_rule < 0) return g_.Empty();
    std::vector<ExprId> seq;
    if (comma) seq.push_back(g_.Byte(','));
    seq.push_back(g_.Ref(extra_rule));
    seq.push_back(g_.Star(g_.Seq({g_.Byte(','), g_.Ref(extra_rule)})));
    return g_.Optional(g_.Seq(std::move(seq)));
  };
  const bool has_optional = std::any_of(props.begin(), props.end(), [](const Prop& p) { return !p.required; });
  std::vector<ExprId> kv;
  for (size_t i = 0; i < props.size();) {
    const Prop& p = props[i];
    auto value = has_optional ? SchemaRule(p.schema, p.sptr, depth + 1) : Schema(p.schema, p.sptr, depth + 1);
    if (!value.ok() && !p.required && IsAdmitsNoValue(value.status())) {
      // Valid instances never hold this member, so the grammar never writes it.
      Mark(p.sptr, "properties", KeywordHandling::kEnforced,
           "admits no value (" + value.status().message() + "); the member is left out");
      props.erase(props.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (!value.ok()) return value.status();
    kv.push_back(g_.Seq({g_.Literal(JsonQuote(p.key) + ":"), *value}));
    ++i;
  }
  if (!has_optional) {
    std::vector<ExprId> seq{g_.Byte('{')};
    for (size_t i = 0; i < kv.size(); ++i) {
      if (i) seq.push_back(g_.Byte(','));
      seq.push_back(kv[i]);
    }
    seq.push_back(extras_part(!kv.empty()));
    seq.push_back(g_.Byte('}'));
    return g_.Seq(std::move(seq));
  }
  // tail[i][c]: members from property i on; c = a member was already written (comma first).
  const size_t n = props.size();
  std::vector<std::array<int, 2>> tail(n + 1);
  for (size_t i = 0; i <= n; ++i) {
    for (int c = 0; c < 2; ++c) tail[i][c] = g_.AddRule("members" + std::to_string(g_.rules().size()));
  }
  for (int c = 0; c < 2; ++c) g_.SetBody(tail[n][c], extras_part(c == 1));
  for (size_t i = n; i-- > 0;) {
    for (int c = 0; c < 2; ++c) {
      std::vector<ExprId> take;
      if (c) take.push_back(g_.Byte(','));
      take.push_back(kv[i]);
      take.push_back(g_.Ref(tail[i + 1][1]));
      ExprId body = g_.Seq(std::move(take));
      if (!props[i].required) body = g_.Alt({body, g_.Ref(tail[i + 1][c])});
      g_.SetBody(tail[i][c], body);
    }
  }
  return g_.Seq({g_.Byte('{'), g_.Ref(tail[0][0]), g_.Byte('}')});
}

Result<ExprId> SchemaConverter::ArrayExpr(const OJson& s, const std::string& ptr, int depth) {
  std::vector<std::pair<OJson, std::string>> prefix;
  OJson rest = true;
  std::string rest_ptr = ptr + "/items";
  if (s.contains("prefixItems") && s["prefixItems"].is_array()) {
    Mark(ptr, "prefixItems", KeywordHandling::kEnforced);
    for (size_t i = 0; i < s["prefixItems"].size(); ++i) {
      prefix.emplace_back(s["prefixItems"][i], ptr + "/prefixItems/" + std::to_string(i));
    }
    if (s.contains("items")) rest = s["items"];
  } else if (s.contains("items") && s["items"].is_array()) {
    for (size_t i = 0; i < s["items"].size(); ++i) prefix.emplace_back(s["items"][i], ptr + "/items/" + std::to_string(i));
    if (s.contains("additionalItems")) {
      rest = s["additionalItems"];
      rest_ptr = ptr + "/additionalItems";
      Mark(ptr, "additionalItems", KeywordHandling::kEnforced);
    }
  } else if (s.contains("items")) {
    rest = s["items"];
  }
  if (s.contains("items")) Mark(ptr, "items", KeywordHandling::kEnforced);
  const bool has_rest = !(rest.is_boolean() && !rest.get<bool>());
  const int cap = options_.max_expanded_repeat;
  int64_t min_items = 0, max_items = -1;
  if (auto v = Num(s, "minItems")) min_items = static_cast<int64_t>(std::ceil(std::max(0.0, std::min(*v, 1e9))));
  if (auto v = Num(s, "maxItems")) max_items = static_cast<int64_t>(std::floor(std::max(0.0, std::min(*v, 1e9))));
  if (max_items >= 0 && min_items > max_items) {
    return AdmitsNoValue(ptr, "minItems > maxItems");
  }
  const int64_t k = static_cast<int64_t>(prefix.size());
  if (!has_rest && min_items > k) {
    return AdmitsNoValue(ptr, "minItems beyond the allowed items");
  }
  if (!has_rest) max_items = max_items < 0 ? k : std::min(max_items, k);
  if (s.contains("minItems")) {
    Mark(ptr, "minItems", min_items <= cap ? KeywordHandling::kEnforced : KeywordHandling::kPostChecked,
         min_items <= cap ? "" : "above the expansion limit");
  }
  if (min_items > cap) min_items = cap;
  if (s.contains("maxItems")) {
    const bool ok = max_items <= std::max<int64_t>(k, cap);
    Mark(ptr, "maxItems", ok ? KeywordHandling::kEnforced : KeywordHandling::kPostChecked, ok ? "" : "above the expansion limit");
    if (!ok) max_items = -1;
  }
  ExprId rest_ref = g_.Nothing();
  if (has_rest) {
    KOLIBRI_ASSIGN_OR_RETURN(rest_ref, SchemaRule(rest, rest_ptr, depth + 1));
  }
  const int64_t fixed = std::max(k, min_items);  // positions built one by one
  ExprId tail = g_.Empty();
  if (has_rest && (max_items < 0 || max_items > fixed)) {
    const int more = max_items < 0 ? kUnbounded : static_cast<int>(max_items - fixed);
    if (fixed == 0) {
      tail = g_.Optional(g_.Seq({rest_ref, g_.Repeat(g_.Seq({g_.Byte(','), rest_ref}), 0,
                                                     more == kUnbounded ? kUnbounded : more - 1)}));
    } else {
      tail = g_.Repeat(g_.Seq({g_.Byte(','), rest_ref}), 0, more);
    }
  }
  const int64_t last = max_items < 0 ? fixed : std::min(fixed, max_items);
  ExprId body = tail;
  for (int64_t i = last; i-- > 0;) {
    ExprId elem = rest_ref;
    if (i < k) {
      KOLIBRI_ASSIGN_OR_RETURN(elem, Schema(prefix[i].first, prefix[i].second, depth + 1));
    }
    std::vector<ExprId> seq;
    if (i > 0) seq.push_back(g_.Byte(','));
    seq.push_back(elem);
    seq.push_back(body);
    body = g_.Seq(std::move(seq));
    if (i >= min_items) body = g_.Optional(body);
  }
  return g_.Seq({g_.Byte('['), body, g_.Byte(']')});
}

Result<ExprId> SchemaConverter::StringExpr(const OJson& s, const std::string& ptr, int depth) {
  (void)depth;
  std::optional<ExprId> content;
  std::string constrained_by;
  auto substring = [&](const std::string& text) {
    auto it = substring_rules_.find(text);
    if (it == substring_rules_.end()) {
      const int rule = g_.AddRule("substring" + std::to_string(g_.rules().size()));
      g_.SetBody(rule, AddSubstringOf(&g_, text, RegexEncoding::kJsonString));
      it = substring_rules_.emplace(text, rule).first;
    }
    return g_.Ref(it->second);
  };
  if (s.contains("x-kolibri-evidence") && s["x-kolibri-evidence"] == true) {
    Mark(ptr, "x-kolibri-evidence", KeywordHandling::kEnforced, "substring of the evidence text");
    content = substring(options_.evidence_text);
    constrained_by = "x-kolibri-evidence";
  } else if (s.contains("x-kolibri-substring-of") && s["x-kolibri-substring-of"].is_string()) {
    Mark(ptr, "x-kolibri-substring-of", KeywordHandling::kEnforced);
    content = substring(s["x-kolibri-substring-of"].get<std::string>());
    constrained_by = "x-kolibri-substring-of";
  }
  if (s.contains("format") && s["format"].is_string()) {
    const std::string f = s["format"].get<std::string>();
    const char* re = FormatRegex(f);
    if (re != nullptr && !content) {
      auto e = AddRegex(&g_, re, {RegexMatchMode::kFullMatch, RegexEncoding::kJsonString});
      KOLIBRI_CHECK(e.ok());
      content = *e;
      constrained_by = "format";
      Mark(ptr, "format", KeywordHandling::kEnforced);
    } else if (re != nullptr || IsSpecFormat(f)) {
      Mark(ptr, "format", KeywordHandling::kPostChecked, "format '" + f + "' is checked after generation");
    } else {
      Mark(ptr, "format", KeywordHandling::kAnnotation, "unknown format '" + f + "'; treated as an annotation");
    }
  }
  const int cap = options_.max_expanded_length;
  std::optional<double> min_len = Num(s, "minLength"), max_len = Num(s, "maxLength");
  if (s.contains("pattern")) {
    if (!s["pattern"].is_string()) return Status::InvalidArgument("pattern at '" + ptr + "' must be a string");
    if (content) {
      Mark(ptr, "pattern", KeywordHandling::kPostChecked, "combined with " + constrained_by + "; checked after");
    } else {
      // "^[a-z0-9_]+$" with maxLength 63: the bounds go into the quantifier.
      std::optional<std::string> merged;
      if (min_len || max_len) merged = PatternWithLength(s["pattern"].get<std::string>(), min_len, max_len, cap);
      auto e = AddRegex(&g_, merged ? *merged : s["pattern"].get<std::string>(),
                        {RegexMatchMode::kSearch, RegexEncoding::kJsonString});
      if (e.ok() && merged) {
        Mark(ptr, "pattern", KeywordHandling::kEnforced);
        for (const char* k : {"minLength", "maxLength"}) {
          if (s.contains(k)) Mark(ptr, k, KeywordHandling::kEnforced, "merged into the pattern's quantifier");
        }
        return OwnRule(g_.Seq({g_.Byte('"'), *e, g_.Byte('"')}));
      }
      if (e.ok()) {
        content = *e;
        constrained_by = "pattern";
        Mark(ptr, "pattern", KeywordHandling::kEnforced);
      } else if (e.status().code() == ErrorCode::kUnsupported) {
        Mark(ptr, "pattern", KeywordHandling::kPostChecked, e.status().message());
      } else {
        return Status::InvalidArgument("pattern at '" + ptr + "': " + e.status().message());
      }
    }
  }
  if (min_len && max_len && *min_len > *max_len) {
    return AdmitsNoValue(ptr, "minLength > maxLength");
  }
  if (content) {
    for (const char* k : {"minLength", "maxLength"}) {
      if (s.contains(k)) Mark(ptr, k, KeywordHandling::kPostChecked, "combined with " + constrained_by + "; checked after");
    }
    return OwnRule(g_.Seq({g_.Byte('"'), *content, g_.Byte('"')}));
  }
  if (!min_len && !max_len) return g_.Ref(json_.string);
  int lo = 0, hi = kUnbounded;
  if (min_len) {
    const bool ok = *min_len <= cap;
    Mark(ptr, "minLength", ok ? KeywordHandling::kEnforced : KeywordHandling::kPostChecked, ok ? "" : "above the expansion limit");
    lo = ok ? static_cast<int>(std::ceil(std::max(0.0, *min_len))) : cap;
  }
  if (max_len) {
    const bool ok = *max_len <= cap;
    Mark(ptr, "maxLength", ok ? KeywordHandling::kEnforced : KeywordHandling::kPostChecked, ok ? "" : "above the expansion limit");
    if (ok) hi = static_cast<int>(std::floor(std::max(0.0, *max_len)));
  }
  if (hi != kUnbounded && lo > hi) lo = hi;
  return OwnRule(g_.Seq({g_.Byte('"'), g_.Repeat(g_.Ref(json_.character), lo, hi), g_.Byte('"')}));
}

// A string form in a rule of its own: its node masks are then keyed by its structure alone
// and shared with every other schema using the same format, pattern or length bounds.
ExprId SchemaConverter::OwnRule(ExprId body) {
  const int rule = g_.AddRule("str" + std::to_string(g_.rules().size()));
  g_.SetBody(rule, body);
  return g_.Ref(rule);
}

Result<ExprId> SchemaConverter::IntegerExpr(const OJson& s, const std::string& ptr) {
  std::optional<int64_t> lo, hi;
  constexpr double kLimit = 9e18;
  auto bound = [&](const char* k, bool lower, bool exclusive) {
    std::optional<double> v = Num(s, k);
    if (!v) return;
    if (std::fabs(*v) >= kLimit) {
      Mark(ptr, k, KeywordHandling::kPostChecked, "bound beyond 64-bit integers");
      return;
    }
    bool excl = exclusive;
    if (!exclusive) {
      const char* draft4 = lower ? "exclusiveMinimum" : "exclusiveMaximum";
      excl = s.contains(draft4) && s[draft4] == true;
    }
    int64_t b = lower ? static_cast<int64_t>(std::ceil(*v)) : static_cast<int64_t>(std::floor(*v));
    if (excl && static_cast<double>(b) == *v) b += lower ? 1 : -1;
    if (lower) lo = lo ? std::max(*lo, b) : b;
    else hi = hi ? std::min(*hi, b) : b;
    Mark(ptr, k, KeywordHandling::kEnforced);
  };
  bound("minimum", true, false);
  bound("maximum", false, false);
  bound("exclusiveMinimum", true, true);
  bound("exclusiveMaximum", false, true);
  for (const char* k : {"exclusiveMinimum", "exclusiveMaximum"}) {
    if (s.contains(k) && s[k].is_boolean()) Mark(ptr, k, KeywordHandling::kEnforced);
  }
  if (s.contains("multipleOf") && s["multipleOf"].is_number() && s["multipleOf"].get<double>() == 1.0) {
    Mark(ptr, "multipleOf", KeywordHandling::kEnforced);
  }
  if (lo && hi && *lo > *hi) return AdmitsNoValue(ptr, "minimum > maximum");
  if (!lo && !hi) return g_.Ref(json_.integer);
  return AddIntegerRange(&g_, lo, hi);
}

Result<ExprId> SchemaConverter::NumberExpr(const OJson& s, const std::string& ptr) {
  // Bounds become a decimal range without an exponent. Integer bounds are exact; others
  // are widened to the next integers and the exact bound is post-checked.
  std::optional<DecimalBound> lo, hi;
  std::optional<double> exact_lo, exact_hi;
  bool lo_exclusive = false, hi_exclusive = false;
  constexpr double kLimit = 9007199254740992.0;  // 2^53
  auto bound = [&](const char* k, bool lower, bool exclusive) {
    std::optional<double> v = Num(s, k);
    if (!v) return;
    if (!exclusive) {
      const char* draft4 = lower ? "exclusiveMinimum" : "exclusiveMaximum";
      exclusive = s.contains(draft4) && s[draft4] == true;
    }
    std::optional<double>& cur = lower ? exact_lo : exact_hi;
    bool& cur_exclusive = lower ? lo_exclusive : hi_exclusive;
    const bool tighter = !cur || (lower ? *v > *cur : *v < *cur) || (*v == *cur && exclusive);
    if (tighter) {
      cur = *v;
      cur_exclusive = exclusive;
    }
  };
  bound("minimum", true, false);
  bound("maximum", false, false);
  bound("exclusiveMinimum", true, true);
  bound("exclusiveMaximum", false, true);
  if (exact_lo && exact_hi && (*exact_lo > *exact_hi || (*exact_lo == *exact_hi && (lo_exclusive || hi_exclusive)))) {
    return AdmitsNoValue(ptr, "minimum above maximum");
  }
  auto mark = [&](bool lower, bool exact, const std::string& note) {
    const char* keys[2] = {lower ? "minimum" : "maximum", lower ? "exclusiveMinimum" : "exclusiveMaximum"};
    for (const char* k : keys) {
      if (s.contains(k)) Mark(ptr, k, exact ? KeywordHandling::kEnforced : KeywordHandling::kPostChecked, note);
    }
  };
  auto to_bound = [&](std::optional<double> v, bool exclusive, bool lower) -> std::optional<DecimalBound> {
    if (!v) return std::nullopt;
    if (std::fabs(*v) >= kLimit) {
      mark(lower, false, "bound beyond 2^53; checked after");
      return std::nullopt;
    }
    const double widened = lower ? std::floor(*v) : std::ceil(*v);
    const bool exact = widened == *v;
    mark(lower, exact, exact ? "a bounded number is written without an exponent (or with one >= 0 above a lower bound >= 0)"
                             : "the grammar bounds it by the next integer; the exact bound is checked after");
    return DecimalBound{static_cast<int64_t>(widened), exact && exclusive};
  };
  lo = to_bound(exact_lo, lo_exclusive, true);
  hi = to_bound(exact_hi, hi_exclusive, false);
  if (!lo && !hi) return g_.Ref(json_.number);
  const ExprId range = AddDecimalRange(&g_, lo, hi);
  if (hi || lo->value < 0) return range;
  // Only a lower bound >= 0: a non-negative exponent keeps a mantissa in range (3e2).
  ByteSet d, e;
  d.SetRange('0', '9');
  e.Set('e');
  e.Set('E');
  return g_.Seq({range, g_.Optional(g_.Seq({g_.Bytes(e), g_.Optional(g_.Byte('+')), g_.Repeat(g_.Bytes(d), 1, 2)}))});
}

}  // namespace kolibri::grammar
