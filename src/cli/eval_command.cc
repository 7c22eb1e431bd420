// `kolibri eval WORKER.yaml --data GOLD.jsonl --model A.gguf --model B.gguf ...`: runs the
// worker per candidate model (each replaces the worker's gguf tier), measures it on the gold
// mails against the worker file's quality bars, writes an HTML report and a JSON file, and
// names the smallest candidate that meets every bar (or says that none does).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/command.h"
#include "kolibri/worker/worker_eval.h"

namespace kolibri::cli {
namespace {

namespace fs = std::filesystem;

struct EvalCliOptions {
  std::string worker;
  worker::EvalOptions eval;
  std::string html = "kolibri-eval.html";
  std::string json_out = "kolibri-eval.json";
  bool json = false;
};

Status WriteFile(const std::string& path, const std::string& text) {
  std::error_code ec;
  if (fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

void PrintTable(const worker::EvalReport& r) {
  std::printf("%-36s %9s %9s %8s %8s %8s %7s  %s\n", "candidate", "planned", "peak RSS", "p50 ms", "p95 ms", "gen t/s",
              "escal.", "quality bar");
  for (const auto& c : r.candidates) {
    int missed = 0;
    for (const auto& b : c.bars) missed += b.ok ? 0 : 1;
    std::printf("%-36s %6.0f MiB %5.0f MiB %8.0f %8.0f %8.1f %6.1f%%  %s\n", c.name.c_str(),
                static_cast<double>(c.planner_bytes) / 1048576.0, static_cast<double>(c.peak_rss_bytes) / 1048576.0,
                c.p50_ms, c.p95_ms, c.generated_tokens_per_s, c.escalation_rate * 100,
                c.meets_bar ? "meets" : ("misses " + std::to_string(missed) + "/" + std::to_string(c.bars.size())).c_str());
  }
  std::printf("%s\n", r.recommendation.c_str());
}

Status RunEval(EvalCliOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(worker::WorkerConfig config, worker::LoadWorkerFile(o.worker));
  const fs::path work = fs::temp_directory_path() / ("kolibri-eval-" + std::to_string(::getpid()));
  o.eval.work_dir = work.string();
  auto report = worker::EvaluateWorker(config, o.eval, [](const std::string& line) {
    std::fprintf(stderr, "kolibri eval: %s\n", line.c_str());
  });
  std::error_code ec;
  fs::remove_all(work, ec);
  if (!report.ok()) return report.status();
  KOLIBRI_RETURN_IF_ERROR(WriteFile(o.html, worker::EvalReportHtml(*report)));
  KOLIBRI_RETURN_IF_ERROR(WriteFile(o.json_out, report->ToJson().dump(2) + "\n"));
  if (o.json) {
    std::printf("%s\n", report->ToJson().dump().c_str());
  } else {
    PrintTable(*report);
    std::printf("report: %s\njson:   %s\n", o.html.c_str(), o.json_out.c_str());
  }
  return Status::Ok();
}

}  // namespace

void RegisterEvalCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<EvalCliOptions>();
  CLI::App* cmd = root.add_subcommand("eval", "Evaluate a worker on gold data per candidate model and name the "
                                              "smallest that meets the worker's quality bar");
  cmd->add_option("worker", o->worker, "The worker file (YAML) with a quality: section")->required();
  cmd->add_option("--data", o->eval.data, "Gold JSONL ({\"file\": mail, gold keys...})")->required();
  cmd->add_option("-m,--model", o->eval.models, "A candidate .gguf for the worker's gguf tier; repeatable")->required();
  cmd->add_option("--limit", o->eval.limit, "Evaluate the first N gold rows only")->check(CLI::Range(0, 1 << 30));
  cmd->add_option("--parallel", o->eval.parallel, "Mails in flight per candidate")->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("-c,--ctx", o->eval.pipeline.context, "Context tokens per sequence (default: the worker's)")
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_option("-t,--threads", o->eval.pipeline.threads, "llama.cpp threads, 0 = all cores")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--skip-tier", o->eval.pipeline.skip_tiers,
                  "Leave a model alias out of every cascade (e.g. an unreachable upstream); repeatable");
  cmd->add_option("--html", o->html, "Where the HTML report goes")->capture_default_str();
  cmd->add_option("--json-out", o->json_out, "Where the JSON report goes")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the report as one JSON object instead of the table");
  cmd->callback([run, o] { *run = [o] { return RunEval(*o); }; });
}

}  // namespace kolibri::cli
