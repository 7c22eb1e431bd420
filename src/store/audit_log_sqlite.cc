// The audit log on SQLite (the embedded default).
#include <iterator>
#include <mutex>

#include "store/audit_rules.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_schema.h"
#include "store/store_backends.h"

namespace kolibri::store {
namespace {

// 'KLAL'
constexpr int64_t kApplicationId = 0x4B4C414C;

// kMigrations[i] moves the schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE audit_entries (
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
CREATE INDEX audit_entries_request ON audit_entries (request_id);
CREATE INDEX audit_entries_input ON audit_entries (input_hash);
)sql",
    // 2: retention by age without a full scan.
    "CREATE INDEX audit_entries_time ON audit_entries (time_ms);",
};

constexpr SqliteSchema kSchema{.kind = "audit log",
                               .application_id = kApplicationId,
                               .migrations = kMigrations,
                               .version = static_cast<int>(std::size(kMigrations)),
                               .legacy_table = "audit_entries"};

class SqliteAuditLog final : public AuditLog {
 public:
  Status Open(const std::string& path, int busy_timeout_ms) {
    return OpenSqliteStore(&db_, path, kSchema, {.busy_timeout_ms = busy_timeout_ms});
  }

  Result<int64_t> Append(const AuditEntry& e) override {
    KOLIBRI_RETURN_IF_ERROR(CheckAuditEntry(e));
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(Statement s, db_.Prepare(
        "INSERT INTO audit_entries (time_ms, request_id, task, task_version, input_hash, tier, model, "
        "outcome, label, record_json, confidence, latency_ms, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    s.Bind(1, AuditTime(e)).Bind(2, e.request_id).Bind(3, e.task).Bind(4, e.task_version).Bind(5, e.input_hash);
    s.Bind(6, e.tier).Bind(7, e.model).Bind(8, e.outcome).Bind(9, e.label).Bind(10, e.record_json);
    s.BindDouble(11, e.confidence).BindDouble(12, e.latency_ms).Bind(13, e.detail);
    KOLIBRI_RETURN_IF_ERROR(s.Run().WithContext("appending an audit entry"));
    return db_.LastInsertId();
  }

  Result<std::vector<AuditEntry>> List(const AuditFilter& f) override {
    KOLIBRI_RETURN_IF_ERROR(CheckAuditFilter(f));
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(Statement s, db_.Prepare(
        std::string("SELECT ") + kAuditColumns +
        " FROM (SELECT * FROM audit_entries WHERE (?1 = '' OR request_id = ?1) AND "
        "(?2 = '' OR task = ?2) AND (?3 = '' OR input_hash = ?3) ORDER BY id DESC LIMIT ?4) ORDER BY id"));
    s.Bind(1, f.request_id).Bind(2, f.task).Bind(3, f.input_hash).Bind(4, f.limit);
    std::vector<AuditEntry> out;
    while (true) {
      KOLIBRI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return out;
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
      e.confidence = s.Double(11);
      e.latency_ms = s.Double(12);
      e.detail = s.Text(13);
      out.push_back(std::move(e));
    }
  }

  Result<int64_t> ForgetInput(const std::string& input_hash) override {
    if (input_hash.empty()) return Status::InvalidArgument("no input hash given");
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(Statement s, db_.Prepare("DELETE FROM audit_entries WHERE input_hash = ?1"));
    KOLIBRI_RETURN_IF_ERROR(s.Bind(1, input_hash).Run());
    return db_.Changes();
  }

  Result<int64_t> PruneBefore(int64_t cutoff_ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(Statement s, db_.Prepare("DELETE FROM audit_entries WHERE time_ms < ?1"));
    KOLIBRI_RETURN_IF_ERROR(s.Bind(1, cutoff_ms).Run());
    return db_.Changes();
  }

 private:
  Connection db_;
  std::mutex mu_;
};

}  // namespace

Result<std::unique_ptr<AuditLog>> OpenSqliteAuditLog(const std::string& path, int busy_timeout_ms) {
  auto log = std::make_unique<SqliteAuditLog>();
  KOLIBRI_RETURN_IF_ERROR(log->Open(path, busy_timeout_ms));
  return std::unique_ptr<AuditLog>(std::move(log));
}

}  // namespace kolibri::store
