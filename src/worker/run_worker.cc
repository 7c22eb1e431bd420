// A worker over a mail source with resumable state. See kolibri/worker/run_worker.h.
#include "kolibri/worker/run_worker.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "kolibri/run_state.h"

namespace kolibri::worker {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Rewrites `path` so that it holds each done item's result exactly once, in the order the
// state recorded them. Lines of ids the state does not know are dropped too: they can only
// come from a run whose state commit did not happen.
Status ReconcileResults(const std::string& path, const std::vector<RunStateItem>& done) {
  std::error_code ec;
  if (done.empty() && !fs::exists(path, ec)) return Status::Ok();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IoError("cannot write " + tmp);
    for (const auto& item : done) out << item.result_json << "\n";
    out.flush();
    if (!out) return Status::IoError("cannot write " + tmp);
  }
  fs::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot replace " + path + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

std::string_view ItemOutcomeName(ItemOutcome o) {
  switch (o) {
    case ItemOutcome::kAnswered: return "answered";
    case ItemOutcome::kReview: return "review";
    case ItemOutcome::kSkipped: return "skipped";
    case ItemOutcome::kFailed: return "failed";
  }
  return "failed";
}

json RunSummary::ToJson() const {
  json problem_list = json::array();
  for (const auto& p : problems) {
    problem_list.push_back(
        {{"id", p.id}, {"source", p.source}, {"outcome", ItemOutcomeName(p.outcome)}, {"reason", p.reason}});
  }
  return {{"items", items},         {"processed", processed}, {"answered", answered},
          {"review", review},       {"skipped", skipped},     {"failed", failed},
          {"problems", problem_list}, {"step_tiers", step_tiers}, {"interrupted", interrupted},
          {"delivered", delivered}, {"undelivered", undelivered}, {"delivery_error", delivery_error},
          {"seconds", seconds},     {"load_seconds", load_seconds}, {"results", results_path}, {"state", state_path},
          {"notes", notes}};
}

Result<RunSummary> RunWorker(const WorkerConfig& config, const WorkerRunOptions& options,
                             const WorkerRunHooks& hooks) {
  const auto t0 = std::chrono::steady_clock::now();
  RunSummary summary;
  summary.results_path = options.results_path.empty() ? config.results_path : options.results_path;
  if (summary.results_path.empty()) {
    return Status::InvalidArgument("no results file: pass --out or set output.results in " + config.path);
  }
  summary.state_path = !options.state_path.empty() ? options.state_path
                       : !config.state_path.empty() ? config.state_path
                                                    : summary.results_path + ".state.sqlite";
  if (options.parallel < 1) return Status::InvalidArgument("parallel must be at least 1");
  if (options.watch_interval_s < 0 || options.watch_for_s < 0) {
    return Status::InvalidArgument("watch interval and duration must not be negative");
  }
  std::vector<MailItem> items;
  std::unique_ptr<ImapMailSource> imap;
  if (IsImapInput(options.input)) {
    KOLIBRI_ASSIGN_OR_RETURN(imap, ImapMailSource::Open(options.input, options.imap));
  } else {
    KOLIBRI_ASSIGN_OR_RETURN(items, ReadMailSource(options.input));
  }

  std::error_code ec;
  for (const std::string& p : {summary.results_path, summary.state_path}) {
    const fs::path parent = fs::path(p).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
  }
  KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<RunState> state, RunState::Open(summary.state_path));
  KOLIBRI_ASSIGN_OR_RETURN(std::vector<RunStateItem> done, state->Done());
  KOLIBRI_RETURN_IF_ERROR(ReconcileResults(summary.results_path, done));
  std::set<std::string> done_ids;
  for (const auto& d : done) done_ids.insert(d.id);
  // IMAP: new UIDs only; the sources of finished results name the UIDs done earlier.
  int64_t mailbox_size = 0;
  bool first_poll = true;
  auto poll_imap = [&]() -> Status {
    std::set<std::string> done_sources;  // later polls know every UID from the first
    if (first_poll) {
      for (const auto& d : done) done_sources.insert(d.source);
      first_poll = false;
    }
    KOLIBRI_ASSIGN_OR_RETURN(ImapPoll poll, imap->Poll(done_sources));
    items = std::move(poll.items);
    mailbox_size = poll.uids;
    summary.skipped += poll.known;
    return Status::Ok();
  };
  if (imap != nullptr) KOLIBRI_RETURN_IF_ERROR(poll_imap());

  const bool watch = options.watch_interval_s > 0;
  const auto watch_end = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(options.watch_for_s));
  auto stopped = [&] { return options.stop != nullptr && options.stop->load(); };
  std::unique_ptr<WorkerPipeline> pipeline;  // loaded when the first mail needs it
  std::set<std::string> reported;            // problems reported by an earlier pass (watch)
  std::mutex mu;  // guards summary, the results file and the hooks
  int64_t finished = 0;
  auto report = [&](const ItemReport& r) {  // called with mu held
    ++finished;
    switch (r.outcome) {
      case ItemOutcome::kAnswered: ++summary.answered; ++summary.processed; break;
      case ItemOutcome::kReview: ++summary.review; ++summary.processed; break;
      case ItemOutcome::kSkipped: ++summary.skipped; break;
      case ItemOutcome::kFailed: ++summary.failed; break;
    }
    if (r.outcome == ItemOutcome::kFailed || (r.outcome == ItemOutcome::kSkipped && r.reason.starts_with("dup"))) {
      summary.problems.push_back(r);
    }
    if (hooks.on_item) hooks.on_item(finished, r);
  };

  for (int pass = 0;; ++pass) {
    if (pass > 0) {
      // Watching: wait for the next scan, then read the source again.
      const auto next_scan = std::chrono::steady_clock::now() +
                             std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(options.watch_interval_s));
      while (!stopped() && std::chrono::steady_clock::now() < next_scan &&
             (options.watch_for_s <= 0 || std::chrono::steady_clock::now() < watch_end)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (stopped() || (options.watch_for_s > 0 && std::chrono::steady_clock::now() >= watch_end)) break;
      if (imap != nullptr) {
        KOLIBRI_RETURN_IF_ERROR(poll_imap());
      } else {
        KOLIBRI_ASSIGN_OR_RETURN(items, ReadMailSource(options.input));
      }
    }
    summary.items = std::max(summary.items, imap != nullptr ? mailbox_size : static_cast<int64_t>(items.size()));

    // Decide every item's fate up front; only `todo` reach the model. Later passes report
    // only what is new (a mail still being written is reported again once it changes).
    std::vector<const MailItem*> todo;
    std::vector<ItemReport> early;
    std::set<std::string> seen;
    for (const MailItem& m : items) {
      if (!m.problem.empty()) {
        if (reported.insert(m.source + "\n" + m.problem).second) {
          early.push_back({m.id, m.source, ItemOutcome::kFailed, m.problem});
        }
      } else if (!seen.insert(m.id).second) {
        if (reported.insert(m.source + "\ndup").second) {
          early.push_back({m.id, m.source, ItemOutcome::kSkipped, "duplicate message id (processed once)"});
        }
      } else if (done_ids.count(m.id)) {
        if (pass == 0) early.push_back({m.id, m.source, ItemOutcome::kSkipped, "done by an earlier run"});
      } else if (options.limit <= 0 || summary.processed + static_cast<int64_t>(todo.size()) < options.limit) {
        todo.push_back(&m);
      }
    }
    if (hooks.on_start && (pass == 0 || !todo.empty())) {
      hooks.on_start(static_cast<int64_t>(todo.size()), static_cast<int64_t>(done_ids.size()));
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& r : early) report(r);
    }
    if (!todo.empty() && pipeline == nullptr) {
      PipelineOptions po = options.pipeline;
      if (po.parallel <= 0) po.parallel = options.parallel;
      const auto load0 = std::chrono::steady_clock::now();
      KOLIBRI_ASSIGN_OR_RETURN(pipeline, WorkerPipeline::Create(config, po));
      summary.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - load0).count();
      summary.notes = pipeline->notes();
    }
    if (!todo.empty()) {
      std::FILE* out = std::fopen(summary.results_path.c_str(), "ab");
      if (out == nullptr) return Status::IoError("cannot append to " + summary.results_path);
      Status fatal;
      std::atomic<size_t> next{0};
      auto work = [&] {
        for (;;) {
          if (stopped()) return;
          {
            std::lock_guard<std::mutex> lock(mu);
            if (!fatal.ok()) return;
          }
          const size_t i = next.fetch_add(1);
          if (i >= todo.size()) return;
          const MailItem& mail = *todo[i];
          Result<MailResult> r = pipeline->Process(mail);
          std::lock_guard<std::mutex> lock(mu);
          if (!r.ok()) {
            report({mail.id, mail.source, ItemOutcome::kFailed, r.status().message()});
            continue;
          }
          const std::string line = r->ToJson().dump(-1, ' ', false, json::error_handler_t::replace);
          // The state commit is what makes the mail done; the line follows (see ReconcileResults).
          Status s = state->MarkDone({mail.id, mail.source, r->status, line, 0});
          if (!s.ok()) {
            fatal = s;
            return;
          }
          done_ids.insert(mail.id);
          if (std::fwrite(line.data(), 1, line.size(), out) != line.size() || std::fputc('\n', out) == EOF ||
              std::fflush(out) != 0) {
            fatal = Status::IoError("cannot write " + summary.results_path);
            return;
          }
          for (const auto& step : r->steps) {
            if (step.answered) ++summary.step_tiers[step.id + "/" + step.tier];
          }
          if (hooks.on_result) hooks.on_result(*r);
          report({mail.id, mail.source, r->status == "answered" ? ItemOutcome::kAnswered : ItemOutcome::kReview, ""});
        }
      };
      std::vector<std::thread> threads;
      for (int32_t t = 0; t < options.parallel; ++t) threads.emplace_back(work);
      for (auto& t : threads) t.join();
      std::fclose(out);
      KOLIBRI_RETURN_IF_ERROR(fatal);
      if (next.load() < todo.size()) summary.interrupted = true;
    }
    if (!options.webhook.url.empty() && !stopped()) {
      KOLIBRI_ASSIGN_OR_RETURN(DeliveryReport d, DeliverResults(*state, options.webhook, options.stop));
      summary.delivered += d.delivered;
      summary.undelivered = d.pending;
      if (!d.last_error.empty()) summary.delivery_error = d.last_error;
    }
    if (!watch || summary.interrupted || stopped() || (options.limit > 0 && summary.processed >= options.limit)) break;
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace kolibri::worker
