// SerializeInSchemaOrder: writes an instance the way the grammar generates it.
#include <set>

#include "grammar/schema_converter.h"

namespace kolibri::grammar {
namespace {

const OJson* Follow(const OJson& root, const OJson* s, int depth) {
  while (s != nullptr && s->is_object() && s->contains("$ref") && (*s)["$ref"].is_string() && depth++ < 32) {
    const std::string ref = (*s)["$ref"].get<std::string>();
    if (ref.empty() || ref[0] != '#') return s;
    const OJson* node = &root;
    std::string frag = ref.substr(1);
    size_t pos = 1;
    while (!frag.empty() && pos <= frag.size()) {
      size_t next = frag.find('/', pos);
      if (next == std::string::npos) next = frag.size();
      std::string tok = frag.substr(pos, next - pos);
      for (size_t i; (i = tok.find("~1")) != std::string::npos;) tok.replace(i, 2, "/");
      for (size_t i; (i = tok.find("~0")) != std::string::npos;) tok.replace(i, 2, "~");
      if (node->is_object() && node->contains(tok)) node = &(*node)[tok];
      else if (node->is_array() && !tok.empty() && tok.find_first_not_of("0123456789") == std::string::npos &&
               tok.size() < 9 && std::stoul(tok) < node->size()) node = &(*node)[std::stoul(tok)];
      else return s;
      pos = next + 1;
    }
    if (node == s) return s;
    s = node;
  }
  return s;
}

// Property names in the order the grammar writes them, and the subschema of each.
void Collect(const OJson& root, const OJson* s, std::vector<std::string>* order,
             std::vector<const OJson*>* schemas, std::vector<std::string>* required, int depth,
             const OJson& value) {
  s = Follow(root, s, depth);
  if (s == nullptr || !s->is_object() || depth > 32) return;
  auto add = [&](const std::string& k, const OJson* sub) {
    for (size_t i = 0; i < order->size(); ++i) {
      if ((*order)[i] == k) return;
    }
    order->push_back(k);
    schemas->push_back(sub);
  };
  if (s->contains("properties") && (*s)["properties"].is_object()) {
    for (auto it = (*s)["properties"].begin(); it != (*s)["properties"].end(); ++it) add(it.key(), &it.value());
  }
  if (s->contains("required") && (*s)["required"].is_array()) {
    for (auto& r : (*s)["required"]) {
      if (r.is_string()) required->push_back(r.get<std::string>());
    }
  }
  if (s->contains("allOf") && (*s)["allOf"].is_array()) {
    for (auto& sub : (*s)["allOf"]) Collect(root, &sub, order, schemas, required, depth + 1, value);
  }
  // Of a union, the branch declaring most of the value's members decides their order.
  for (const char* comb : {"anyOf", "oneOf"}) {
    if (!s->contains(comb) || !(*s)[comb].is_array()) continue;
    const OJson* best = nullptr;
    int best_score = -1;
    for (auto& sub : (*s)[comb]) {
      std::vector<std::string> o, r;
      std::vector<const OJson*> sc;
      Collect(root, &sub, &o, &sc, &r, depth + 1, value);
      int score = 0;
      for (size_t j = 0; j < o.size(); ++j) {
        if (!value.is_object() || !value.contains(o[j])) continue;
        ++score;
        const OJson* ps = Follow(root, sc[j], 0);
        if (ps != nullptr && ps->is_object() && ps->contains("const") && (*ps)["const"] != value[o[j]]) score -= 100;
      }
      for (auto it = value.begin(); value.is_object() && it != value.end(); ++it) {
        if (std::find(o.begin(), o.end(), it.key()) == o.end()) score -= 1;
      }
      if (score > best_score) {
        best_score = score;
        best = &sub;
      }
    }
    if (best != nullptr) Collect(root, best, order, schemas, required, depth + 1, value);
  }
}

const OJson* ItemSchema(const OJson& root, const OJson* s, size_t index) {
  s = Follow(root, s, 0);
  if (s == nullptr || !s->is_object()) return nullptr;
  if (s->contains("prefixItems") && (*s)["prefixItems"].is_array()) {
    if (index < (*s)["prefixItems"].size()) return &(*s)["prefixItems"][index];
    return s->contains("items") ? &(*s)["items"] : nullptr;
  }
  if (s->contains("items")) {
    const OJson& items = (*s)["items"];
    if (items.is_array()) {
      if (index < items.size()) return &items[index];
      return s->contains("additionalItems") ? &(*s)["additionalItems"] : nullptr;
    }
    return &items;
  }
  return nullptr;
}

void Write(const OJson& root, const OJson& v, const OJson* s, std::string* out) {
  if (v.is_object()) {
    std::vector<std::string> order, required;
    std::vector<const OJson*> schemas;
    Collect(root, s, &order, &schemas, &required, 0, v);
    for (const std::string& r : required) {
      if (std::find(order.begin(), order.end(), r) == order.end()) {
        order.push_back(r);
        schemas.push_back(nullptr);
      }
    }
    out->push_back('{');
    bool first = true;
    std::set<std::string> done;
    for (size_t i = 0; i < order.size(); ++i) {
      auto it = v.find(order[i]);
      if (it == v.end()) continue;
      if (!first) out->push_back(',');
      first = false;
      *out += JsonQuote(order[i]) + ":";
      Write(root, *it, schemas[i], out);
      done.insert(order[i]);
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (done.count(it.key())) continue;
      if (!first) out->push_back(',');
      first = false;
      *out += JsonQuote(it.key()) + ":";
      Write(root, it.value(), nullptr, out);
    }
    out->push_back('}');
    return;
  }
  if (v.is_array()) {
    out->push_back('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out->push_back(',');
      Write(root, v[i], ItemSchema(root, s, i), out);
    }
    out->push_back(']');
    return;
  }
  *out += v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

std::string SerializeInSchemaOrder(const OJson& value, const OJson& schema) {
  std::string out;
  Write(schema, value, &schema, &out);
  return out;
}

}  // namespace kolibri::grammar
