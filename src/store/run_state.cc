#include "kolibri/run_state.h"

#include <chrono>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>

#include "store/sqlite_schema.h"

namespace kolibri {
namespace {

constexpr int64_t kApplicationId = 0x4B4C5253;  // "KLRS"
// kMigrations[i] moves the schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE IF NOT EXISTS run_items (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '',
  result_json TEXT NOT NULL,
  finished_at INTEGER NOT NULL
);
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS run_deliveries (
  id TEXT NOT NULL,
  target TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  delivered_at INTEGER NOT NULL,
  PRIMARY KEY (id, target)
);
)sql"};
constexpr store::SqliteSchema kSchema{.kind = "run state",
                                      .application_id = kApplicationId,
                                      .migrations = kMigrations,
                                      .version = static_cast<int>(std::size(kMigrations)),
                                      .legacy_table = "run_items"};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct RunState::Impl {
  store::Connection db;
  std::mutex mu;
  // Rows of (id, source, status, result_json, finished_at).
  static Result<std::vector<RunStateItem>> ReadItems(store::Statement& s) {
    std::vector<RunStateItem> items;
    for (;;) {
      KOLIBRI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      items.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4)});
    }
    return items;
  }
};

RunState::RunState(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunState::~RunState() = default;

Result<std::unique_ptr<RunState>> RunState::Open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  KOLIBRI_RETURN_IF_ERROR(store::OpenSqliteStore(&impl->db, path, kSchema, {.busy_timeout_ms = 5000}));
  return std::unique_ptr<RunState>(new RunState(std::move(impl)));
}

Result<bool> RunState::IsDone(const std::string& id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  KOLIBRI_ASSIGN_OR_RETURN(store::Statement s, impl_->db.Prepare("SELECT 1 FROM run_items WHERE id = ?1"));
  s.Bind(1, id);
  return s.Step();
}

Status RunState::MarkDone(const RunStateItem& item) {
  if (item.id.empty()) return Status::InvalidArgument("run state: an item needs an id");
  if (!nlohmann::json::accept(item.result_json.begin(), item.result_json.end())) {
    return Status::InvalidArgument("run state: the result of '" + item.id + "' is not JSON");
  }
  const int64_t now = item.finished_at != 0 ? item.finished_at : NowMs();
  std::lock_guard<std::mutex> lock(impl_->mu);
  KOLIBRI_ASSIGN_OR_RETURN(store::Statement exists, impl_->db.Prepare("SELECT 1 FROM run_items WHERE id = ?1"));
  exists.Bind(1, item.id);
  KOLIBRI_ASSIGN_OR_RETURN(bool done, exists.Step());
  if (done) return Status::AlreadyExists("run state: item '" + item.id + "' is already done");
  KOLIBRI_ASSIGN_OR_RETURN(
      store::Statement s,
      impl_->db.Prepare("INSERT INTO run_items (id, source, status, result_json, finished_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
  s.Bind(1, item.id).Bind(2, item.source).Bind(3, item.status).Bind(4, item.result_json).Bind(5, now);
  return s.Run();
}

Result<std::vector<RunStateItem>> RunState::Done() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  KOLIBRI_ASSIGN_OR_RETURN(
      store::Statement s,
      impl_->db.Prepare("SELECT id, source, status, result_json, finished_at FROM run_items ORDER BY seq"));
  return Impl::ReadItems(s);
}

Status RunState::MarkDelivered(const std::string& id, const std::string& target, int32_t attempts) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  KOLIBRI_ASSIGN_OR_RETURN(store::Statement exists,
                           impl_->db.Prepare("SELECT 1 FROM run_deliveries WHERE id = ?1 AND target = ?2"));
  exists.Bind(1, id).Bind(2, target);
  KOLIBRI_ASSIGN_OR_RETURN(bool done, exists.Step());
  if (done) return Status::AlreadyExists("run state: '" + id + "' is already delivered to " + target);
  KOLIBRI_ASSIGN_OR_RETURN(
      store::Statement s,
      impl_->db.Prepare("INSERT INTO run_deliveries (id, target, attempts, delivered_at) VALUES (?1, ?2, ?3, ?4)"));
  s.Bind(1, id).Bind(2, target).Bind(3, static_cast<int64_t>(attempts)).Bind(4, NowMs());
  return s.Run();
}

Result<std::vector<RunStateItem>> RunState::Undelivered(const std::string& target) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  KOLIBRI_ASSIGN_OR_RETURN(store::Statement s,
                           impl_->db.Prepare("SELECT id, source, status, result_json, finished_at FROM run_items "
                                             "WHERE id NOT IN (SELECT id FROM run_deliveries WHERE target = ?1) "
                                             "ORDER BY seq"));
  s.Bind(1, target);
  return Impl::ReadItems(s);
}

}  // namespace kolibri
