// RunState: which items a batch run (`kolibri run`) has finished, with each item's result,
// so an interrupted run (Ctrl-C, kill -9, a crash) continues where it stopped and never
// processes an item twice.
//
// Storage: one SQLite database file (WAL). Table `run_items`: item id (primary key), source
// (where the item came from), status (free text, e.g. "answered", "review"), result (JSON
// text), finished_at (Unix milliseconds); table `run_deliveries`: (item id, target) of every
// result delivered somewhere, with attempts and delivered_at. MarkDone commits one row per call, so once it
// returns the item is done for every later run, whatever happens to the process.
//
// Errors: kIoError when the file cannot be opened or written, kCorrupt when it is not a
// run-state database of a known schema version, kInvalidArgument for an empty id or a result
// that is not JSON, kAlreadyExists when MarkDone names an item that is already done.
//
// Thread safety: calls may come from several threads (serialised on one connection).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kolibri/status.h"

namespace kolibri {

struct RunStateItem {
  std::string id;
  std::string source;
  std::string status;
  std::string result_json;
  int64_t finished_at = 0;
};

class RunState {
 public:
  // Opens or creates the database at `path` (":memory:" for a private one).
  static Result<std::unique_ptr<RunState>> Open(const std::string& path);
  ~RunState();
  RunState(const RunState&) = delete;
  RunState& operator=(const RunState&) = delete;

  Result<bool> IsDone(const std::string& id);
  // Records `id` as done with its result, atomically.
  Status MarkDone(const RunStateItem& item);
  // Every finished item, in the order they finished.
  Result<std::vector<RunStateItem>> Done();
  // Records that `id`'s result reached `target` (e.g. a webhook URL) after `attempts` tries;
  // AlreadyExists when it was recorded before.
  Status MarkDelivered(const std::string& id, const std::string& target, int32_t attempts);
  // Finished items whose delivery to `target` is not recorded, in the order they finished.
  Result<std::vector<RunStateItem>> Undelivered(const std::string& target);

 private:
  struct Impl;
  explicit RunState(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kolibri
