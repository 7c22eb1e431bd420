// Quantization variants of one model, derived from its GGUF header alone: the tensor
// table re-typed the way llama.cpp's quantizer (llama-quant.cpp at the pinned commit)
// would type it for f16, q8_0, q4_k_m and q4_0 — 1-D tensors stay f32; the output head
// (and a tied token embedding) becomes q6_K for q4_0/q4_k_m (q8_0 when rows do not split
// into 256-blocks); q4_k_m gives attn_v and ffn_down q6_K on the "more bits" layers
// (first and last eighth, every third between) and fused QKV q5_K; rows that do not fit a
// type's block fall back as llama.cpp does (q4_K→q5_0, q6_K→q8_0, then f16).
// The variants are headers, not files: feed them to EstimateMemory / PlanFit.
#pragma once

#include <string>
#include <vector>

#include "kolibri/gguf_file.h"
#include "kolibri/status.h"

namespace kolibri {

enum class QuantScheme { kF16, kQ8_0, kQ4_K_M, kQ4_0 };

std::string QuantSchemeName(QuantScheme scheme);  // "f16", "q8_0", "q4_k_m", "q4_0"
const std::vector<QuantScheme>& AllQuantSchemes();

// `model` as it would be after `llama-quantize ... <scheme>` from its current weights.
Result<GgufFile> RetypeForScheme(const GgufFile& model, QuantScheme scheme);

}  // namespace kolibri
