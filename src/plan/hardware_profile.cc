#include "kolibri/hardware_profile.h"

#include <sys/auxv.h>
#include <sys/sysinfo.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

namespace kolibri {
namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

Result<CpuIsa> ParseIsa(const std::string& s) {
  if (s == "x86-avx2") return CpuIsa::kX86Avx2;
  if (s == "x86-avx512") return CpuIsa::kX86Avx512;
  if (s == "arm-dotprod") return CpuIsa::kArmDotProd;
  if (s == "arm-i8mm") return CpuIsa::kArmI8mm;
  if (s == "generic") return CpuIsa::kGeneric;
  return Status::InvalidArgument("isa '" + s + "' is not one of x86-avx2, x86-avx512, arm-dotprod, arm-i8mm, generic");
}

// Reads a non-negative number field; absent fields keep `fallback`.
Result<double> Number(const YAML::Node& node, const char* key, double fallback) {
  const YAML::Node v = node[key];
  if (!v) return fallback;
  double d = 0;
  if (!YAML::convert<double>::decode(v, d) || d < 0) {
    return Status::InvalidArgument("field '" + std::string(key) + "' must be a non-negative number");
  }
  return d;
}

Result<HardwareProfile> FromYaml(const YAML::Node& root, const std::string& path) {
  if (!root.IsMap()) return Status::InvalidArgument("'" + path + "' is not a YAML mapping of profile fields");
  HardwareProfile p;
  p.name = root["name"] ? root["name"].as<std::string>() : std::filesystem::path(path).stem().string();
  p.description = root["description"] ? root["description"].as<std::string>() : "";
  p.source = "file " + path;
  KOLIBRI_ASSIGN_OR_RETURN(const double ram_gb, Number(root, "ram_gb", 0));
  KOLIBRI_ASSIGN_OR_RETURN(const double cores, Number(root, "cores", 0));
  KOLIBRI_ASSIGN_OR_RETURN(p.ram_bandwidth_gbs, Number(root, "ram_bandwidth_gbs", 0));
  KOLIBRI_ASSIGN_OR_RETURN(p.cpu_tflops, Number(root, "cpu_tflops", 0));
  KOLIBRI_ASSIGN_OR_RETURN(p.watts, Number(root, "watts", 0));
  if (ram_gb <= 0) return Status::InvalidArgument("'" + path + "': ram_gb is required and must be positive");
  p.ram_bytes = static_cast<uint64_t>(ram_gb * kGiB);
  p.cores = static_cast<int>(cores);
  if (root["isa"]) {
    KOLIBRI_ASSIGN_OR_RETURN(p.cpu.isa, ParseIsa(root["isa"].as<std::string>()));
  }
  if (root["amx"]) p.cpu.amx = root["amx"].as<bool>();
  if (const YAML::Node gpus = root["gpus"]) {
    if (!gpus.IsSequence()) return Status::InvalidArgument("'" + path + "': gpus must be a list");
    for (const auto& g : gpus) {
      GpuSpec spec;
      spec.name = g["name"] ? g["name"].as<std::string>() : "GPU";
      KOLIBRI_ASSIGN_OR_RETURN(const double vram_gb, Number(g, "vram_gb", 0));
      if (vram_gb <= 0) return Status::InvalidArgument("'" + path + "': every GPU needs a positive vram_gb");
      spec.vram_bytes = static_cast<uint64_t>(vram_gb * kGiB);
      KOLIBRI_ASSIGN_OR_RETURN(spec.bandwidth_gbs, Number(g, "bandwidth_gbs", 0));
      KOLIBRI_ASSIGN_OR_RETURN(spec.tflops, Number(g, "tflops", 0));
      KOLIBRI_ASSIGN_OR_RETURN(spec.watts, Number(g, "watts", 0));
      p.gpus.push_back(spec);
    }
  }
  return p;
}

}  // namespace

Result<HardwareProfile> LoadHardwareProfile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Status::NotFound("hardware profile file '" + path + "' not found");
  try {
    return FromYaml(YAML::LoadFile(path), path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("'" + path + "' is not a valid hardware profile: " + e.what());
  }
}

Result<HardwareProfile> ResolveHardwareProfile(const std::string& name_or_path) {
  auto found = FindHardwareProfile(name_or_path);
  if (found.ok()) return found;
  std::error_code ec;
  if (std::filesystem::exists(name_or_path, ec)) return LoadHardwareProfile(name_or_path);
  return found.status();
}

CpuWeightKernels DetectCpuWeightKernels() {
  CpuWeightKernels k;
#if defined(__x86_64__)
  __builtin_cpu_init();
  k.isa = __builtin_cpu_supports("avx512f") ? CpuIsa::kX86Avx512
          : __builtin_cpu_supports("avx2")  ? CpuIsa::kX86Avx2
                                            : CpuIsa::kGeneric;
  // AMX-INT8: CPUID.(EAX=7,ECX=0):EDX[25]. ggml uses it when built natively with AMX.
  unsigned int eax = 7, ebx = 0, ecx = 0, edx = 0;
  __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
  k.amx = ((edx >> 25) & 1u) != 0 && k.isa == CpuIsa::kX86Avx512;
#elif defined(__aarch64__)
  const unsigned long hwcap = getauxval(AT_HWCAP);
  const unsigned long hwcap2 = getauxval(AT_HWCAP2);
  const bool dotprod = (hwcap & (1ul << 20)) != 0;  // HWCAP_ASIMDDP
  const bool i8mm = (hwcap2 & (1ul << 13)) != 0;    // HWCAP2_I8MM
  k.isa = i8mm ? CpuIsa::kArmI8mm : dotprod ? CpuIsa::kArmDotProd : CpuIsa::kGeneric;
#else
  k.isa = CpuIsa::kGeneric;
#endif
  return k;
}

Result<HardwareProfile> ProbeHardware(const ProbeOptions& options) {
  if (options.copy_bytes < (1u << 20) || options.repetitions < 1) {
    return Status::InvalidArgument("probe needs at least 1 MiB and one repetition");
  }
  HardwareProfile p;
  p.name = "this-machine";
  p.source = "probed";
  struct sysinfo si {};
  if (::sysinfo(&si) != 0) return Status::IoError("sysinfo() failed");
  p.ram_bytes = static_cast<uint64_t>(si.totalram) * si.mem_unit;
  p.cores = static_cast<int>(std::thread::hardware_concurrency());
  p.cpu = DetectCpuWeightKernels();
  p.description = std::to_string(p.cores) + " cores, " + std::to_string(p.ram_bytes >> 30) + " GiB RAM";
  // Copy bandwidth: memcpy reads and writes each byte once; first touch happens before timing.
  const size_t n = options.copy_bytes;
  std::unique_ptr<char[]> a(new char[n]);
  std::unique_ptr<char[]> b(new char[n]);
  std::memset(a.get(), 1, n);
  std::memset(b.get(), 2, n);
  double best = 1e30;
  for (int r = 0; r < options.repetitions; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    std::memcpy(b.get(), a.get(), n);
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
    std::swap(a, b);
  }
  p.ram_bandwidth_gbs = 2.0 * static_cast<double>(n) / best / 1e9;
  return p;
}

}  // namespace kolibri
