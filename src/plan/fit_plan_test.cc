#include "kolibri/fit_plan.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "kolibri/hardware_profile.h"
#include "kolibri/quant_variants.h"
#include "plan/sparse_gguf.h"
#include "plan/test_shapes.h"

namespace kolibri {
namespace {

GgufFile ShapeFile(const std::string& shape, GgmlType type) {
  GgufReadOptions ro;
  ro.keep_long_string_arrays = true;
  auto vocab = GgufFile::Open(std::string(KOLIBRI_VOCAB_DIR) + "/" + *plan::TestShapeVocabFile(shape), ro);
  EXPECT_TRUE(vocab.ok());
  const std::string path = testing::TempDir() + "/" + std::to_string(::getpid()) + "-fit-" + shape + ".gguf";
  EXPECT_TRUE(plan::WriteSparseGguf(path, *plan::MakeTestShapeSpec(shape, *vocab, type)).ok());
  return std::move(GgufFile::Open(path)).value();
}

TEST(HardwareProfileTest, CatalogueAndYaml) {
  auto pi = FindHardwareProfile("Raspberry-Pi-5");
  ASSERT_TRUE(pi.ok());
  EXPECT_EQ(pi->ram_bytes, 8ull << 30);
  auto missing = FindHardwareProfile("cray-1");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("h100-sxm"), std::string::npos);

  const std::string path = testing::TempDir() + "/" + std::to_string(::getpid()) + "-box.yaml";
  std::ofstream(path) << "name: box\nram_gb: 16\ncores: 8\nram_bandwidth_gbs: 50\nisa: arm-i8mm\n"
                         "gpus:\n  - {name: G, vram_gb: 12, bandwidth_gbs: 500}\n";
  auto box = ResolveHardwareProfile(path);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  EXPECT_EQ(box->ram_bytes, 16ull << 30);
  EXPECT_EQ(box->cpu.isa, CpuIsa::kArmI8mm);
  ASSERT_EQ(box->gpus.size(), 1u);
  EXPECT_EQ(box->gpus[0].vram_bytes, 12ull << 30);

  std::ofstream(path) << "name: bad\nram_gb: -1\n";
  EXPECT_EQ(LoadHardwareProfile(path).status().code(), ErrorCode::kInvalidArgument);
  std::ofstream(path) << "ram_gb: [unclosed\n";
  EXPECT_EQ(LoadHardwareProfile(path).status().code(), ErrorCode::kInvalidArgument);
  std::ofstream(path) << "ram_gb: 8\nisa: sparc\n";
  EXPECT_EQ(LoadHardwareProfile(path).status().code(), ErrorCode::kInvalidArgument);
}

TEST(FitPlanTest, FitsBoundsAndFleet) {
  const GgufFile f = ShapeFile("qwen2.5-0.5b", GgmlType::kQ8_0);
  auto hw = *FindHardwareProfile("raspberry-pi-5");
  PlanOptions o;
  o.context = 8192;
  o.parallel = 2;
  auto fit = PlanFit(f, {}, o, hw);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_TRUE(fit->fits);
  EXPECT_GE(fit->max_context, 8192u);
  EXPECT_GE(fit->max_parallel, 2u);
  EXPECT_GE(fit->instances_per_host, 1u);
  // The bound on one stream is below the bandwidth divided by the weights alone.
  PlanOptions with_cpu = o;
  with_cpu.cpu = hw.cpu;
  const auto est = *EstimateMemory(f, {}, with_cpu);
  EXPECT_LT(fit->decode_tokens_per_s, hw.ram_bandwidth_gbs * 1e9 / est.model.bytes_per_decoded_token);
  EXPECT_GT(fit->decode_tokens_per_s_all, fit->decode_tokens_per_s);
  // One more context step beyond the maximum must not fit.
  PlanOptions beyond = o;
  beyond.context = fit->max_context + 256 * o.parallel;
  auto over = PlanFit(f, {}, beyond, hw);
  ASSERT_TRUE(over.ok());
  EXPECT_FALSE(over->fits);

  Workload w;
  w.requests_per_day = 10000;
  w.prompt_tokens = 500;
  w.output_tokens = 100;
  auto fleet = SizeFleet(*fit, o, hw, w);
  ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
  w.requests_per_day *= 100;
  auto big = SizeFleet(*fit, o, hw, w);
  ASSERT_TRUE(big.ok());
  EXPECT_GT(big->hosts, fleet->hosts);
  EXPECT_GT(big->energy_kwh_per_month, fleet->energy_kwh_per_month);
  w.requests_per_day = 0;
  EXPECT_EQ(SizeFleet(*fit, o, hw, w).status().code(), ErrorCode::kInvalidArgument);

  PlanOptions gpu = o;
  gpu.gpu_layers = 99;
  EXPECT_EQ(PlanFit(f, {}, gpu, hw).status().code(), ErrorCode::kInvalidArgument);
}

TEST(QuantVariantsTest, RetypesLikeLlamaQuantize) {
  const GgufFile f = ShapeFile("qwen2.5-1.5b", GgmlType::kF16);
  auto q4km = RetypeForScheme(f, QuantScheme::kQ4_K_M);
  ASSERT_TRUE(q4km.ok()) << q4km.status().ToString();
  EXPECT_EQ(q4km->FindTensor("token_embd.weight")->type, GgmlType::kQ6_K);  // tied head
  EXPECT_EQ(q4km->FindTensor("blk.0.attn_v.weight")->type, GgmlType::kQ6_K);
  EXPECT_EQ(q4km->FindTensor("blk.4.attn_v.weight")->type, GgmlType::kQ4_K);
  EXPECT_EQ(q4km->FindTensor("blk.5.ffn_down.weight")->type, GgmlType::kQ6_K);  // (5 - 3) % 3 == 2
  EXPECT_EQ(q4km->FindTensor("blk.5.attn_norm.weight")->type, GgmlType::kF32);
  auto q4 = RetypeForScheme(f, QuantScheme::kQ4_0);
  auto q8 = RetypeForScheme(f, QuantScheme::kQ8_0);
  ASSERT_TRUE(q4.ok() && q8.ok());
  EXPECT_LT(q4->TotalTensorBytes(), q4km->TotalTensorBytes());
  EXPECT_LT(q4km->TotalTensorBytes(), q8->TotalTensorBytes());
  EXPECT_LT(q8->TotalTensorBytes(), f.TotalTensorBytes());
  // 896-wide rows do not split into 256-blocks: q4_K falls back to q5_0, the head to q8_0.
  const GgufFile small = ShapeFile("qwen2.5-0.5b", GgmlType::kF16);
  auto s = RetypeForScheme(small, QuantScheme::kQ4_K_M);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->FindTensor("blk.4.attn_q.weight")->type, GgmlType::kQ5_0);
  EXPECT_EQ(s->FindTensor("token_embd.weight")->type, GgmlType::kQ8_0);
}

}  // namespace
}  // namespace kolibri
