#include "kolibri/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kolibri {
namespace {

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string EscapeHelp(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string EscapeLabel(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"') out += "\\\"";
    else out += c;
  }
  return out;
}

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.9g", v);
  }
  return buf;
}

std::string LabelText(const MetricLabels& labels, const char* extra_key = nullptr, const std::string& extra = "") {
  if (labels.empty() && extra_key == nullptr) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + EscapeLabel(v) + "\"";
  }
  if (extra_key != nullptr) {
    if (!first) out += ',';
    out += std::string(extra_key) + "=\"" + extra + "\"";
  }
  return out + "}";
}

}  // namespace

const std::vector<double>& MetricsRegistry::DefaultSecondsBuckets() {
  static const std::vector<double> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                               1,     2.5,  5,     10,   30,  60,  120};
  return kBuckets;
}

MetricsRegistry::Family* MetricsRegistry::FamilyFor(std::string_view name, std::string_view help, Type type) {
  if (!ValidName(name)) {
    ++misuse_;
    return nullptr;
  }
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}, {}}).first;
  }
  if (it->second.type != type) {
    ++misuse_;
    return nullptr;
  }
  return &it->second;
}

void MetricsRegistry::Add(std::string_view name, std::string_view help, const MetricLabels& labels, double delta) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = FamilyFor(name, help, Type::kCounter);
  if (f == nullptr || !(delta >= 0)) return;
  f->series[labels].value += delta;
}

void MetricsRegistry::SetCounter(std::string_view name, std::string_view help, const MetricLabels& labels,
                                 double total) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = FamilyFor(name, help, Type::kCounter);
  if (f == nullptr) return;
  double& v = f->series[labels].value;
  v = std::max(v, total);
}

void MetricsRegistry::Set(std::string_view name, std::string_view help, const MetricLabels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = FamilyFor(name, help, Type::kGauge);
  if (f != nullptr) f->series[labels].value = value;
}

void MetricsRegistry::Observe(std::string_view name, std::string_view help, const MetricLabels& labels,
                              double value, const std::vector<double>& bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = FamilyFor(name, help, Type::kHistogram);
  if (f == nullptr) return;
  if (f->bounds.empty()) {
    f->bounds = bounds;
    std::sort(f->bounds.begin(), f->bounds.end());
  }
  Series& s = f->series[labels];
  if (s.buckets.empty()) s.buckets.assign(f->bounds.size() + 1, 0);
  const size_t slot = std::lower_bound(f->bounds.begin(), f->bounds.end(), value) - f->bounds.begin();
  ++s.buckets[slot];
  s.sum += value;
  ++s.count;
}

double MetricsRegistry::Value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.series.find(labels);
  return s == it->second.series.end() ? 0 : s->second.value;
}

uint64_t MetricsRegistry::Count(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.series.find(labels);
  return s == it->second.series.end() ? 0 : s->second.count;
}

void MetricsRegistry::AddCollector(std::function<void(MetricsRegistry&)> collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string MetricsRegistry::Render() {
  std::vector<std::function<void(MetricsRegistry&)>> collectors;
  {
    std::lock_guard<std::mutex> lock(mu_);
    collectors = collectors_;
  }
  for (auto& c : collectors) c(*this);

  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  auto header = [&out](const std::string& name, const std::string& help, const char* type) {
    out += "# HELP " + name + " " + EscapeHelp(help) + "\n# TYPE " + name + " " + type + "\n";
  };
  for (const auto& [name, f] : families_) {
    if (f.series.empty()) continue;
    switch (f.type) {
      case Type::kCounter:
      case Type::kGauge:
        header(name, f.help, f.type == Type::kCounter ? "counter" : "gauge");
        for (const auto& [labels, s] : f.series) out += name + LabelText(labels) + " " + Number(s.value) + "\n";
        break;
      case Type::kHistogram:
        header(name, f.help, "histogram");
        for (const auto& [labels, s] : f.series) {
          uint64_t cumulative = 0;
          for (size_t i = 0; i < s.buckets.size(); ++i) {
            cumulative += s.buckets[i];
            const std::string le = i < f.bounds.size() ? Number(f.bounds[i]) : "+Inf";
            out += name + "_bucket" + LabelText(labels, "le", le) + " " + std::to_string(cumulative) + "\n";
          }
          out += name + "_sum" + LabelText(labels) + " " + Number(s.sum) + "\n";
          out += name + "_count" + LabelText(labels) + " " + std::to_string(s.count) + "\n";
        }
        break;
    }
  }
  header("kolibri_metrics_misuse_total", "metric uses with an invalid name or a conflicting type", "counter");
  out += "kolibri_metrics_misuse_total " + std::to_string(misuse_) + "\n";
  return out;
}

}  // namespace kolibri
