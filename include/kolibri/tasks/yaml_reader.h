// YamlReader: reading YAML files (yaml-cpp nodes) with errors that point at the node they
// are about ("file:line:column: message"), for task files and the files built on them
// (worker files). Include it only from .cc files that link yaml-cpp; call it inside a
// try block, as yaml-cpp's accessors may throw on malformed input.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kolibri/status.h"

namespace kolibri::tasks {

// Errors carry the position of the node they are about; yaml-cpp exceptions stop here.
class YamlReader {
 public:
  explicit YamlReader(std::string display) : display_(std::move(display)) {}

  Status Error(const YAML::Node& at, const std::string& message) const {
    const YAML::Mark m = at.Mark();
    if (m.line < 0) return Status::InvalidArgument(display_ + ": " + message);
    return Status::InvalidArgument(display_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) +
                                   ": " + message);
  }
  Status Error(const YAML::Mark& m, const std::string& message) const {
    return Status::InvalidArgument(display_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) +
                                   ": " + message);
  }

  Result<std::string> String(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) return Error(n, what + " must be a string");
    return n.Scalar();
  }
  Result<int64_t> Int(const YAML::Node& n, const std::string& what, int64_t lo, int64_t hi) const {
    int64_t v = 0;
    if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v)) return Error(n, what + " must be an integer");
    if (v < lo || v > hi) {
      return Error(n, what + " must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + std::to_string(v));
    }
    return v;
  }
  Result<double> Number(const YAML::Node& n, const std::string& what) const {
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
      return Error(n, what + " must be a number");
    }
    return v;
  }
  Result<bool> Bool(const YAML::Node& n, const std::string& what) const {
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) return Error(n, what + " must be true or false");
    return v;
  }
  Result<std::vector<std::string>> Strings(const YAML::Node& n, const std::string& what) const {
    if (!n.IsSequence()) return Error(n, what + " must be a list of strings");
    std::vector<std::string> out;
    for (const auto& item : n) {
      KOLIBRI_ASSIGN_OR_RETURN(std::string s, String(item, what + " entries"));
      out.push_back(std::move(s));
    }
    return out;
  }
  // Every key of mapping `n` must be in `known`.
  Status Keys(const YAML::Node& n, const std::vector<std::string>& known, const std::string& where) const {
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        return Error(kv.first, "unknown key '" + key + "' in " + where + " (known keys: " + list + ")");
      }
    }
    return Status::Ok();
  }

  // A YAML node as JSON, keeping mapping order; plain scalars become null, booleans or
  // numbers when they read as such, quoted ones stay strings.
  Result<nlohmann::ordered_json> Json(const YAML::Node& n) const {
    switch (n.Type()) {
      case YAML::NodeType::Null: return nlohmann::ordered_json(nullptr);
      case YAML::NodeType::Sequence: {
        nlohmann::ordered_json a = nlohmann::ordered_json::array();
        for (const auto& item : n) {
          KOLIBRI_ASSIGN_OR_RETURN(auto v, Json(item));
          a.push_back(std::move(v));
        }
        return a;
      }
      case YAML::NodeType::Map: {
        nlohmann::ordered_json o = nlohmann::ordered_json::object();
        for (const auto& kv : n) {
          KOLIBRI_ASSIGN_OR_RETURN(auto v, Json(kv.second));
          o[kv.first.Scalar()] = std::move(v);
        }
        return o;
      }
      case YAML::NodeType::Scalar: {
        const std::string& s = n.Scalar();
        if (n.Tag() == "!") return nlohmann::ordered_json(s);  // quoted
        if (s == "null" || s == "~") return nlohmann::ordered_json(nullptr);
        if (s == "true") return nlohmann::ordered_json(true);
        if (s == "false") return nlohmann::ordered_json(false);
        auto num = nlohmann::ordered_json::parse(s, nullptr, false);
        if (!num.is_discarded() && num.is_number()) return num;
        return nlohmann::ordered_json(s);
      }
      default: return Error(n, "unsupported YAML node");
    }
  }

 private:
  std::string display_;
};

}  // namespace kolibri::tasks
