// `kolibri plan MODEL.gguf...`: what models cost in memory and at best in speed, from their
// GGUF headers alone; fitted to hardware, sized for a workload, compared across
// quantizations, and (--verify) checked against what llama.cpp really allocates.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "kolibri/fit_plan.h"
#include "kolibri/hardware_profile.h"
#include "kolibri/memory_plan.h"
#include "kolibri/plan_verify.h"
#include "kolibri/quant_variants.h"

namespace kolibri::cli {
namespace {

struct PlanCliOptions {
  std::vector<std::string> models;
  int64_t ctx = 4096;
  int64_t parallel = 1;
  std::string kv_type = "f16";
  int64_t batch = 2048;
  int64_t ubatch = 512;
  int64_t gpu_layers = 0;
  std::string flash_attn = "auto";
  std::string swa_cache = "full";
  bool kv_unified = false;
  bool no_mmap = false;
  std::vector<std::string> loras;
  std::string hardware;
  bool probe = false;
  bool list_hardware = false;
  double requests_per_day = 0;
  double prompt_tokens = 500;
  double output_tokens = 200;
  double peak_factor = 1;
  bool compare_quants = false;
  bool verify = false;
  bool json = false;
};

// One column of the report: a model (or a quantization variant of it) with its results.
struct Column {
  std::string label;
  MemoryEstimate estimate;
  bool has_fit = false;
  FitReport fit;
  bool has_fleet = false;
  FleetPlan fleet;
};

std::string Size(uint64_t bytes) {
  char buf[32];
  const double mib = static_cast<double>(bytes) / (1024.0 * 1024.0);
  if (mib >= 1024) std::snprintf(buf, sizeof buf, "%.2f GiB", mib / 1024.0);
  else std::snprintf(buf, sizeof buf, "%.1f MiB", mib);
  return buf;
}

std::string Num(double v, const char* fmt = "%.1f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string IsaName(const CpuWeightKernels& k) {
  std::string s;
  switch (k.isa) {
    case CpuIsa::kGeneric: s = "generic"; break;
    case CpuIsa::kX86Avx2: s = "x86-avx2"; break;
    case CpuIsa::kX86Avx512: s = "x86-avx512"; break;
    case CpuIsa::kArmDotProd: s = "arm-dotprod"; break;
    case CpuIsa::kArmI8mm: s = "arm-i8mm"; break;
  }
  if (k.amx) s += "+amx";
  if (!k.repack) s += " (no repack)";
  return s;
}

Result<PlanOptions> ToPlanOptions(const PlanCliOptions& c) {
  auto positive = [](int64_t v, const char* name) -> Status {
    if (v <= 0 || v > (int64_t{1} << 31)) {
      return Status::InvalidArgument(std::string(name) + " must be a positive number, got " + std::to_string(v));
    }
    return Status::Ok();
  };
  KOLIBRI_RETURN_IF_ERROR(positive(c.ctx, "--ctx"));
  KOLIBRI_RETURN_IF_ERROR(positive(c.parallel, "--parallel"));
  KOLIBRI_RETURN_IF_ERROR(positive(c.batch, "--batch"));
  KOLIBRI_RETURN_IF_ERROR(positive(c.ubatch, "--ubatch"));
  if (c.gpu_layers < 0) return Status::InvalidArgument("--gpu-layers must not be negative");
  PlanOptions o;
  o.context = static_cast<uint32_t>(c.ctx);
  o.parallel = static_cast<uint32_t>(c.parallel);
  o.batch = static_cast<uint32_t>(c.batch);
  o.ubatch = static_cast<uint32_t>(c.ubatch);
  o.gpu_layers = static_cast<int32_t>(std::min<int64_t>(c.gpu_layers, 1 << 20));
  KOLIBRI_ASSIGN_OR_RETURN(o.kv_type, ParseKvType(c.kv_type));
  if (c.flash_attn == "auto") o.flash_attn = FlashAttention::kAuto;
  else if (c.flash_attn == "on") o.flash_attn = FlashAttention::kOn;
  else if (c.flash_attn == "off") o.flash_attn = FlashAttention::kOff;
  else return Status::InvalidArgument("--flash-attn must be auto, on or off");
  if (c.swa_cache == "full") o.swa_cache = SwaCache::kFull;
  else if (c.swa_cache == "window") o.swa_cache = SwaCache::kWindow;
  else return Status::InvalidArgument("--swa-cache must be full or window");
  o.kv_layout = c.kv_unified ? KvLayout::kUnified : KvLayout::kPerSequence;
  o.use_mmap = !c.no_mmap;
  return o;
}

nlohmann::json DeviceJson(const DeviceMemory& d) {
  return {{"device", d.device}, {"weights", d.weights}, {"weights_repacked", d.weights_repacked},
          {"lora", d.lora}, {"kv_cache", d.kv_cache}, {"recurrent_state", d.recurrent_state},
          {"output", d.output}, {"compute", d.compute}, {"total", d.Total()}};
}

nlohmann::json ColumnJson(const Column& c) {
  const MemoryEstimate& e = c.estimate;
  nlohmann::json devices = nlohmann::json::array();
  for (const auto& d : e.devices) devices.push_back(DeviceJson(d));
  nlohmann::json j = {
      {"label", c.label},
      {"model", {{"path", e.model.path}, {"name", e.model.name}, {"architecture", e.model.architecture},
                 {"architecture_known", e.model.architecture_known}, {"file_type", e.model.file_type},
                 {"parameters", e.model.parameters}, {"tensor_bytes", e.model.tensor_bytes},
                 {"layers", e.model.layers}, {"vocab", e.model.vocab}, {"train_context", e.model.train_context},
                 {"sliding_window", e.model.sliding_window},
                 {"bytes_per_decoded_token", e.model.bytes_per_decoded_token}}},
      {"kv_cache", {{"n_ctx", e.kv.n_ctx}, {"n_ctx_per_sequence", e.kv.n_ctx_per_sequence},
                    {"swa_cells", e.kv.swa_cells}, {"streams", e.kv.streams},
                    {"bytes_per_token", e.kv.bytes_per_token}, {"bytes_per_sequence", e.kv.bytes_per_sequence},
                    {"total_bytes", e.kv.total_bytes},
                    {"recurrent_bytes_per_sequence", e.kv.recurrent_bytes_per_sequence}}},
      {"flash_attn", e.flash_attn},
      {"devices", devices},
      {"total", e.Total()},
      {"warnings", e.warnings}};
  if (c.has_fit) {
    j["fit"] = {{"hardware", c.fit.hardware}, {"device", c.fit.device}, {"fits", c.fit.fits},
                {"available_bytes", c.fit.available_bytes}, {"needed_bytes", c.fit.needed_bytes},
                {"max_context", c.fit.max_context}, {"max_parallel", c.fit.max_parallel},
                {"instances_per_host", c.fit.instances_per_host},
                {"decode_tokens_per_s_bound", c.fit.decode_tokens_per_s},
                {"decode_tokens_per_s_all_sequences_bound", c.fit.decode_tokens_per_s_all},
                {"prefill_tokens_per_s_bound", c.fit.prefill_tokens_per_s}};
  }
  if (c.has_fleet) {
    j["fleet"] = {{"hosts", c.fleet.hosts}, {"instances", c.fleet.instances},
                  {"busy_seconds_per_request", c.fleet.busy_seconds_per_request},
                  {"utilisation", c.fleet.utilisation}, {"energy_kwh_per_month", c.fleet.energy_kwh_per_month},
                  {"energy_kwh_per_month_provisioned", c.fleet.energy_kwh_per_month_provisioned}};
  }
  return j;
}

void PrintTable(const std::vector<Column>& cols, const PlanOptions& o, const HardwareProfile* hw) {
  const MemoryEstimate& first = cols.front().estimate;
  std::printf("settings: ctx %u (%u per sequence × %u), parallel %u, kv %s, batch %u/%u, flash-attn %s, %s, "
              "CPU kernels %s\n",
              first.kv.n_ctx, first.kv.n_ctx_per_sequence, o.parallel, o.parallel,
              std::string(GgmlTypeName(o.kv_type)).c_str(), o.batch, o.ubatch, first.flash_attn ? "on" : "off",
              o.use_mmap ? "mmap" : "no mmap", IsaName(o.cpu).c_str());
  if (hw != nullptr) {
    std::printf("hardware: %s — %s (%s)\n", hw->name.c_str(), hw->description.c_str(), hw->source.c_str());
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto row = [&](const std::string& name, auto value) {
    std::vector<std::string> cells;
    for (const auto& c : cols) cells.push_back(value(c));
    rows.emplace_back(name, std::move(cells));
  };
  auto sum = [](const Column& c, uint64_t DeviceMemory::*field) {
    uint64_t s = 0;
    for (const auto& d : c.estimate.devices) s += d.*field;
    return s;
  };
  row("model", [](const Column& c) { return c.label; });
  row("architecture", [](const Column& c) {
    return c.estimate.model.architecture + (c.estimate.model.architecture_known ? "" : " (generic)");
  });
  row("parameters", [](const Column& c) { return Num(c.estimate.model.parameters / 1e9, "%.2f B"); });
  row("weights", [&](const Column& c) { return Size(sum(c, &DeviceMemory::weights)); });
  row("  repacked copies", [&](const Column& c) { return Size(sum(c, &DeviceMemory::weights_repacked)); });
  row("lora", [&](const Column& c) { return Size(sum(c, &DeviceMemory::lora)); });
  row("kv cache", [&](const Column& c) { return Size(sum(c, &DeviceMemory::kv_cache)); });
  row("  per token", [](const Column& c) { return Num(c.estimate.kv.bytes_per_token / 1024.0, "%.1f KiB"); });
  row("  per sequence", [](const Column& c) { return Size(c.estimate.kv.bytes_per_sequence); });
  row("recurrent state", [&](const Column& c) { return Size(sum(c, &DeviceMemory::recurrent_state)); });
  row("output buffer", [&](const Column& c) { return Size(sum(c, &DeviceMemory::output)); });
  row("compute buffers", [&](const Column& c) { return Size(sum(c, &DeviceMemory::compute)); });
  row("total CPU (RAM)", [](const Column& c) { return Size(c.estimate.HostTotal()); });
  if (first.devices.size() > 1) {
    row("total GPU", [](const Column& c) { return Size(c.estimate.devices.size() > 1 ? c.estimate.devices[1].Total() : 0); });
  }
  if (cols.front().has_fit) {
    row("fits", [](const Column& c) { return std::string(c.fit.fits ? "yes" : "NO") + " (" + Size(c.fit.needed_bytes) + " of " + Size(c.fit.available_bytes) + ")"; });
    row("max ctx @ parallel", [](const Column& c) { return std::to_string(c.fit.max_context); });
    row("max parallel @ ctx", [](const Column& c) { return std::to_string(c.fit.max_parallel); });
    row("instances per host", [](const Column& c) { return std::to_string(c.fit.instances_per_host); });
    row("decode tok/s ≤ (1 seq)", [](const Column& c) { return Num(c.fit.decode_tokens_per_s); });
    row("decode tok/s ≤ (all)", [](const Column& c) { return Num(c.fit.decode_tokens_per_s_all); });
    row("prefill tok/s ≤", [](const Column& c) { return c.fit.prefill_tokens_per_s > 0 ? Num(c.fit.prefill_tokens_per_s, "%.0f") : "?"; });
  }
  if (cols.front().has_fleet) {
    row("fleet: hosts", [](const Column& c) { return c.has_fleet ? std::to_string(c.fleet.hosts) : "-"; });
    row("fleet: instances", [](const Column& c) { return c.has_fleet ? std::to_string(c.fleet.instances) : "-"; });
    row("fleet: utilisation", [](const Column& c) { return c.has_fleet ? Num(c.fleet.utilisation * 100, "%.0f %%") : "-"; });
    row("energy kWh/month", [&](const Column& c) {
      if (hw != nullptr && hw->watts <= 0) return std::string("? (profile has no power figure)");
      return c.has_fleet ? Num(c.fleet.energy_kwh_per_month, "%.0f") + " (max " + Num(c.fleet.energy_kwh_per_month_provisioned, "%.0f") + ")" : "-";
    });
  }
  size_t w0 = 0;
  std::vector<size_t> widths(cols.size(), 0);
  for (const auto& [name, cells] : rows) {
    w0 = std::max(w0, name.size());
    for (size_t i = 0; i < cells.size(); ++i) widths[i] = std::max(widths[i], cells[i].size());
  }
  for (const auto& [name, cells] : rows) {
    std::printf("%-*s", static_cast<int>(w0 + 2), name.c_str());
    for (size_t i = 0; i < cells.size(); ++i) std::printf("  %*s", static_cast<int>(widths[i]), cells[i].c_str());
    std::printf("\n");
  }
  for (const auto& c : cols) {
    for (const auto& w : c.estimate.warnings) std::printf("warning (%s): %s\n", c.label.c_str(), w.c_str());
  }
}

Status RunVerify(const PlanCliOptions& c, const PlanOptions& o) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& path : c.models) {
    KOLIBRI_ASSIGN_OR_RETURN(const VerifyReport r, VerifyEstimate(path, c.loras, o));
    if (c.json) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& row : r.rows) {
        rows.push_back({{"component", row.component}, {"estimate", row.estimate}, {"actual", row.actual},
                        {"error_percent", row.ErrorPercent()}});
      }
      all.push_back({{"model", path}, {"rows", rows}, {"peak_rss_bytes", r.actual.peak_rss_bytes},
                     {"n_ctx", r.actual.n_ctx}, {"flash_attn", r.actual.flash_attn}});
      continue;
    }
    std::printf("%s — estimate vs. llama.cpp (n_ctx %u, flash-attn %s)\n", path.c_str(), r.actual.n_ctx,
                r.actual.flash_attn ? "on" : "off");
    std::printf("  %-18s %14s %14s %9s\n", "component", "estimate", "actual", "error");
    for (const auto& row : r.rows) {
      std::printf("  %-18s %14s %14s %+8.2f%%\n", row.component.c_str(), Size(row.estimate).c_str(),
                  Size(row.actual).c_str(), row.ErrorPercent());
    }
    for (const auto& b : r.actual.buffers) {
      std::printf("    llama.cpp %-12s model %s, context %s, compute %s\n", b.buffer_type.c_str(),
                  Size(b.model).c_str(), Size(b.context).c_str(), Size(b.compute).c_str());
    }
    std::printf("  peak RSS %s (mapped weights count only once touched)\n", Size(r.actual.peak_rss_bytes).c_str());
  }
  if (c.json) std::printf("%s\n", all.dump(2).c_str());
  return Status::Ok();
}

Status RunPlan(const PlanCliOptions& c) {
  if (c.list_hardware) {
    for (const auto& p : HardwareCatalogue()) {
      std::printf("%-16s %s; %.0f GB/s%s\n", p.name.c_str(), p.description.c_str(), p.ram_bandwidth_gbs,
                  p.gpus.empty() ? "" : (", GPU " + Num(p.gpus[0].bandwidth_gbs, "%.0f") + " GB/s").c_str());
    }
    return Status::Ok();
  }
  if (c.models.empty()) return Status::InvalidArgument("give at least one MODEL.gguf (or --list-hardware)");
  KOLIBRI_ASSIGN_OR_RETURN(PlanOptions o, ToPlanOptions(c));
  if (c.verify) return RunVerify(c, o);

  std::unique_ptr<HardwareProfile> hw;
  if (c.probe && !c.hardware.empty()) return Status::InvalidArgument("use either --hardware or --probe");
  if (c.probe) {
    KOLIBRI_ASSIGN_OR_RETURN(HardwareProfile p, ProbeHardware());
    p.cpu = MatchThisBuild(o).cpu;  // this machine runs this build's kernels
    hw = std::make_unique<HardwareProfile>(std::move(p));
  } else if (!c.hardware.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(HardwareProfile p, ResolveHardwareProfile(c.hardware));
    hw = std::make_unique<HardwareProfile>(std::move(p));
  }
  o = hw ? o : MatchThisBuild(o);
  if (hw) o.cpu = hw->cpu;
  if (c.requests_per_day > 0 && !hw) return Status::InvalidArgument("--requests-per-day needs --hardware or --probe");

  std::vector<GgufFile> loras;
  for (const auto& p : c.loras) {
    KOLIBRI_ASSIGN_OR_RETURN(GgufFile lora, GgufFile::Open(p));
    loras.push_back(std::move(lora));
  }
  std::vector<Column> cols;
  for (const auto& path : c.models) {
    KOLIBRI_ASSIGN_OR_RETURN(const GgufFile model, GgufFile::Open(path));
    std::vector<std::pair<std::string, GgufFile>> variants;
    const std::string base = model.GetString("general.name").value_or(path);
    if (c.compare_quants) {
      for (QuantScheme s : AllQuantSchemes()) {
        KOLIBRI_ASSIGN_OR_RETURN(GgufFile v, RetypeForScheme(model, s));
        variants.emplace_back(base + " " + QuantSchemeName(s), std::move(v));
      }
    } else {
      variants.emplace_back(base, model);
    }
    for (const auto& [label, file] : variants) {
      Column col;
      col.label = label;
      KOLIBRI_ASSIGN_OR_RETURN(col.estimate, EstimateMemory(file, loras, o));
      if (hw) {
        KOLIBRI_ASSIGN_OR_RETURN(col.fit, PlanFit(file, loras, o, *hw));
        col.has_fit = true;
        if (c.requests_per_day > 0 && col.fit.fits) {
          Workload w{c.requests_per_day, c.prompt_tokens, c.output_tokens, c.peak_factor};
          KOLIBRI_ASSIGN_OR_RETURN(col.fleet, SizeFleet(col.fit, o, *hw, w));
          col.has_fleet = true;
        }
      }
      cols.push_back(std::move(col));
    }
  }
  if (c.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& col : cols) out.push_back(ColumnJson(col));
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    PrintTable(cols, o, hw.get());
  }
  return Status::Ok();
}

}  // namespace

void RegisterPlanCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<PlanCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "plan", "Memory, fit and speed bounds of GGUF models from their headers (llama.cpp de3ff815 sizing)");
  cmd->add_option("models", o->models, "GGUF model files (several: side by side)");
  cmd->add_option("--ctx", o->ctx, "Total KV-cache tokens over all sequences, as in `kolibri serve`")->capture_default_str();
  cmd->add_option("--parallel", o->parallel, "Concurrent sequences")->capture_default_str();
  cmd->add_option("--kv-type", o->kv_type, "KV cache type: f16, q8_0, q4_0 (also f32, bf16, q4_1, q5_0, q5_1, iq4_nl)")->capture_default_str();
  cmd->add_option("--batch", o->batch, "Logical batch size (n_batch)")->capture_default_str();
  cmd->add_option("--ubatch", o->ubatch, "Physical batch size (n_ubatch); sizes the compute buffers")->capture_default_str();
  cmd->add_option("--gpu-layers", o->gpu_layers, "Layers offloaded to the GPU (as llama.cpp counts them: the output layer first, then the last blocks)")->capture_default_str();
  cmd->add_option("--flash-attn", o->flash_attn, "auto, on or off")->capture_default_str();
  cmd->add_option("--swa-cache", o->swa_cache, "Sliding-window layers: full (llama.cpp default) or window")->capture_default_str();
  cmd->add_flag("--kv-unified", o->kv_unified, "One KV stream shared by all sequences");
  cmd->add_flag("--no-mmap", o->no_mmap, "Weights read into memory instead of mapped");
  cmd->add_option("--lora", o->loras, "LoRA adapter GGUF (repeatable)");
  cmd->add_option("--hardware", o->hardware, "Hardware profile: a built-in name (see --list-hardware) or a YAML file");
  cmd->add_flag("--probe", o->probe, "Fit to this machine (RAM, cores, copy bandwidth measured)");
  cmd->add_flag("--list-hardware", o->list_hardware, "List the built-in hardware profiles");
  cmd->add_option("--requests-per-day", o->requests_per_day, "Workload to size a fleet for (needs --hardware/--probe)");
  cmd->add_option("--prompt-tokens", o->prompt_tokens, "Prompt tokens per request")->capture_default_str();
  cmd->add_option("--output-tokens", o->output_tokens, "Output tokens per request")->capture_default_str();
  cmd->add_option("--peak-factor", o->peak_factor, "Peak over average request rate")->capture_default_str();
  cmd->add_flag("--compare-quants", o->compare_quants, "Also show each model re-typed to f16, q8_0, q4_k_m, q4_0");
  cmd->add_flag("--verify", o->verify, "Load the model with llama.cpp and compare estimate with actual allocation");
  cmd->add_flag("--json", o->json, "Machine-readable output");
  cmd->callback([run, o] { *run = [o] { return RunPlan(*o); }; });
}

}  // namespace kolibri::cli
