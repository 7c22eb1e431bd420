// `kolibri run WORKER.yaml --input PATH|URL`: a worker over a directory of .eml files, an mbox,
// a Maildir or an IMAP mailbox (imap[s]://USER@HOST[:PORT]/MAILBOX, read-only), with a progress bar on a terminal (plain lines otherwise), results as JSONL,
// resumable (a rerun continues and never processes a message id twice). Ctrl-C stops
// starting new mails, lets the ones in flight finish and prints the summary. --watch keeps
// scanning the input (polling the mailbox for new UIDs) for new mail until Ctrl-C, SIGTERM or --watch-for seconds.
// Exit status: 0 all done; 1 interrupted, or results the webhook did not take; 4 some mails
// could not be processed (the summary lists them; every other mail is done); 2/3 a bad
// worker file, option, input or model.
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "kolibri/worker/run_worker.h"

namespace kolibri::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnInterrupt(int) {
  g_stop.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

struct RunCliOptions {
  std::string worker;
  worker::WorkerRunOptions run;
  bool json = false;
  bool watch = false;
  double watch_interval_s = 2;
};

std::string Duration(double seconds) {
  char buf[32];
  const long s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  return buf;
}

class Progress {
 public:
  explicit Progress(bool tty) : tty_(tty) {}
  void Start(int64_t todo, int64_t done_before) {
    todo_ = todo;
    t0_ = std::chrono::steady_clock::now();
    std::fprintf(stderr, "kolibri run: %lld mails to process (%lld done by earlier runs)\n",
                 static_cast<long long>(todo), static_cast<long long>(done_before));
  }
  void Item(int64_t finished, const worker::ItemReport& item) {
    if (item.outcome == worker::ItemOutcome::kAnswered || item.outcome == worker::ItemOutcome::kReview) ++processed_;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    const double per_min = secs > 0 ? processed_ * 60.0 / secs : 0;
    const int64_t left = todo_ - processed_;
    const std::string eta = per_min > 0 && left > 0 ? Duration(left * 60.0 / per_min) : "-";
    const bool problem = item.outcome == worker::ItemOutcome::kFailed ||
                         (item.outcome == worker::ItemOutcome::kSkipped && item.reason.starts_with("dup"));
    if (tty_) {
      if (problem) {
        std::fprintf(stderr, "\r\033[K%s: %s: %s\n", std::string(worker::ItemOutcomeName(item.outcome)).c_str(),
                     item.source.c_str(), item.reason.c_str());
      }
      if (item.outcome == worker::ItemOutcome::kSkipped && !problem) return;
      const int width = 30;
      const int filled = todo_ > 0 ? static_cast<int>(width * processed_ / todo_) : width;
      std::fprintf(stderr, "\r\033[K[%s%s] %lld/%lld mails  %.1f mails/min  ETA %s", std::string(filled, '#').c_str(),
                   std::string(width - filled, '.').c_str(), static_cast<long long>(processed_),
                   static_cast<long long>(todo_), per_min, eta.c_str());
      std::fflush(stderr);
      return;
    }
    if (item.outcome == worker::ItemOutcome::kSkipped && !problem) return;
    std::fprintf(stderr, "%lld %s %s %s%s%s (%lld/%lld, %.1f mails/min, ETA %s)\n", static_cast<long long>(finished),
                 std::string(worker::ItemOutcomeName(item.outcome)).c_str(), item.id.c_str(), item.source.c_str(),
                 item.reason.empty() ? "" : ": ", item.reason.c_str(), static_cast<long long>(processed_),
                 static_cast<long long>(todo_), per_min, eta.c_str());
  }
  void End() {
    if (tty_) std::fprintf(stderr, "\n");
  }

 private:
  bool tty_;
  int64_t todo_ = 0;
  int64_t processed_ = 0;
  std::chrono::steady_clock::time_point t0_;
};

void PrintSummary(const worker::RunSummary& s) {
  std::printf("%s\n", s.interrupted ? "interrupted (rerun the same command to continue)" : "done");
  std::printf("  mails found       %6lld\n", static_cast<long long>(s.items));
  std::printf("  processed         %6lld  (answered %lld, to review %lld)\n", static_cast<long long>(s.processed),
              static_cast<long long>(s.answered), static_cast<long long>(s.review));
  std::printf("  skipped           %6lld  (done earlier or duplicate id)\n", static_cast<long long>(s.skipped));
  std::printf("  failed            %6lld\n", static_cast<long long>(s.failed));
  for (const auto& p : s.problems) {
    std::printf("    %-7s %s: %s\n", std::string(worker::ItemOutcomeName(p.outcome)).c_str(), p.source.c_str(),
                p.reason.c_str());
  }
  if (!s.step_tiers.empty()) {
    std::printf("  answered by tier:");
    for (const auto& [k, n] : s.step_tiers) std::printf(" %s=%lld", k.c_str(), static_cast<long long>(n));
    std::printf("\n");
  }
  const double rate = s.seconds > 0 ? s.processed * 60.0 / s.seconds : 0;
  std::printf("  time              %.1f s (%.1f mails/min)\n", s.seconds, rate);
  std::printf("  results           %s\n  state             %s\n", s.results_path.c_str(), s.state_path.c_str());
  if (s.delivered > 0 || s.undelivered > 0) {
    std::printf("  webhook           %6lld delivered, %lld waiting\n", static_cast<long long>(s.delivered),
                static_cast<long long>(s.undelivered));
  }
  for (const auto& n : s.notes) std::printf("  note: %s\n", n.c_str());
}

Status RunRun(RunCliOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(worker::WorkerConfig config, worker::LoadWorkerFile(o.worker));
  Progress progress(::isatty(STDERR_FILENO) != 0);
  worker::WorkerRunHooks hooks;
  hooks.on_start = [&](int64_t todo, int64_t before) { progress.Start(todo, before); };
  hooks.on_item = [&](int64_t finished, const worker::ItemReport& item) { progress.Item(finished, item); };
  g_stop.store(false);
  o.run.stop = &g_stop;
  o.run.watch_interval_s = o.watch ? o.watch_interval_s : 0;
  if (const char* pw = std::getenv("KOLIBRI_IMAP_PASSWORD"); pw != nullptr) o.run.imap.password = pw;
  if (o.watch) std::signal(SIGTERM, OnInterrupt);
  auto previous = std::signal(SIGINT, OnInterrupt);
  auto summary = worker::RunWorker(config, o.run, hooks);
  std::signal(SIGINT, previous);
  progress.End();
  if (!summary.ok()) return summary.status();
  if (o.json) std::printf("%s\n", summary->ToJson().dump().c_str());
  else PrintSummary(*summary);
  if (summary->interrupted) return Status::Cancelled("interrupted; rerun the same command to continue");
  if (summary->undelivered > 0) {
    return Status::Unavailable(std::to_string(summary->undelivered) + " results not delivered to " +
                               o.run.webhook.url + " (" + summary->delivery_error +
                               "); a rerun delivers them, each once");
  }
  if (summary->failed > 0) {
    return Status::Corrupt(std::to_string(summary->failed) + " of " + std::to_string(summary->items) +
                           " mails could not be processed (listed in the summary); the rest are done and a "
                           "rerun tries only these again");
  }
  return Status::Ok();
}

}  // namespace

void RegisterRunCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<RunCliOptions>();
  CLI::App* cmd = root.add_subcommand("run", "Run a worker (worker.yaml) over a directory of .eml files, an mbox, "
                                             "a Maildir or an IMAP mailbox; resumable");
  cmd->add_option("worker", o->worker, "The worker file (YAML)")->required();
  cmd->add_option("--input", o->run.input,
                  "A directory of .eml files, an mbox file, a Maildir, one .eml, or an IMAP mailbox "
                  "imaps://USER@HOST[:PORT]/MAILBOX (read-only; password from --imap-password-file or "
                  "KOLIBRI_IMAP_PASSWORD)")
      ->required();
  cmd->add_option("--imap-password-file", o->run.imap.password_file,
                  "File whose first line is the IMAP password (else the KOLIBRI_IMAP_PASSWORD environment variable)");
  cmd->add_flag("--imap-insecure", o->run.imap.insecure,
                "Accept any TLS certificate from the IMAP server (self-signed test servers only)");
  cmd->add_option("--imap-timeout", o->run.imap.timeout_s, "Seconds each IMAP command may take (connecting: "
                  "--imap-connect-timeout)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--imap-connect-timeout", o->run.imap.connect_timeout_s,
                  "Seconds for connecting to and logging in at the IMAP server")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 600.0));
  cmd->add_option("--out", o->run.results_path, "Results JSONL (default: the worker's output.results)");
  cmd->add_option("--state", o->run.state_path,
                  "State database of processed message ids (default: the worker's output.state)");
  cmd->add_option("--parallel", o->run.parallel, "Mails in flight at once (fed to the scheduler's batching)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("-m,--model", o->run.pipeline.model, "A .gguf model for the slm tier instead of the worker's");
  cmd->add_option("--review-db", o->run.pipeline.review_db, "Review queue database instead of the worker's");
  cmd->add_option("--skip-tier", o->run.pipeline.skip_tiers,
                  "Leave a model alias out of every cascade (e.g. an unreachable upstream); repeatable");
  cmd->add_option("--limit", o->run.limit, "Process at most this many new mails")->check(CLI::Range(0, 1 << 30));
  cmd->add_option("-c,--ctx", o->run.pipeline.context, "Context tokens per sequence (default: the worker's)")
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_option("-t,--threads", o->run.pipeline.threads, "llama.cpp threads, 0 = all cores")
      ->check(CLI::Range(0, 1024));
  cmd->add_flag("--watch", o->watch,
                "Keep running: scan the directory or Maildir (poll the IMAP mailbox) again and process new mail "
                "as it arrives (Ctrl-C or SIGTERM ends it)");
  cmd->add_option("--watch-interval", o->watch_interval_s, "Seconds between scans with --watch")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 86400.0));
  cmd->add_option("--watch-for", o->run.watch_for_s, "With --watch: stop after this many seconds (0 = never)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--webhook", o->run.webhook.url,
                  "POST each result (JSON) to this URL, exactly once per message id across runs "
                  "(Idempotency-Key header; retries with backoff)");
  cmd->add_option("--webhook-attempts", o->run.webhook.max_attempts, "Tries per result and run")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_flag("--json", o->json, "Print the summary as one JSON object");
  cmd->add_flag("-v,--verbose", o->run.pipeline.verbose, "Show llama.cpp's log (-v warnings, -vv everything)");
  cmd->callback([run, o] { *run = [o] { return RunRun(*o); }; });
}

}  // namespace kolibri::cli
