#include "kolibri/plan_verify.h"

#include <algorithm>

#include "kolibri/hardware_profile.h"

namespace kolibri {

double VerifyRow::ErrorPercent() const {
  if (actual == 0) return estimate == 0 ? 0.0 : 100.0;
  return (static_cast<double>(estimate) - static_cast<double>(actual)) / static_cast<double>(actual) * 100.0;
}

PlanOptions MatchThisBuild(PlanOptions options) {
  const std::vector<std::string> extra = CpuExtraBufferTypes();
  auto has = [&](const char* n) { return std::find(extra.begin(), extra.end(), n) != extra.end(); };
  options.cpu = DetectCpuWeightKernels();
  options.cpu.amx = has("AMX");
  options.cpu.repack = has("CPU_REPACK");
  return options;
}

Result<VerifyReport> VerifyEstimate(const std::string& model_path, const std::vector<std::string>& lora_paths,
                                    const PlanOptions& options) {
  const PlanOptions o = MatchThisBuild(options);
  KOLIBRI_ASSIGN_OR_RETURN(const GgufFile model, GgufFile::Open(model_path));
  std::vector<GgufFile> loras;
  for (const auto& p : lora_paths) {
    KOLIBRI_ASSIGN_OR_RETURN(GgufFile lora, GgufFile::Open(p));
    loras.push_back(std::move(lora));
  }
  VerifyReport r;
  KOLIBRI_ASSIGN_OR_RETURN(r.estimate, EstimateMemory(model, loras, o));

  MemoryProbeOptions po;
  po.context = o.context;
  po.parallel = o.parallel;
  po.batch = o.batch;
  po.ubatch = o.ubatch;
  po.kv_type = o.kv_type;
  po.gpu_layers = o.gpu_layers;
  po.flash_attn = o.flash_attn == FlashAttention::kOn    ? ProbeFlashAttention::kOn
                  : o.flash_attn == FlashAttention::kOff ? ProbeFlashAttention::kOff
                                                         : ProbeFlashAttention::kAuto;
  po.kv_unified = o.kv_layout == KvLayout::kUnified;
  po.swa_full = o.swa_cache == SwaCache::kFull;
  po.use_mmap = o.use_mmap;
  po.lora_paths = lora_paths;
  KOLIBRI_ASSIGN_OR_RETURN(r.actual, ProbeMemory(model_path, po));

  VerifyRow weights{"weights", 0, 0}, kv{"kv cache + state", 0, 0}, output{"output", 0, 0},
      compute{"compute", 0, 0}, lora{"lora", 0, 0};
  for (const auto& d : r.estimate.devices) {
    weights.estimate += d.weights + d.weights_repacked;
    kv.estimate += d.kv_cache + d.recurrent_state;
    output.estimate += d.output;
    compute.estimate += d.compute;
    lora.estimate += d.lora;
  }
  for (const auto& b : r.actual.buffers) {
    weights.actual += b.model;
    kv.actual += b.context;
    compute.actual += b.compute;
  }
  output.actual = r.actual.output_bytes;
  lora.actual = r.actual.lora_bytes;
  r.rows = {weights, kv, output, compute};
  if (!lora_paths.empty()) r.rows.push_back(lora);
  VerifyRow total{"total", 0, 0};
  for (const auto& row : r.rows) {
    total.estimate += row.estimate;
    total.actual += row.actual;
  }
  r.rows.push_back(total);
  return r;
}

}  // namespace kolibri
