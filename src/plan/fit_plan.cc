#include "kolibri/fit_plan.h"

#include <algorithm>
#include <cmath>

namespace kolibri {
namespace {

bool UsesGpu(const PlanOptions& o, const HardwareProfile& hw) { return o.gpu_layers > 0 && !hw.gpus.empty(); }

// The bytes that must fit on the limiting device: the GPU share when layers are offloaded,
// else everything in host memory.
uint64_t Needed(const MemoryEstimate& e, bool gpu) {
  if (gpu && e.devices.size() > 1) return e.devices[1].Total();
  return e.HostTotal();
}

}  // namespace

Result<FitReport> PlanFit(const GgufFile& model, const std::vector<GgufFile>& loras, const PlanOptions& options,
                          const HardwareProfile& hardware, const FitOptions& fit) {
  if (fit.reserve_fraction < 0 || fit.reserve_fraction >= 1) {
    return Status::InvalidArgument("reserve fraction must be in [0, 1)");
  }
  PlanOptions o = options;
  o.cpu = hardware.cpu;
  const bool gpu = UsesGpu(o, hardware);
  if (o.gpu_layers > 0 && hardware.gpus.empty()) {
    return Status::InvalidArgument("--gpu-layers given but hardware profile '" + hardware.name + "' has no GPU");
  }
  KOLIBRI_ASSIGN_OR_RETURN(const MemoryEstimate est, EstimateMemory(model, loras, o));
  FitReport r;
  r.hardware = hardware.name;
  r.device = gpu ? hardware.gpus.front().name : "RAM";
  const uint64_t capacity = gpu ? hardware.gpus.front().vram_bytes : hardware.ram_bytes;
  r.available_bytes = static_cast<uint64_t>(static_cast<double>(capacity) * (1.0 - fit.reserve_fraction));
  r.needed_bytes = Needed(est, gpu);
  r.fits = r.needed_bytes <= r.available_bytes && (!gpu || est.HostTotal() <= hardware.ram_bytes);
  r.instances_per_host = r.needed_bytes == 0 ? 0 : static_cast<uint32_t>(r.available_bytes / r.needed_bytes);
  if (gpu) r.instances_per_host *= static_cast<uint32_t>(hardware.gpus.size());

  auto fits_with = [&](uint32_t ctx, uint32_t par) {
    PlanOptions t = o;
    t.context = ctx;
    t.parallel = par;
    auto e = EstimateMemory(model, loras, t);
    return e.ok() && Needed(*e, gpu) <= r.available_bytes;
  };
  // Largest context (multiple of 256 per sequence) and largest parallelism, by bisection:
  // memory grows monotonically in both.
  {
    uint32_t lo = 0, hi = 1u << 24;  // 16M cells
    while (lo < hi) {
      const uint32_t mid = lo + (hi - lo + 1) / 2;
      const uint32_t ctx = std::max(mid / 256 * 256, o.parallel);
      if (fits_with(ctx, o.parallel)) lo = mid; else hi = mid - 1;
    }
    r.max_context = lo >= o.parallel ? lo / 256 * 256 : 0;
    uint32_t plo = 0, phi = std::min<uint32_t>(256, o.context);
    while (plo < phi) {
      const uint32_t mid = plo + (phi - plo + 1) / 2;
      if (fits_with(o.context, mid)) plo = mid; else phi = mid - 1;
    }
    r.max_parallel = plo;
  }

  // Speed bounds. Decode: a step for P sequences reads the weights once and each
  // sequence's KV cache (at its full per-sequence context).
  const double bandwidth = (gpu ? hardware.gpus.front().bandwidth_gbs : hardware.ram_bandwidth_gbs) * 1e9;
  const double tflops = gpu ? hardware.gpus.front().tflops : hardware.cpu_tflops;
  const double weights = static_cast<double>(est.model.bytes_per_decoded_token);
  const double kv_seq = static_cast<double>(est.kv.bytes_per_token) * est.kv.n_ctx_per_sequence +
                        static_cast<double>(est.kv.recurrent_bytes_per_sequence);
  if (bandwidth > 0) {
    r.decode_tokens_per_s = bandwidth / (weights + kv_seq);
    r.decode_tokens_per_s_all = bandwidth * o.parallel / (weights + o.parallel * kv_seq);
  }
  if (tflops > 0 && est.model.flops_per_token > 0) {
    r.prefill_tokens_per_s = tflops * 1e12 / static_cast<double>(est.model.flops_per_token);
  }
  return r;
}

Result<FleetPlan> SizeFleet(const FitReport& fit, const PlanOptions& options, const HardwareProfile& hardware,
                            const Workload& w) {
  if (w.requests_per_day <= 0) return Status::InvalidArgument("--requests-per-day must be positive");
  if (w.prompt_tokens < 0 || w.output_tokens < 0 || w.prompt_tokens + w.output_tokens <= 0) {
    return Status::InvalidArgument("--prompt-tokens and --output-tokens must be non-negative and not both zero");
  }
  if (w.peak_factor < 1) return Status::InvalidArgument("--peak-factor must be at least 1");
  if (!fit.fits || fit.instances_per_host == 0) {
    return Status::ResourceExhausted("the model does not fit '" + hardware.name + "' with these settings; no fleet can be sized");
  }
  if (fit.decode_tokens_per_s_all <= 0) {
    return Status::InvalidArgument("hardware profile '" + hardware.name + "' has no memory bandwidth; cannot bound speed");
  }
  FleetPlan f;
  // A host decodes at most decode_tokens_per_s_all tokens/s in total however many
  // instances share its memory bus; prefill is bounded by its compute.
  const double prefill = fit.prefill_tokens_per_s > 0 ? w.prompt_tokens / fit.prefill_tokens_per_s : 0;
  f.busy_seconds_per_request = prefill + w.output_tokens / fit.decode_tokens_per_s_all;
  const double rate = w.requests_per_day / 86400.0 * w.peak_factor;
  const double host_load = rate * f.busy_seconds_per_request;
  f.hosts = std::max<uint32_t>(1, static_cast<uint32_t>(std::ceil(host_load)));
  // Instances: enough sequences to keep `rate` requests in flight, `parallel` per instance.
  const double in_flight = rate * (prefill + w.output_tokens / fit.decode_tokens_per_s);
  f.instances = std::max<uint32_t>(1, static_cast<uint32_t>(std::ceil(in_flight / options.parallel)));
  f.hosts = std::max(f.hosts, (f.instances + fit.instances_per_host - 1) / fit.instances_per_host);
  f.utilisation = std::min(1.0, w.requests_per_day / 86400.0 * f.busy_seconds_per_request / f.hosts);
  const double hours = 730.0;  // hours per average month
  f.energy_kwh_per_month_provisioned = f.hosts * hardware.watts * hours / 1000.0;
  f.energy_kwh_per_month = f.energy_kwh_per_month_provisioned * f.utilisation;
  return f;
}

}  // namespace kolibri
