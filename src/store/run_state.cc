#include "kolibri/run_state.h"

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>

#include "store/sqlite_db.h"

namespace kolibri {
namespace {

constexpr int kSchemaVersion = 1;
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS run_items (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '',
  result_json TEXT NOT NULL,
  finished_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS run_deliveries (
  id TEXT NOT NULL,
  target TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  delivered_at INTEGER NOT NULL,
  PRIMARY KEY (id, target)
);
)sql";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using store::Stmt;

}  // namespace

struct RunState::Impl {
  sqlite3* db = nullptr;
  std::string path;
  std::mutex mu;
  ~Impl() { sqlite3_close_v2(db); }
  // Rows of (id, source, status, result_json, finished_at).
  Result<std::vector<RunStateItem>> ReadItems(Stmt& s) const {
    std::vector<RunStateItem> items;
    for (;;) {
      const int rc = s.Step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Error("cannot read");
      items.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4)});
    }
    return items;
  }
  Status Error(const std::string& what) const {
    return Status::IoError("run state '" + path + "': " + what + ": " + sqlite3_errmsg(db));
  }
};

RunState::RunState(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunState::~RunState() = default;

Result<std::unique_ptr<RunState>> RunState::Open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  KOLIBRI_RETURN_IF_ERROR(store::OpenVersioned(
      path, {.kind = "run-state", .schema = kSchema, .version = kSchemaVersion, .busy_timeout_ms = 5000}, &impl->db));
  return std::unique_ptr<RunState>(new RunState(std::move(impl)));
}

Result<bool> RunState::IsDone(const std::string& id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stmt s(impl_->db, "SELECT 1 FROM run_items WHERE id = ?1");
  KOLIBRI_RETURN_IF_ERROR(s.Prepared());
  s.Bind(1, id);
  const int rc = s.Step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return impl_->Error("cannot read");
}

Status RunState::MarkDone(const RunStateItem& item) {
  if (item.id.empty()) return Status::InvalidArgument("run state: an item needs an id");
  if (!nlohmann::json::accept(item.result_json.begin(), item.result_json.end())) {
    return Status::InvalidArgument("run state: the result of '" + item.id + "' is not JSON");
  }
  const int64_t now = item.finished_at != 0 ? item.finished_at : NowMs();
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stmt s(impl_->db,
         "INSERT INTO run_items (id, source, status, result_json, finished_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  KOLIBRI_RETURN_IF_ERROR(s.Prepared());
  s.Bind(1, item.id).Bind(2, item.source).Bind(3, item.status).Bind(4, item.result_json).Bind(5, now);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return Status::Ok();
  if (rc == SQLITE_CONSTRAINT || sqlite3_extended_errcode(impl_->db) == SQLITE_CONSTRAINT_UNIQUE) {
    return Status::AlreadyExists("run state: item '" + item.id + "' is already done");
  }
  return impl_->Error("cannot record '" + item.id + "'");
}

Result<std::vector<RunStateItem>> RunState::Done() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stmt s(impl_->db, "SELECT id, source, status, result_json, finished_at FROM run_items ORDER BY seq");
  KOLIBRI_RETURN_IF_ERROR(s.Prepared());
  return impl_->ReadItems(s);
}

Status RunState::MarkDelivered(const std::string& id, const std::string& target, int32_t attempts) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stmt s(impl_->db, "INSERT INTO run_deliveries (id, target, attempts, delivered_at) VALUES (?1, ?2, ?3, ?4)");
  KOLIBRI_RETURN_IF_ERROR(s.Prepared());
  s.Bind(1, id).Bind(2, target).Bind(3, static_cast<int64_t>(attempts)).Bind(4, NowMs());
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return Status::Ok();
  if (rc == SQLITE_CONSTRAINT || sqlite3_extended_errcode(impl_->db) == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Status::AlreadyExists("run state: '" + id + "' is already delivered to " + target);
  }
  return impl_->Error("cannot record the delivery of '" + id + "'");
}

Result<std::vector<RunStateItem>> RunState::Undelivered(const std::string& target) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stmt s(impl_->db,
         "SELECT id, source, status, result_json, finished_at FROM run_items WHERE id NOT IN "
         "(SELECT id FROM run_deliveries WHERE target = ?1) ORDER BY seq");
  KOLIBRI_RETURN_IF_ERROR(s.Prepared());
  s.Bind(1, target);
  return impl_->ReadItems(s);
}

}  // namespace kolibri
