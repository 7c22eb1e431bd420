// PlanFit / SizeFleet: does a model fit a machine, how far can its context or parallelism
// grow there, how many instances share a host, how fast it can possibly decode and prefill,
// and how many hosts a daily workload needs.
//
// Speed figures are upper bounds, not predictions: decode is bounded by memory bandwidth
// (every decoding step reads all weights once plus each sequence's KV cache), prefill by
// peak compute (2 FLOPs per weight per token). Real throughput is lower — typically 50–80 %
// of the bandwidth bound on CPUs. Instances are counted by memory alone, each with its own
// copy of everything (mapped weights of several processes could share the page cache; the
// planner does not count on it). Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kolibri/gguf_file.h"
#include "kolibri/hardware_profile.h"
#include "kolibri/memory_plan.h"
#include "kolibri/status.h"

namespace kolibri {

struct FitOptions {
  double reserve_fraction = 0.10;  // share of RAM/VRAM kept free for the OS and other work
};

struct FitReport {
  std::string hardware;
  std::string device;              // "RAM" or the GPU's name: where the model's bulk lives
  uint64_t available_bytes = 0;    // after the reserve
  uint64_t needed_bytes = 0;       // the estimate on that device
  bool fits = false;
  uint32_t max_context = 0;        // largest --ctx that fits at the given parallelism (0: none)
  uint32_t max_parallel = 0;       // largest --parallel that fits at the given context
  uint32_t instances_per_host = 0;
  double decode_tokens_per_s = 0;  // one sequence at full context
  double decode_tokens_per_s_all = 0;  // all `parallel` sequences together
  double prefill_tokens_per_s = 0;
};

Result<FitReport> PlanFit(const GgufFile& model, const std::vector<GgufFile>& loras, const PlanOptions& options,
                          const HardwareProfile& hardware, const FitOptions& fit = {});

struct Workload {
  double requests_per_day = 0;
  double prompt_tokens = 0;   // per request
  double output_tokens = 0;   // per request
  double peak_factor = 1.0;   // peak rate over the daily average the fleet must carry
};

struct FleetPlan {
  double busy_seconds_per_request = 0;  // host time per request at the speed bounds
  uint32_t instances = 0;
  uint32_t hosts = 0;
  double utilisation = 0;               // average load of the hosts (0..1)
  double energy_kwh_per_month = 0;      // hosts × profile watts × 730 h × utilisation
  double energy_kwh_per_month_provisioned = 0;  // at full power all month
};

// Sizes a fleet from a fit. Prefill time is counted only when the profile gives a compute
// figure (a probed machine has none). InvalidArgument for a workload without requests or
// tokens; ResourceExhausted when the fit does not fit.
Result<FleetPlan> SizeFleet(const FitReport& fit, const PlanOptions& options, const HardwareProfile& hardware,
                            const Workload& workload);

}  // namespace kolibri
