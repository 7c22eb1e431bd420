// The audit log on PostgreSQL: one log shared by every replica.
#include <cstdio>
#include <iterator>
#include <mutex>

#include "store/audit_rules.h"
#include "store/pg_connection.h"
#include "store/store_backends.h"

namespace kolibri::store {
namespace {

constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE audit_entries (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time_ms BIGINT NOT NULL,
  request_id TEXT NOT NULL DEFAULT '',
  task TEXT NOT NULL,
  task_version TEXT NOT NULL DEFAULT '',
  input_hash TEXT NOT NULL DEFAULT '',
  tier TEXT NOT NULL,
  model TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'escalated', 'error')),
  label TEXT NOT NULL DEFAULT '',
  record_json TEXT NOT NULL DEFAULT '',
  confidence DOUBLE PRECISION NOT NULL DEFAULT 0,
  latency_ms DOUBLE PRECISION NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_entries_request ON audit_entries (request_id);
CREATE INDEX audit_entries_input ON audit_entries (input_hash);
CREATE INDEX audit_entries_time ON audit_entries (time_ms);
)sql",
};

constexpr PgSchema kSchema{.component = "audit_log",
                           .kind = "audit log",
                           .migrations = kMigrations,
                           .version = static_cast<int>(std::size(kMigrations))};

std::string Real(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

class PostgresAuditLog final : public AuditLog {
 public:
  Status Open(const std::string& uri) {
    KOLIBRI_RETURN_IF_ERROR(db_.Connect(uri, "audit log"));
    return db_.Migrate(kSchema);
  }

  Result<int64_t> Append(const AuditEntry& e) override {
    KOLIBRI_RETURN_IF_ERROR(CheckAuditEntry(e));
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(PgResult r, db_.Exec(
        "INSERT INTO audit_entries (time_ms, request_id, task, task_version, input_hash, tier, model, outcome, "
        "label, record_json, confidence, latency_ms, detail) VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8, $9, "
        "$10, $11::double precision, $12::double precision, $13) RETURNING id",
        {std::to_string(AuditTime(e)), e.request_id, e.task, e.task_version, e.input_hash, e.tier, e.model,
         e.outcome, e.label, e.record_json, Real(e.confidence), Real(e.latency_ms), e.detail}));
    return r.Int(0, 0);
  }

  Result<std::vector<AuditEntry>> List(const AuditFilter& f) override {
    KOLIBRI_RETURN_IF_ERROR(CheckAuditFilter(f));
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(PgResult r, db_.Exec(
        std::string("SELECT ") + kAuditColumns +
            " FROM (SELECT * FROM audit_entries WHERE ($1 = '' OR request_id = $1) AND ($2 = '' OR task = $2) AND "
            "($3 = '' OR input_hash = $3) ORDER BY id DESC LIMIT $4::bigint) AS newest ORDER BY id",
        {f.request_id, f.task, f.input_hash, std::to_string(f.limit)}));
    std::vector<AuditEntry> out;
    for (int i = 0; i < r.rows(); ++i) {
      AuditEntry e;
      e.id = r.Int(i, 0);
      e.time_ms = r.Int(i, 1);
      e.request_id = r.Text(i, 2);
      e.task = r.Text(i, 3);
      e.task_version = r.Text(i, 4);
      e.input_hash = r.Text(i, 5);
      e.tier = r.Text(i, 6);
      e.model = r.Text(i, 7);
      e.outcome = r.Text(i, 8);
      e.label = r.Text(i, 9);
      e.record_json = r.Text(i, 10);
      e.confidence = r.Double(i, 11);
      e.latency_ms = r.Double(i, 12);
      e.detail = r.Text(i, 13);
      out.push_back(std::move(e));
    }
    return out;
  }

  Result<int64_t> ForgetInput(const std::string& input_hash) override {
    if (input_hash.empty()) return Status::InvalidArgument("no input hash given");
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(PgResult r, db_.Exec("DELETE FROM audit_entries WHERE input_hash = $1", {input_hash}));
    return r.Affected();
  }

  Result<int64_t> PruneBefore(int64_t cutoff_ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(PgResult r, db_.Exec("DELETE FROM audit_entries WHERE time_ms < $1::bigint",
                                                  {std::to_string(cutoff_ms)}));
    return r.Affected();
  }

 private:
  PgConnection db_;
  std::mutex mu_;
};

}  // namespace

Result<std::unique_ptr<AuditLog>> OpenPostgresAuditLog(const std::string& uri) {
  auto log = std::make_unique<PostgresAuditLog>();
  KOLIBRI_RETURN_IF_ERROR(log->Open(uri));
  return std::unique_ptr<AuditLog>(std::move(log));
}

}  // namespace kolibri::store
