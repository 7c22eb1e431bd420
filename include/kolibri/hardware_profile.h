// HardwareProfile: the machine a plan is fitted to — memory, bandwidth, compute, power.
//
// Profiles come from a small built-in catalogue (spec-sheet figures of common CPUs,
// consumer and data-centre GPUs and a few edge boxes), from a YAML file with the same
// fields, or from probing this machine (RAM and cores from the OS, bandwidth from a
// short copy test). Thread safety: values; the functions are reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kolibri/memory_plan.h"
#include "kolibri/status.h"

namespace kolibri {

struct GpuSpec {
  std::string name;
  uint64_t vram_bytes = 0;
  double bandwidth_gbs = 0;   // memory bandwidth, GB/s (10^9 bytes/s)
  double tflops = 0;          // dense FP16 tensor throughput, TFLOP/s
  double watts = 0;           // board power
};

struct HardwareProfile {
  std::string name;
  std::string description;
  uint64_t ram_bytes = 0;
  int cores = 0;
  double ram_bandwidth_gbs = 0;  // GB/s
  double cpu_tflops = 0;         // peak FP32 FMA throughput of all cores, TFLOP/s
  double watts = 0;              // host power draw under load (CPU TDP + platform), W
  CpuWeightKernels cpu;          // decides which weights llama.cpp re-lays on this CPU
  std::vector<GpuSpec> gpus;
  std::string source;            // where the figures come from
};

// The built-in catalogue, in display order.
const std::vector<HardwareProfile>& HardwareCatalogue();
// A catalogue entry by name (case-insensitive). NotFound lists the known names.
Result<HardwareProfile> FindHardwareProfile(const std::string& name);
// A profile from YAML:
//   name: my-box
//   ram_gb: 64            cores: 16          ram_bandwidth_gbs: 80
//   cpu_tflops: 1.5       watts: 120         isa: x86-avx2 | x86-avx512 | arm-dotprod | arm-i8mm | generic
//   amx: false
//   gpus: [{name: RTX 4090, vram_gb: 24, bandwidth_gbs: 1008, tflops: 165, watts: 450}]
// Errors: NotFound, InvalidArgument (bad YAML or values, with the field named).
Result<HardwareProfile> LoadHardwareProfile(const std::string& path);
// `name` as a catalogue entry, else as a YAML file path.
Result<HardwareProfile> ResolveHardwareProfile(const std::string& name_or_path);

struct ProbeOptions {
  uint64_t copy_bytes = 256ull << 20;  // buffer size of the bandwidth test
  int repetitions = 3;                 // best of N copies
};
// This machine: RAM (sysinfo), cores, ISA (cpuid), bandwidth from a memcpy test
// (read + write bytes / time). Compute and power are left 0 (unknown).
Result<HardwareProfile> ProbeHardware(const ProbeOptions& options = {});

}  // namespace kolibri

namespace kolibri {
// The SIMD family and AMX support of this CPU (cpuid / auxv), as a native ggml build
// would use them. Cheap; no measurement.
CpuWeightKernels DetectCpuWeightKernels();
}  // namespace kolibri
