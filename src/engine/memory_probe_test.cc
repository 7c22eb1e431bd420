#include "kolibri/memory_probe.h"

#include <gtest/gtest.h>

#include "testing/test_models.h"

namespace kolibri {
namespace {

TEST(MemoryProbeTest, ReportsLlamaCppAllocations) {
  const std::string path = testing::TestModelPath("tiny", "f16", "qwen2");
  ASSERT_FALSE(path.empty());
  MemoryProbeOptions o;
  o.context = 1000;  // llama.cpp pads to 1024
  o.parallel = 2;
  auto r = ProbeMemory(path, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->n_ctx, 1024u);
  uint64_t model = 0, context = 0, compute = 0;
  for (const auto& b : r->buffers) {
    model += b.model;
    context += b.context;
    compute += b.compute;
  }
  EXPECT_GT(model, 0u);
  EXPECT_GT(context, 0u);
  EXPECT_GT(compute, 0u);
  EXPECT_GT(r->output_bytes, 0u);
  EXPECT_GT(r->peak_rss_bytes, 0u);
  EXPECT_EQ(r->Total(), model + context + compute + r->output_bytes);

  EXPECT_EQ(ProbeMemory("/no/such/model.gguf", o).status().code(), ErrorCode::kNotFound);
  o.parallel = 0;
  EXPECT_EQ(ProbeMemory(path, o).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kolibri
