// The planner's accuracy target: its estimate lies within ±5 % of what llama.cpp really
// allocates (weights incl. re-laid copies + KV + output + compute), checked on generated
// test models of the quick shapes. The full matrix (all shapes, 2k/8k/32k, parallel
// 1/4/8) is bench/plan_accuracy; see docs/benchmarks.md.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "kolibri/plan_verify.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

struct Case {
  const char* shape;
  const char* type;
  const char* vocab;
};

class PlanAccuracyTest : public ::testing::TestWithParam<Case> {};

TEST_P(PlanAccuracyTest, EstimateWithinFivePercentOfLlamaCpp) {
  const Case c = GetParam();
  const std::string path = testing::TestModelPath(c.shape, c.type, c.vocab);
  ASSERT_FALSE(path.empty());
  for (uint32_t ctx : {2048u, 8192u}) {
    for (uint32_t parallel : {1u, 4u}) {
      PlanOptions o;
      o.context = ctx;
      o.parallel = parallel;
      auto r = VerifyEstimate(path, {}, o);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      for (const VerifyRow& row : r->rows) {
        std::printf("%s %s ctx=%u par=%u %-18s est=%llu act=%llu err=%+.2f%%\n", c.shape, c.type, ctx, parallel,
                    row.component.c_str(), static_cast<unsigned long long>(row.estimate),
                    static_cast<unsigned long long>(row.actual), row.ErrorPercent());
      }
      const VerifyRow& total = r->rows.back();
      EXPECT_LE(std::fabs(total.ErrorPercent()), 5.0) << c.shape << " ctx " << ctx << " parallel " << parallel;
      // The KV cache is sized exactly by llama.cpp's formulas.
      EXPECT_EQ(r->rows[1].estimate, r->rows[1].actual) << "kv cache, ctx " << ctx << " parallel " << parallel;
      EXPECT_EQ(r->estimate.kv.n_ctx, r->actual.n_ctx);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(QuickShapes, PlanAccuracyTest,
                         ::testing::Values(Case{"tiny", "f16", "qwen2"}, Case{"smollm2-135m", "q8_0", "starcoder"}),
                         [](const auto& info) {
                           std::string n = std::string(info.param.shape) + "_" + info.param.type;
                           for (char& ch : n) {
                             if (ch == '.' || ch == '-') ch = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace kolibri
