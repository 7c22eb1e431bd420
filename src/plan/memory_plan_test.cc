#include "kolibri/memory_plan.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "plan/sparse_gguf.h"
#include "plan/test_shapes.h"
#include "plan/weight_placement.h"

namespace kolibri {
namespace {

std::string VocabPath(const std::string& file) { return std::string(KOLIBRI_VOCAB_DIR) + "/" + file; }

// Writes a sparse GGUF of `shape` into the test's temp dir (header only; data is a hole).
std::string WriteShape(const std::string& shape, GgmlType type) {
  GgufReadOptions ro;
  ro.keep_long_string_arrays = true;
  auto vocab = GgufFile::Open(VocabPath(*plan::TestShapeVocabFile(shape)), ro);
  EXPECT_TRUE(vocab.ok()) << vocab.status().ToString();
  auto spec = plan::MakeTestShapeSpec(shape, *vocab, type);
  EXPECT_TRUE(spec.ok());
  const std::string path = testing::TempDir() + "/" + std::to_string(::getpid()) + "-plan-" + shape + "-" + std::string(GgmlTypeName(type)) + ".gguf";
  EXPECT_TRUE(plan::WriteSparseGguf(path, *spec).ok());
  return path;
}

GgufFile Open(const std::string& path) {
  auto f = GgufFile::Open(path);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return std::move(f).value();
}

TEST(MemoryPlanTest, KvCacheFollowsLayerWidthsAndPadding) {
  const GgufFile f = Open(WriteShape("qwen2.5-0.5b", GgmlType::kQ8_0));
  PlanOptions o;
  o.context = 5000;  // padded to 5120; 4 streams of 1280
  o.parallel = 4;
  auto e = EstimateMemory(f, {}, o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  // 24 layers × (K + V) × 2 KV heads × 64 dims × 2 bytes (f16).
  EXPECT_EQ(e->kv.bytes_per_token, 24u * 2 * 2 * 64 * 2);
  EXPECT_EQ(e->kv.n_ctx_per_sequence, 1280u);
  EXPECT_EQ(e->kv.n_ctx, 5120u);
  EXPECT_EQ(e->kv.total_bytes, e->kv.bytes_per_token * 5120);
  EXPECT_EQ(e->kv.bytes_per_sequence, e->kv.total_bytes / 4);
  // Output buffer: one row of logits per sequence.
  EXPECT_EQ(e->devices[0].output, 4u * 151936 * 4);

  o.kv_type = GgmlType::kQ8_0;
  auto q = EstimateMemory(f, {}, o);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->kv.bytes_per_token, 24u * 2 * (128 / 32 * 34));
}

TEST(MemoryPlanTest, SlidingWindowLayersUseWindowSizedCacheWhenAsked) {
  const GgufFile f = Open(WriteShape("gemma3-270m-swa", GgmlType::kF16));
  PlanOptions o;
  o.context = 32768;
  o.parallel = 1;
  auto full = EstimateMemory(f, {}, o);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  o.swa_cache = SwaCache::kWindow;
  auto window = EstimateMemory(f, {}, o);
  ASSERT_TRUE(window.ok());
  // 18 layers, pattern 6: layers 5, 11, 17 are global; 15 use a 512 window + 512 ubatch.
  const uint64_t per_layer_cell = 2 * 256 * 2;
  EXPECT_EQ(window->kv.swa_cells, 1024u);
  EXPECT_EQ(window->kv.total_bytes, per_layer_cell * (3 * 32768 + 15 * 1024));
  EXPECT_EQ(full->kv.total_bytes, per_layer_cell * 18 * 32768);
}

TEST(MemoryPlanTest, ComputeBufferIsTheLogitsHeadForSmallModels) {
  const GgufFile f = Open(WriteShape("tiny", GgmlType::kF16));
  PlanOptions o;
  o.context = 2048;
  auto e = EstimateMemory(f, {}, o);
  ASSERT_TRUE(e.ok());
  // 512 tokens × (vocab + 2 × n_embd) floats + the output-id index, as measured with llama.cpp.
  EXPECT_EQ(e->devices[0].compute, 4u * 512 * (151936 + 2 * 64) + 4 * 512);
}

TEST(MemoryPlanTest, RepackRulesFollowGgmlCpu) {
  CpuWeightKernels avx2;
  avx2.isa = CpuIsa::kX86Avx2;
  EXPECT_GT(plan::ExtraBufferBytes(GgmlType::kQ4_0, 896, 128, avx2), 0u);
  EXPECT_EQ(plan::ExtraBufferBytes(GgmlType::kQ4_0, 896, 12, avx2), 0u);  // rows % 8
  EXPECT_EQ(plan::ExtraBufferBytes(GgmlType::kQ8_0, 896, 128, avx2), 0u);  // no x86 q8_0 repack
  EXPECT_EQ(plan::ExtraBufferBytes(GgmlType::kF16, 896, 128, avx2), 0u);
  CpuWeightKernels arm;
  arm.isa = CpuIsa::kArmI8mm;
  EXPECT_GT(plan::ExtraBufferBytes(GgmlType::kQ8_0, 896, 128, arm), 0u);
  CpuWeightKernels amx = avx2;
  amx.amx = true;
  // AMX takes f16 unchanged and adds a 4-byte compensation per q8_0 block.
  EXPECT_EQ(plan::ExtraBufferBytes(GgmlType::kF16, 64, 64, amx), 64u * 64 * 2);
  EXPECT_EQ(plan::ExtraBufferBytes(GgmlType::kQ8_0, 64, 64, amx), 64u * (2 * 34 + 2 * 4));
  CpuWeightKernels none;
  none.repack = false;
  EXPECT_EQ(plan::ExtraBufferBytes(GgmlType::kQ4_0, 896, 128, none), 0u);
}

TEST(MemoryPlanTest, TiedOutputIsACopyWhenRepacked) {
  const GgufFile f = Open(WriteShape("qwen2.5-0.5b", GgmlType::kQ4_0));
  PlanOptions o;
  o.cpu.repack = false;
  auto plain = EstimateMemory(f, {}, o);
  o.cpu.repack = true;
  auto repacked = EstimateMemory(f, {}, o);
  ASSERT_TRUE(plain.ok() && repacked.ok());
  EXPECT_EQ(plain->devices[0].weights_repacked, 0u);
  const auto* emb = f.FindTensor("token_embd.weight");
  // Every q4_0 matrix, and the logits copy of the tied embedding, moves to CPU_REPACK.
  EXPECT_GE(repacked->devices[0].weights_repacked, emb->n_bytes);
}

TEST(MemoryPlanTest, LoraAdaptersAddTheirTensors) {
  const GgufFile f = Open(WriteShape("tiny", GgmlType::kF16));
  plan::SparseGgufSpec lora;
  lora.metadata.emplace_back("general.architecture", plan::GgufString("qwen2"));
  lora.metadata.emplace_back("general.type", plan::GgufString("adapter"));
  lora.metadata.emplace_back("adapter.type", plan::GgufString("lora"));
  lora.tensors.push_back({"blk.0.attn_q.weight.lora_a", {64, 8}, GgmlType::kF32});
  lora.tensors.push_back({"blk.0.attn_q.weight.lora_b", {8, 64}, GgmlType::kF32});
  const std::string path = testing::TempDir() + "/" + std::to_string(::getpid()) + "-plan-lora.gguf";
  ASSERT_TRUE(plan::WriteSparseGguf(path, lora).ok());
  std::vector<GgufFile> loras;
  loras.push_back(Open(path));
  auto without = EstimateMemory(f, {}, PlanOptions{});
  auto with = EstimateMemory(f, loras, PlanOptions{});
  ASSERT_TRUE(without.ok() && with.ok());
  EXPECT_EQ(with->devices[0].lora, 2u * 64 * 8 * 4);
  EXPECT_EQ(with->Total(), without->Total() + 2u * 64 * 8 * 4);
}

TEST(MemoryPlanTest, RejectsImpossibleSettings) {
  const GgufFile f = Open(WriteShape("tiny", GgmlType::kF16));
  PlanOptions o;
  o.context = 0;
  EXPECT_EQ(EstimateMemory(f, {}, o).status().code(), ErrorCode::kInvalidArgument);
  o = {};
  o.parallel = 0;
  EXPECT_EQ(EstimateMemory(f, {}, o).status().code(), ErrorCode::kInvalidArgument);
  o = {};
  o.kv_type = GgmlType::kQ4_0;
  o.flash_attn = FlashAttention::kOff;
  auto s = EstimateMemory(f, {}, o).status();
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(s.message().find("Flash Attention"), std::string::npos);
  EXPECT_FALSE(ParseKvType("q3_k").ok());
  EXPECT_TRUE(ParseKvType("Q8_0").ok());
}

TEST(MemoryPlanTest, WarnsBeyondTrainingContext) {
  const GgufFile f = Open(WriteShape("tiny", GgmlType::kF16));
  PlanOptions o;
  o.context = 65536;
  auto e = EstimateMemory(f, {}, o);
  ASSERT_TRUE(e.ok());
  ASSERT_FALSE(e->warnings.empty());
  EXPECT_NE(e->warnings[0].find("training context 32768"), std::string::npos);
}

TEST(MemoryPlanTest, UnknownArchitectures) {
  plan::SparseGgufSpec spec;
  spec.metadata.emplace_back("general.architecture", plan::GgufString("mystery"));
  spec.metadata.emplace_back("mystery.block_count", plan::GgufU32(2));
  spec.metadata.emplace_back("mystery.embedding_length", plan::GgufU32(64));
  spec.tensors.push_back({"token_embd.weight", {64, 100}, GgmlType::kF16});
  const std::string path = testing::TempDir() + "/" + std::to_string(::getpid()) + "-plan-mystery.gguf";
  ASSERT_TRUE(plan::WriteSparseGguf(path, spec).ok());
  auto no_heads = EstimateMemory(Open(path), {}, PlanOptions{});
  EXPECT_EQ(no_heads.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(no_heads.status().message().find("mystery"), std::string::npos);

  spec.metadata.emplace_back("mystery.attention.head_count", plan::GgufU32(4));
  ASSERT_TRUE(plan::WriteSparseGguf(path, spec).ok());
  auto generic = EstimateMemory(Open(path), {}, PlanOptions{});
  ASSERT_TRUE(generic.ok()) << generic.status().ToString();
  EXPECT_FALSE(generic->model.architecture_known);
  EXPECT_FALSE(generic->warnings.empty());
}

}  // namespace
}  // namespace kolibri
