// The built-in hardware catalogue. Figures are vendor spec-sheet values: memory size as
// configured below, peak memory bandwidth from channels × transfer rate (or the vendor's
// GB/s), TDP / board power, core counts. cpu_tflops is derived (cores × base clock ×
// FP32 FLOPs per cycle of the SIMD units), as vendors rarely publish it; GPU tflops are
// the vendor's dense FP16 tensor figures. Host watts add ~100 W (servers) or ~50 W
// (desktops) of platform power to the CPU TDP — a round estimate, not a measurement.
#include <algorithm>
#include <cctype>

#include "kolibri/hardware_profile.h"

namespace kolibri {
namespace {

constexpr uint64_t kGiB = 1024ull * 1024 * 1024;

CpuWeightKernels Kernels(CpuIsa isa, bool amx = false) {
  CpuWeightKernels k;
  k.isa = isa;
  k.amx = amx;
  return k;
}

std::vector<HardwareProfile> Build() {
  std::vector<HardwareProfile> c;
  // Servers (one socket).
  c.push_back({"epyc-9654", "AMD EPYC 9654, 96 cores, 12 × DDR5-4800, 384 GiB", 384 * kGiB, 96, 460.8,
               96 * 2.4 * 32 / 1000, 460, Kernels(CpuIsa::kX86Avx512), {}, "AMD spec sheet (TDP 360 W)"});
  // AMX stays off: Kolibri builds llama.cpp with AMX compiled out (scripts/bootstrap.sh).
  c.push_back({"xeon-8480", "Intel Xeon Platinum 8480+, 56 cores, 8 × DDR5-4800, 512 GiB", 512 * kGiB, 56,
               307.2, 56 * 2.0 * 64 / 1000, 450, Kernels(CpuIsa::kX86Avx512), {},
               "Intel ARK (TDP 350 W)"});
  c.push_back({"graviton3", "AWS Graviton3 (c7g.16xlarge), 64 Neoverse-V1 cores, DDR5, 128 GiB", 128 * kGiB, 64,
               307.2, 64 * 2.6 * 16 / 1000, 250, Kernels(CpuIsa::kArmI8mm), {},
               "AWS instance specs; power is an estimate"});
  // Desktops.
  c.push_back({"ryzen-7950x", "AMD Ryzen 9 7950X, 16 cores, 2 × DDR5-5200, 64 GiB", 64 * kGiB, 16, 83.2,
               16 * 4.5 * 32 / 1000, 220, Kernels(CpuIsa::kX86Avx512), {}, "AMD spec sheet (TDP 170 W)"});
  c.push_back({"core-i7-13700", "Intel Core i7-13700, 8P+8E cores, 2 × DDR5-5600, 32 GiB", 32 * kGiB, 16, 89.6,
               8 * 2.1 * 32 / 1000 + 8 * 1.5 * 16 / 1000, 115, Kernels(CpuIsa::kX86Avx2), {},
               "Intel ARK (base power 65 W)"});
  // Edge boxes (CPU inference; their NPUs are not used by llama.cpp).
  c.push_back({"raspberry-pi-5", "Raspberry Pi 5, 4 × Cortex-A76, LPDDR4X-4267 (32-bit), 8 GiB", 8 * kGiB, 4, 17.1,
               4 * 2.4 * 8 / 1000, 12, Kernels(CpuIsa::kArmDotProd), {}, "Raspberry Pi product brief"});
  c.push_back({"rk3588", "Rockchip RK3588 board, 4 × A76 + 4 × A55, LPDDR4X-4224 (64-bit), 16 GiB, 6 TOPS NPU",
               16 * kGiB, 8, 33.8, 4 * 2.4 * 8 / 1000 + 4 * 1.8 * 4 / 1000, 15, Kernels(CpuIsa::kArmDotProd), {},
               "Rockchip datasheet"});
  c.push_back({"jetson-orin-nano", "NVIDIA Jetson Orin Nano 8GB, 6 × A78AE, 8 GiB LPDDR5 (shared)", 8 * kGiB, 6, 68,
               6 * 1.5 * 8 / 1000, 15, Kernels(CpuIsa::kArmDotProd), {}, "NVIDIA Jetson datasheet (15 W mode)"});
  // GPU hosts: a desktop or server CPU plus GPUs.
  const HardwareProfile server = c[0];
  const HardwareProfile desktop = c[3];
  auto gpu_host = [](const HardwareProfile& host, const char* name, const char* desc, GpuSpec g, const char* src) {
    HardwareProfile p = host;
    p.name = name;
    p.description = desc;
    p.source = src;
    p.watts += g.watts;
    p.gpus.push_back(std::move(g));
    return p;
  };
  c.push_back(gpu_host(desktop, "rtx-4060ti-16g", "Ryzen 7950X host + GeForce RTX 4060 Ti 16 GB",
                       {"RTX 4060 Ti 16GB", 16 * kGiB, 288, 44, 165}, "NVIDIA spec page"));
  c.push_back(gpu_host(desktop, "rtx-4090", "Ryzen 7950X host + GeForce RTX 4090 24 GB",
                       {"RTX 4090", 24 * kGiB, 1008, 165, 450}, "NVIDIA spec page"));
  c.push_back(gpu_host(server, "l4", "EPYC 9654 host + NVIDIA L4 24 GB", {"L4", 24 * kGiB, 300, 121, 72},
                       "NVIDIA L4 datasheet"));
  c.push_back(gpu_host(server, "a100-80g", "EPYC 9654 host + NVIDIA A100 80 GB SXM",
                       {"A100 80GB", 80 * kGiB, 2039, 312, 400}, "NVIDIA A100 datasheet"));
  c.push_back(gpu_host(server, "h100-sxm", "EPYC 9654 host + NVIDIA H100 SXM 80 GB",
                       {"H100 SXM", 80 * kGiB, 3350, 989, 700}, "NVIDIA H100 datasheet"));
  c.push_back(gpu_host(server, "h200", "EPYC 9654 host + NVIDIA H200 141 GB", {"H200", 141 * kGiB, 4800, 989, 700},
                       "NVIDIA H200 datasheet"));
  return c;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

}  // namespace

const std::vector<HardwareProfile>& HardwareCatalogue() {
  static const std::vector<HardwareProfile> kCatalogue = Build();
  return kCatalogue;
}

Result<HardwareProfile> FindHardwareProfile(const std::string& name) {
  std::string names;
  for (const auto& p : HardwareCatalogue()) {
    if (p.name == Lower(name)) return p;
    names += (names.empty() ? "" : ", ") + p.name;
  }
  return Status::NotFound("unknown hardware profile '" + name + "' (built-in: " + names +
                          "; or give a YAML file, or --probe)");
}

}  // namespace kolibri
