#include "plan/weight_placement.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>

namespace kolibri::plan {
namespace {

constexpr uint64_t kCpuAlignment = 32;   // TENSOR_ALIGNMENT in ggml-impl.h
constexpr uint64_t kGpuAlignment = 256;  // CUDA/Vulkan buffers align to at most this

uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// Layer index of "blk.<n>.…", or -1.
int64_t LayerOf(const std::string& name) {
  if (name.rfind("blk.", 0) != 0) return -1;
  return std::strtoll(name.c_str() + 4, nullptr, 10);
}

// Weights consumed by GGML_OP_MUL_MAT: 2-D ".weight" matrices of the blocks and the output
// head. Norms are 1-D; embeddings, convolutions and SSM parameters are not matmul inputs.
bool IsMatmulWeight(const GgufTensorInfo& t) {
  if (t.dims.size() != 2) return false;
  const std::string& n = t.name;
  if (n == "output.weight") return true;
  if (n.rfind("blk.", 0) != 0) return false;
  if (n.size() < 7 || n.compare(n.size() - 7, 7, ".weight") != 0) return false;
  for (const char* skip : {"norm", "conv1d", "ssm_a", "ssm_d", "_embd", "time_mix_", "channel_mix_lerp"}) {
    if (n.find(skip) != std::string::npos) return false;
  }
  return true;
}

uint64_t AmxBytes(GgmlType type, int64_t cols, int64_t rows) {
  const auto t = GgmlTypeInfo(static_cast<uint32_t>(type));
  if (!t || rows % 32 != 0) return 0;  // op->ne[0] % (TILE_N * 2)
  int64_t align = 0;
  int64_t extra_per_block = 0;  // get_row_size in ggml-cpu/amx/mmq.cpp
  switch (type) {
    case GgmlType::kQ4_0: case GgmlType::kQ4_1: align = 32; break;
    case GgmlType::kQ8_0: align = 32; extra_per_block = 4; break;
    case GgmlType::kQ4_K: case GgmlType::kQ5_K: align = 256; extra_per_block = 4; break;
    case GgmlType::kQ6_K: align = 256; break;
    case GgmlType::kIQ4_XS: align = 256; extra_per_block = 2; break;
    case GgmlType::kF16: align = 16; break;
    default: return 0;
  }
  if (cols % align != 0) return 0;
  const uint64_t row = GgmlRowBytes(type, cols) +
                       static_cast<uint64_t>(cols / t->block_size * extra_per_block);
  return row * static_cast<uint64_t>(rows);
}

// ggml_repack_get_optimal_repack_type in ggml-cpu/repack.cpp, for the ISA families.
bool Repacks(GgmlType type, int64_t rows, CpuIsa isa) {
  const bool x86 = isa == CpuIsa::kX86Avx2 || isa == CpuIsa::kX86Avx512;
  const bool i8mm = isa == CpuIsa::kArmI8mm;
  const bool dot = isa == CpuIsa::kArmDotProd || i8mm;  // i8mm cores have dotprod too
  switch (type) {
    case GgmlType::kQ4_0: return (x86 && rows % 8 == 0) || (dot && rows % 4 == 0);
    case GgmlType::kQ4_K: return (x86 || dot) && rows % 8 == 0;
    case GgmlType::kQ2_K: return isa == CpuIsa::kX86Avx512 && rows % 8 == 0;
    case GgmlType::kQ5_K: case GgmlType::kQ6_K: return dot && rows % 8 == 0;
    case GgmlType::kIQ4_NL: case GgmlType::kMXFP4:
      return (x86 && rows % 8 == 0) || (dot && rows % 4 == 0);
    case GgmlType::kQ8_0: return dot && rows % 4 == 0;
    default: return false;
  }
}

}  // namespace

uint64_t ExtraBufferBytes(GgmlType type, int64_t cols, int64_t rows, const CpuWeightKernels& cpu) {
  if (cpu.amx) {
    if (const uint64_t b = AmxBytes(type, cols, rows); b > 0) return b;
  }
  if (cpu.repack && Repacks(type, rows, cpu.isa)) {
    uint64_t bytes = GgmlRowBytes(type, cols) * static_cast<uint64_t>(rows);
    return bytes;
  }
  return 0;
}

WeightPlacement PlaceWeights(const GgufFile& file, const ModelShape& shape, const PlanOptions& options) {
  WeightPlacement p;
  const int64_t gpu_start = std::max<int64_t>(shape.n_layer + 1 - std::max(options.gpu_layers, 0), 0);
  const bool output_on_gpu = options.gpu_layers > 0;
  uint64_t first = std::numeric_limits<uint64_t>::max();
  uint64_t last = 0;
  auto place_cpu_default = [&](const GgufTensorInfo& t) {
    if (options.use_mmap) {
      first = std::min(first, t.offset);
      last = std::max(last, t.offset + t.n_bytes);
    } else {
      p.cpu_default += AlignUp(t.n_bytes, kCpuAlignment);
    }
  };
  // A matmul weight on the CPU: an extra buffer if one takes it, else the default buffer.
  auto place_cpu_matmul = [&](const GgufTensorInfo& t) {
    const uint64_t extra = ExtraBufferBytes(t.type, t.dims[0], t.dims[1], options.cpu);
    if (extra > 0) {
      p.cpu_repacked += AlignUp(extra, kCpuAlignment);
    } else {
      place_cpu_default(t);
    }
  };

  for (const GgufTensorInfo& t : file.tensors()) {
    const bool matmul = IsMatmulWeight(t);
    if (matmul) {
      p.bytes_per_decoded_token += t.n_bytes;
      p.matmul_parameters += t.n_elements;
    }
    const int64_t il = LayerOf(t.name);
    const bool on_gpu = il >= 0 ? il >= gpu_start : (t.name.rfind("output", 0) == 0 && output_on_gpu);
    if (on_gpu) {
      p.gpu += AlignUp(t.n_bytes, kGpuAlignment);
    } else if (matmul) {
      place_cpu_matmul(t);
    } else {
      place_cpu_default(t);
    }
    if (t.name == "token_embd.weight" && shape.tied_output && t.dims.size() == 2) {
      // llama.cpp creates "output" as a duplicate of token_embd for the logits matmul.
      p.bytes_per_decoded_token += t.n_bytes;
      p.matmul_parameters += t.n_elements;
      if (output_on_gpu) {
        p.gpu += AlignUp(t.n_bytes, kGpuAlignment);
      } else {
        place_cpu_matmul(t);
      }
    }
  }
  if (options.use_mmap && last > first) p.cpu_default = last - first;
  // The embedding lookup reads one row per token.
  if (const auto* emb = file.FindTensor("token_embd.weight"); emb != nullptr && !emb->dims.empty()) {
    p.bytes_per_decoded_token += GgmlRowBytes(emb->type, emb->dims[0]);
  }
  return p;
}

}  // namespace kolibri::plan
