// The ggml tensor types as stored in GGUF files, with their block geometry, and the
// llama.cpp file types (general.file_type). Pure data: no dependency on ggml itself, so
// header-only tools (info, plan) stay independent of the inference library.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kolibri {

// Values are ggml's enum ggml_type at the pinned llama.cpp commit.
enum class GgmlType : uint32_t {
  kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ4_1 = 3, kQ5_0 = 6, kQ5_1 = 7, kQ8_0 = 8, kQ8_1 = 9,
  kQ2_K = 10, kQ3_K = 11, kQ4_K = 12, kQ5_K = 13, kQ6_K = 14, kQ8_K = 15,
  kIQ2_XXS = 16, kIQ2_XS = 17, kIQ3_XXS = 18, kIQ1_S = 19, kIQ4_NL = 20, kIQ3_S = 21,
  kIQ2_S = 22, kIQ4_XS = 23, kI8 = 24, kI16 = 25, kI32 = 26, kI64 = 27, kF64 = 28,
  kIQ1_M = 29, kBF16 = 30, kTQ1_0 = 34, kTQ2_0 = 35, kMXFP4 = 39, kNVFP4 = 40,
  kQ1_0 = 41, kQ2_0 = 42,
};

struct GgmlTypeTraits {
  GgmlType type;
  std::string_view name;  // as ggml_type_name() prints it ("q4_K")
  int64_t block_size;     // elements per block
  int64_t type_size;      // bytes per block
};

// Traits of a known type; nullopt for ids that are unknown or removed.
std::optional<GgmlTypeTraits> GgmlTypeInfo(uint32_t type_id);
// Type by name, case-insensitive ("q8_0", "F16"); nullopt when unknown.
std::optional<GgmlType> GgmlTypeFromName(std::string_view name);
// Bytes of a row of `n` elements (n must be a multiple of the block size).
uint64_t GgmlRowBytes(GgmlType type, int64_t n);
std::string_view GgmlTypeName(GgmlType type);

// llama.cpp's general.file_type ("MOSTLY_Q4_K_M") as llama.cpp names it ("Q4_K - Medium").
std::string_view LlamaFileTypeName(int64_t file_type);

}  // namespace kolibri
