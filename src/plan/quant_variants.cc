#include "kolibri/quant_variants.h"

#include <cstdlib>

namespace kolibri {
namespace {

bool Fits(GgmlType t, int64_t row) { return row % GgmlTypeInfo(static_cast<uint32_t>(t))->block_size == 0; }

// tensor_type_fallback in llama-quant.cpp.
GgmlType Fallback(GgmlType t, int64_t row) {
  if (Fits(t, row)) return t;
  GgmlType f = GgmlType::kF16;
  switch (t) {
    case GgmlType::kQ4_K: f = GgmlType::kQ5_0; break;
    case GgmlType::kQ5_K: f = GgmlType::kQ5_1; break;
    case GgmlType::kQ6_K: f = GgmlType::kQ8_0; break;
    default: break;
  }
  return Fits(f, row) ? f : GgmlType::kF16;
}

bool Ends(const std::string& s, const char* suffix) {
  const std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

}  // namespace

std::string QuantSchemeName(QuantScheme scheme) {
  switch (scheme) {
    case QuantScheme::kF16: return "f16";
    case QuantScheme::kQ8_0: return "q8_0";
    case QuantScheme::kQ4_K_M: return "q4_k_m";
    case QuantScheme::kQ4_0: return "q4_0";
  }
  return "?";
}

const std::vector<QuantScheme>& AllQuantSchemes() {
  static const std::vector<QuantScheme> kAll = {QuantScheme::kF16, QuantScheme::kQ8_0, QuantScheme::kQ4_K_M,
                                                QuantScheme::kQ4_0};
  return kAll;
}

Result<GgufFile> RetypeForScheme(const GgufFile& model, QuantScheme scheme) {
  const int64_t n_layer = model.ArchInt("block_count").value_or(0);
  const bool tied = model.FindTensor("output.weight") == nullptr;
  auto more_bits = [&](int64_t i) {  // use_more_bits in llama-quant.cpp
    return i < n_layer / 8 || i >= 7 * n_layer / 8 || (i - n_layer / 8) % 3 == 2;
  };
  std::vector<GgmlType> types;
  types.reserve(model.tensors().size());
  for (const GgufTensorInfo& t : model.tensors()) {
    const int64_t row = t.dims.empty() ? 0 : t.dims[0];
    if (t.dims.size() < 2 || !Ends(t.name, ".weight")) {
      types.push_back(t.type == GgmlType::kF16 || t.type == GgmlType::kBF16 ? t.type : GgmlType::kF32);
      continue;
    }
    if (scheme == QuantScheme::kF16) {
      types.push_back(Fits(GgmlType::kF16, row) ? GgmlType::kF16 : GgmlType::kF32);
      continue;
    }
    const GgmlType base = scheme == QuantScheme::kQ8_0 ? GgmlType::kQ8_0
                          : scheme == QuantScheme::kQ4_0 ? GgmlType::kQ4_0
                                                         : GgmlType::kQ4_K;
    GgmlType type = base;
    const bool head = t.name == "output.weight" || (tied && t.name == "token_embd.weight");
    if (head) {
      type = base == GgmlType::kQ8_0 ? GgmlType::kQ8_0 : (Fits(base, row) ? GgmlType::kQ6_K : GgmlType::kQ8_0);
    } else if (scheme == QuantScheme::kQ4_K_M) {
      const int64_t il = t.name.rfind("blk.", 0) == 0 ? std::strtoll(t.name.c_str() + 4, nullptr, 10) : -1;
      if (t.name.find("attn_qkv") != std::string::npos) type = GgmlType::kQ5_K;
      if ((t.name.find("attn_v.") != std::string::npos || t.name.find("ffn_down") != std::string::npos) &&
          il >= 0 && more_bits(il)) {
        type = GgmlType::kQ6_K;
      }
    }
    types.push_back(Fallback(type, row));
  }
  return model.WithTensorTypes(types);
}

}  // namespace kolibri
