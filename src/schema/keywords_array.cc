// Array keywords: prefixItems, items, additionalItems, maxItems, minItems, uniqueItems,
// contains, minContains, maxContains.
#include "schema/evaluator.h"
#include "schema/json_value.h"

namespace kolibri::schema {
namespace {

std::string Items(size_t n) { return std::to_string(n) + (n == 1 ? " item" : " items"); }

}  // namespace

bool Evaluator::EvaluateArray(const Json& schema, const Json& instance, Annotations* annotations) {
  bool valid = true;
  auto check = [&](bool ok, std::string_view keyword, const std::string& message) {
    if (!ok) valid = Fail(keyword, message);
    return !ok && ShouldStop();
  };
  const size_t size = instance.size();

  // Tuple part and the schema for the rest: 2020-12 "prefixItems" + "items", or the
  // array form of "items" + "additionalItems" (drafts 4 to 2019-09, kept in 2020-12).
  const Json* prefix = nullptr;
  const Json* rest = nullptr;
  std::string_view rest_keyword;
  auto items = schema.find("items");
  auto prefix_items = node_->draft >= Draft::k2020_12 ? schema.find("prefixItems") : schema.end();
  if (prefix_items != schema.end()) {
    prefix = &*prefix_items;
    if (items != schema.end() && !items->is_array()) {
      rest = &*items;
      rest_keyword = "items";
    }
  } else if (items != schema.end() && items->is_array()) {
    prefix = &*items;
    if (auto additional = schema.find("additionalItems"); additional != schema.end()) {
      rest = &*additional;
      rest_keyword = "additionalItems";
    }
  } else if (items != schema.end()) {
    rest = &*items;
    rest_keyword = "items";
  }
  size_t tuple_size = prefix == nullptr ? 0 : std::min(size, prefix->size());
  for (size_t i = 0; i < tuple_size; ++i) {
    if (!EvaluateChild((*prefix)[i], instance[i], std::to_string(i), nullptr)) {
      valid = false;
      if (ShouldStop()) return false;
    }
  }
  if (rest != nullptr && size > tuple_size) {
    if (*rest == false) {
      if (check(false, rest_keyword, "array has " + Items(size) + ", at most " + std::to_string(tuple_size) +
                                          " allowed")) {
        return false;
      }
    } else {
      for (size_t i = tuple_size; i < size; ++i) {
        if (!EvaluateChild(*rest, instance[i], std::to_string(i), nullptr)) {
          valid = false;
          if (ShouldStop()) return false;
        }
      }
    }
  }
  if (annotations != nullptr) {
    annotations->items_prefix = std::max(annotations->items_prefix, tuple_size);
    if (rest != nullptr) annotations->all_items = true;
  }

  if (auto min = schema.find("minItems"); min != schema.end()) {
    if (check(static_cast<double>(size) >= min->get<double>(), "minItems",
              "array has " + Items(size) + ", fewer than minItems " + Summarize(*min))) {
      return false;
    }
  }
  if (auto max = schema.find("maxItems"); max != schema.end()) {
    if (check(static_cast<double>(size) <= max->get<double>(), "maxItems",
              "array has " + Items(size) + ", more than maxItems " + Summarize(*max))) {
      return false;
    }
  }
  if (auto unique = schema.find("uniqueItems"); unique != schema.end() && *unique == true) {
    for (size_t i = 0; i < size; ++i) {
      for (size_t j = i + 1; j < size; ++j) {
        if (JsonEqual(instance[i], instance[j])) {
          if (check(false, "uniqueItems",
                    "items " + std::to_string(i) + " and " + std::to_string(j) + " are equal; items must be unique")) {
            return false;
          }
          i = j = size;  // one report per array is enough
        }
      }
    }
  }
  if (node_->draft >= Draft::k6) {
    if (auto contains = schema.find("contains"); contains != schema.end()) {
      double min_contains = 1;
      std::optional<double> max_contains;
      if (node_->draft >= Draft::k2019_09) {
        if (auto it = schema.find("minContains"); it != schema.end()) min_contains = it->get<double>();
        if (auto it = schema.find("maxContains"); it != schema.end()) max_contains = it->get<double>();
      }
      size_t matches = 0;
      for (size_t i = 0; i < size; ++i) {
        instance_path_.push_back(std::to_string(i));
        bool match = Probe(*contains, instance[i], nullptr, nullptr);
        instance_path_.pop_back();
        if (match) {
          ++matches;
          if (annotations != nullptr && node_->draft >= Draft::k2020_12) annotations->contained.insert(i);
        }
      }
      if (static_cast<double>(matches) < min_contains) {
        std::string message = matches == 0 ? "no item matches the contains schema"
                                           : "only " + Items(matches) + " match the contains schema, fewer than " +
                                                 "minContains " + Summarize(schema["minContains"]);
        if (check(false, matches == 0 ? "contains" : "minContains", message)) return false;
      }
      if (max_contains && static_cast<double>(matches) > *max_contains) {
        if (check(false, "maxContains",
                  Items(matches) + " match the contains schema, more than maxContains " +
                      Summarize(schema["maxContains"]))) {
          return false;
        }
      }
    }
  }
  return valid;
}

}  // namespace kolibri::schema
