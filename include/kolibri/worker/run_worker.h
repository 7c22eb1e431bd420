// RunWorker: a worker over a whole mail source (`kolibri run`), resumable and idempotent.
//
// Items are read with ReadMailSource, or from an IMAP mailbox (ImapMailSource: only UIDs no
// finished result names are fetched); each usable one goes through a WorkerPipeline on one
// of `parallel` threads (so that many mails' requests meet in the scheduler's batches).
// When a mail is done, its result is committed to the state database (RunState, keyed by
// message id) and then appended as one line to the results JSONL. A rerun skips every id
// the state holds; at start it rewrites the JSONL from what is there — dropping a torn last
// line and duplicates, adding results the state has but the file missed (a kill between
// the two writes) — so the file holds every finished message id exactly once.
//
// Bad items (corrupt, not an e-mail, empty body, invalid UTF-8, a Message-ID seen twice) are
// reported through the hooks and counted; they never stop the run and are not marked done
// (a rerun reports them again). With watch_interval_s the run keeps scanning the source
// (one model load for the whole run; an IMAP mailbox is polled for new UIDs); `interrupted` then means a stop with mails in flight
// or left in a pass, never the end of watching.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kolibri/status.h"
#include "kolibri/worker/imap_source.h"
#include "kolibri/worker/webhook.h"
#include "kolibri/worker/worker_config.h"
#include "kolibri/worker/worker_pipeline.h"

namespace kolibri::worker {

struct WorkerRunOptions {
  std::string input;          // a directory, mbox, Maildir, .eml or imap(s):// URL (required)
  ImapSourceOptions imap;     // for an imap(s):// input: password, TLS, timeouts
  std::string results_path;   // "" = the worker's output.results (required one way or the other)
  std::string state_path;     // "" = the worker's output.state, else "<results>.state.sqlite"
  PipelineOptions pipeline;
  int32_t parallel = 1;       // mails in flight (also the scheduler's sequences unless set there)
  int64_t limit = 0;          // process at most this many new mails (0 = all)
  const std::atomic<bool>* stop = nullptr;  // set: no new mails start; in-flight ones finish
  // Watch: > 0 keeps running after the first pass and reads the source again every this many
  // seconds, processing mail that arrived (a Maildir's new/ and cur/, a directory's .eml
  // files); a problem item is reported once per reason. Stops on `stop` or after
  // watch_for_s seconds from the start (0 = until stopped).
  double watch_interval_s = 0;
  double watch_for_s = 0;
  // Results are also POSTed here (webhook.url set) after each pass, exactly once per message
  // id across runs; pending ones from earlier runs go first. See kolibri/worker/webhook.h.
  WebhookOptions webhook;
};

enum class ItemOutcome { kAnswered, kReview, kSkipped, kFailed };
std::string_view ItemOutcomeName(ItemOutcome outcome);  // "answered", "review", "skipped", "failed"

struct ItemReport {
  std::string id;
  std::string source;
  ItemOutcome outcome = ItemOutcome::kFailed;
  std::string reason;  // skipped / failed: why
};

struct RunSummary {
  int64_t items = 0;      // found in the input
  int64_t processed = 0;  // by this run (answered + review)
  int64_t answered = 0;
  int64_t review = 0;
  int64_t skipped = 0;    // done by an earlier run, or a duplicate id
  int64_t failed = 0;
  std::vector<ItemReport> problems;  // every skipped-as-duplicate and failed item
  std::map<std::string, int64_t> step_tiers;  // "step/tier" -> answered count
  bool interrupted = false;  // stopped before every item was done
  int64_t delivered = 0;      // results delivered to the webhook by this run
  int64_t undelivered = 0;    // results still waiting for the webhook (a rerun retries)
  std::string delivery_error; // the last delivery failure
  double seconds = 0;       // the whole run
  double load_seconds = 0;  // of which loading models, routers and queues
  std::string results_path;
  std::string state_path;
  std::vector<std::string> notes;  // from the pipeline
  nlohmann::json ToJson() const;
};

struct WorkerRunHooks {
  // Once the items are known: how many this run will try (after skipping done ones).
  std::function<void(int64_t todo, int64_t already_done)> on_start;
  // After each item (any outcome), with the count of items this run has finished.
  std::function<void(int64_t finished, const ItemReport& item)> on_item;
  // Every processed mail's result, on the thread that processed it (serialised).
  std::function<void(const MailResult& result)> on_result;
};

// Errors: the worker's or the source's (NotFound input, missing model), the state database's,
// and a results file that cannot be written. Item problems are never errors.
Result<RunSummary> RunWorker(const WorkerConfig& config, const WorkerRunOptions& options,
                             const WorkerRunHooks& hooks = {});

}  // namespace kolibri::worker
