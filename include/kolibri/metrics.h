// MetricsRegistry: counters, gauges and histograms with labels, rendered in the Prometheus
// text exposition format (version 0.0.4) for GET /metrics.
//
// Any module may record into a registry it is handed (it lives in base, so engine, tasks
// and router can count things without depending on the server). A metric family is created
// by its first use; its name, type and help text are fixed from then on (a later use with
// another type is ignored and counted in kolibri_metrics_misuse_total, never a crash).
// Names must match [a-zA-Z_:][a-zA-Z0-9_:]*; label values are escaped when rendered.
//
// Collectors are called at the start of every Render() to refresh values that are cheaper
// to read than to push (scheduler gauges, cache statistics).
//
// Thread safety: every method may be called from any thread, concurrently. Collectors run
// on the rendering thread with no registry lock held (they call Set/Add themselves).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kolibri {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class MetricsRegistry {
 public:
  // Latency buckets in seconds: 5 ms … 120 s.
  static const std::vector<double>& DefaultSecondsBuckets();

  // Adds `delta` (≥ 0) to a counter. `name` should end in _total.
  void Add(std::string_view name, std::string_view help, const MetricLabels& labels, double delta = 1);
  // Sets a counter to a total kept elsewhere (e.g. the scheduler's token counts); never
  // lets it go backwards.
  void SetCounter(std::string_view name, std::string_view help, const MetricLabels& labels, double total);
  // Sets a gauge.
  void Set(std::string_view name, std::string_view help, const MetricLabels& labels, double value);
  // Records one observation in a histogram with the given upper bounds (ascending; +Inf is
  // added). The bounds of a histogram's first use are kept.
  void Observe(std::string_view name, std::string_view help, const MetricLabels& labels, double value,
               const std::vector<double>& bounds = DefaultSecondsBuckets());

  // The value of a counter or gauge (0 when absent) — for tests and /stats.
  double Value(std::string_view name, const MetricLabels& labels) const;
  // The number of observations of a histogram series (0 when absent).
  uint64_t Count(std::string_view name, const MetricLabels& labels) const;

  void AddCollector(std::function<void(MetricsRegistry&)> collector);

  // Runs the collectors, then renders every family (sorted by name) as Prometheus text.
  std::string Render();

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    double value = 0;                 // counter / gauge
    std::vector<uint64_t> buckets;    // histogram: per bound, non-cumulative; last = +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  struct Family {
    Type type;
    std::string help;
    std::vector<double> bounds;
    std::map<MetricLabels, Series> series;
  };
  Family* FamilyFor(std::string_view name, std::string_view help, Type type);  // mu_ held

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
  std::vector<std::function<void(MetricsRegistry&)>> collectors_;
  uint64_t misuse_ = 0;
};

}  // namespace kolibri
