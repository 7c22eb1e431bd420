#include "kolibri/audit_log.h"

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>

#include "kolibri/sha256.h"
#include "store/sqlite_db.h"

namespace kolibri {
namespace {

constexpr int kSchemaVersion = 1;
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS audit_entries (
  id INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  request_id TEXT NOT NULL DEFAULT '',
  task TEXT NOT NULL,
  task_version TEXT NOT NULL DEFAULT '',
  input_hash TEXT NOT NULL DEFAULT '',
  tier TEXT NOT NULL,
  model TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'escalated', 'error')),
  label TEXT NOT NULL DEFAULT '',
  record_json TEXT NOT NULL DEFAULT '',
  confidence REAL NOT NULL DEFAULT 0,
  latency_ms REAL NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_entries_request ON audit_entries (request_id);
CREATE INDEX IF NOT EXISTS audit_entries_input ON audit_entries (input_hash);
)sql";

constexpr const char* kColumns =
    "id, time_ms, request_id, task, task_version, input_hash, tier, model, outcome, label, record_json, "
    "confidence, latency_ms, detail";

}  // namespace

std::string AuditInputHash(const std::string& text) { return "sha256:" + Sha256Hex(text); }

struct AuditLog::Impl {
  sqlite3* db = nullptr;
  std::string path;
  std::mutex mu;
  ~Impl() { sqlite3_close(db); }
  Status Error(const std::string& what) const {
    return Status::IoError("audit log '" + path + "': " + what + ": " + sqlite3_errmsg(db));
  }
};

AuditLog::AuditLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuditLog::~AuditLog() = default;

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path, int busy_timeout_ms) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  KOLIBRI_RETURN_IF_ERROR(store::OpenVersioned(
      path, {.kind = "audit-log", .schema = kSchema, .version = kSchemaVersion, .busy_timeout_ms = busy_timeout_ms},
      &impl->db));
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(impl)));
}

Result<int64_t> AuditLog::Append(const AuditEntry& e) {
  if (e.task.empty() || e.tier.empty()) return Status::InvalidArgument("an audit entry needs a task and a tier");
  if (e.outcome != "answered" && e.outcome != "escalated" && e.outcome != "error") {
    return Status::InvalidArgument("audit outcome must be answered, escalated or error, got '" + e.outcome + "'");
  }
  if (!e.record_json.empty() && !nlohmann::json::accept(e.record_json)) {
    return Status::InvalidArgument("the audit record is not valid JSON");
  }
  const int64_t now = e.time_ms != 0 ? e.time_ms
                                     : std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count();
  std::lock_guard<std::mutex> lock(impl_->mu);
  store::Stmt s(impl_->db,
                "INSERT INTO audit_entries (time_ms, request_id, task, task_version, input_hash, tier, model, "
                "outcome, label, record_json, confidence, latency_ms, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  KOLIBRI_RETURN_IF_ERROR(s.Prepared());
  s.Bind(1, now).Bind(2, e.request_id).Bind(3, e.task).Bind(4, e.task_version).Bind(5, e.input_hash);
  s.Bind(6, e.tier).Bind(7, e.model).Bind(8, e.outcome).Bind(9, e.label).Bind(10, e.record_json);
  s.Bind(11, e.confidence).Bind(12, e.latency_ms).Bind(13, e.detail);
  if (s.Step() != SQLITE_DONE) return impl_->Error("appending an entry");
  return static_cast<int64_t>(sqlite3_last_insert_rowid(impl_->db));
}

Result<std::vector<AuditEntry>> AuditLog::List(const AuditFilter& f) {
  if (f.limit < 1 || f.limit > 1000000) return Status::InvalidArgument("audit list limit must be in 1..1000000");
  std::lock_guard<std::mutex> lock(impl_->mu);
  store::Stmt s(impl_->db, std::string("SELECT ") + kColumns +
                               " FROM (SELECT * FROM audit_entries WHERE (?1 = '' OR request_id = ?1) AND "
                               "(?2 = '' OR task = ?2) AND (?3 = '' OR input_hash = ?3) ORDER BY id DESC LIMIT ?4) "
                               "ORDER BY id");
  KOLIBRI_RETURN_IF_ERROR(s.Prepared());
  s.Bind(1, f.request_id).Bind(2, f.task).Bind(3, f.input_hash).Bind(4, f.limit);
  std::vector<AuditEntry> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    AuditEntry e;
    e.id = s.Int(0);
    e.time_ms = s.Int(1);
    e.request_id = s.Text(2);
    e.task = s.Text(3);
    e.task_version = s.Text(4);
    e.input_hash = s.Text(5);
    e.tier = s.Text(6);
    e.model = s.Text(7);
    e.outcome = s.Text(8);
    e.label = s.Text(9);
    e.record_json = s.Text(10);
    e.confidence = s.Real(11);
    e.latency_ms = s.Real(12);
    e.detail = s.Text(13);
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return impl_->Error("listing entries");
  return out;
}

Result<int64_t> AuditLog::ForgetInput(const std::string& input_hash) {
  if (input_hash.empty()) return Status::InvalidArgument("no input hash given");
  std::lock_guard<std::mutex> lock(impl_->mu);
  store::Stmt s(impl_->db, "DELETE FROM audit_entries WHERE input_hash = ?");
  KOLIBRI_RETURN_IF_ERROR(s.Prepared());
  s.Bind(1, input_hash);
  if (s.Step() != SQLITE_DONE) return impl_->Error("forgetting an input");
  return static_cast<int64_t>(sqlite3_changes(impl_->db));
}

}  // namespace kolibri
