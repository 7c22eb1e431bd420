#include "kolibri/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace kolibri {
namespace {

TEST(MetricsRegistryTest, RendersCountersGaugesAndCumulativeHistograms) {
  MetricsRegistry m;
  m.Add("kolibri_requests_total", "requests", {{"endpoint", "/v1/x"}, {"status", "200"}});
  m.Add("kolibri_requests_total", "requests", {{"endpoint", "/v1/x"}, {"status", "200"}}, 2);
  m.Set("kolibri_queue_depth", "queued", {{"model", "a\"b"}}, 5);
  m.Observe("kolibri_latency_seconds", "latency", {}, 0.003, {0.01, 0.1});
  m.Observe("kolibri_latency_seconds", "latency", {}, 0.05, {0.01, 0.1});
  m.Observe("kolibri_latency_seconds", "latency", {}, 7, {0.01, 0.1});
  const std::string text = m.Render();
  EXPECT_NE(text.find("# TYPE kolibri_requests_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("kolibri_requests_total{endpoint=\"/v1/x\",status=\"200\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("kolibri_queue_depth{model=\"a\\\"b\"} 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("kolibri_latency_seconds_bucket{le=\"0.01\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("kolibri_latency_seconds_bucket{le=\"0.1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("kolibri_latency_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("kolibri_latency_seconds_count 3\n"), std::string::npos) << text;
  EXPECT_EQ(m.Value("kolibri_requests_total", {{"endpoint", "/v1/x"}, {"status", "200"}}), 3);
  EXPECT_EQ(m.Count("kolibri_latency_seconds", {}), 3u);
}

TEST(MetricsRegistryTest, MisuseIsCountedNotFatal) {
  MetricsRegistry m;
  m.Add("a_total", "x", {});
  m.Set("a_total", "x", {}, 4);     // wrong type
  m.Add("bad name", "x", {});       // invalid name
  m.Add("a_total", "x", {}, -1);    // counters never go down
  EXPECT_EQ(m.Value("a_total", {}), 1);
  EXPECT_NE(m.Render().find("kolibri_metrics_misuse_total 2\n"), std::string::npos);
}

TEST(MetricsRegistryTest, CollectorsRefreshAtRenderAndCountersNeverGoBack) {
  MetricsRegistry m;
  double total = 10;
  m.AddCollector([&total](MetricsRegistry& r) { r.SetCounter("tokens_total", "t", {}, total); });
  EXPECT_NE(m.Render().find("tokens_total 10\n"), std::string::npos);
  total = 4;
  EXPECT_NE(m.Render().find("tokens_total 10\n"), std::string::npos);
}

TEST(MetricsRegistryTest, ConcurrentUpdatesAreAllCounted) {
  MetricsRegistry m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 1000; ++i) m.Add("c_total", "c", {{"k", "v"}});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.Value("c_total", {{"k", "v"}}), 4000);
}

}  // namespace
}  // namespace kolibri
