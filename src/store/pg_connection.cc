#include "store/pg_connection.h"

#include <cstdlib>
#include <cstring>

namespace kolibri::store {
namespace {

// The host part of a URI, for messages (never the user or password).
std::string Redacted(const std::string& uri) {
  const size_t scheme = uri.find("://");
  std::string rest = scheme == std::string::npos ? uri : uri.substr(scheme + 3);
  const size_t at = rest.rfind('@', rest.find('/'));
  if (at != std::string::npos) rest = rest.substr(at + 1);
  return "postgresql://" + rest.substr(0, rest.find('?'));
}

}  // namespace

int64_t PgResult::Int(int row, int col) const { return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10); }
double PgResult::Double(int row, int col) const { return std::strtod(PQgetvalue(r_.get(), row, col), nullptr); }
int64_t PgResult::Affected() const {
  const char* n = PQcmdTuples(r_.get());
  return n == nullptr || *n == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Status PgConnection::Connect(const std::string& uri, const std::string& kind) {
  uri_ = uri;
  kind_ = kind + " '" + Redacted(uri) + "'";
  return Ensure();
}

Status PgConnection::Ensure() {
  if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  if (conn_ != nullptr) {
    PQreset(conn_);
  } else {
    conn_ = PQconnectdb(uri_.c_str());
  }
  if (conn_ == nullptr) return Status::ResourceExhausted(kind_ + ": out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return Status::Unavailable("cannot connect to " + kind_ + ": " + msg);
  }
  // Notices (e.g. "relation already exists, skipping") are not errors; keep them off stderr.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  return Status::Ok();
}

Status PgConnection::ErrorOf(PGresult* r, const std::string& sql) const {
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  msg = kind_ + ": " + msg + " (in: " + sql.substr(0, 60) + ")";
  if (PQstatus(conn_) != CONNECTION_OK || state == nullptr) return Status::Unavailable(msg);
  if (std::strcmp(state, "23505") == 0) return Status::AlreadyExists(msg);
  // 40xxx serialization/deadlock, 53xxx resources, 57xxx admin shutdown: worth a retry.
  if (state[0] == '4' && state[1] == '0') return Status::Unavailable(msg);
  if (state[0] == '5' && (state[1] == '3' || state[1] == '7')) return Status::Unavailable(msg);
  return Status::IoError(msg);
}

Result<PgResult> PgConnection::Exec(const std::string& sql, const std::vector<std::string>& params) {
  KOLIBRI_RETURN_IF_ERROR(Ensure());
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) values.push_back(p.c_str());
  // Without parameters the simple protocol runs several statements (migrations) at once.
  PGresult* r = values.empty() ? PQexec(conn_, sql.c_str())
                               : PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                              values.data(), nullptr, nullptr, 0);
  const ExecStatusType st = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return PgResult(r);
  Status s = ErrorOf(r, sql);
  PQclear(r);
  return s;
}

Status PgConnection::Migrate(const PgSchema& schema) {
  PgTransaction tx(this);
  KOLIBRI_RETURN_IF_ERROR(tx.Begin());
  // One lock for every Kolibri component: concurrent CREATE TABLE IF NOT EXISTS can race.
  KOLIBRI_RETURN_IF_ERROR(Exec("SELECT pg_advisory_xact_lock(4918123615)").status());
  KOLIBRI_RETURN_IF_ERROR(
      Exec("CREATE TABLE IF NOT EXISTS kolibri_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
          .status());
  KOLIBRI_ASSIGN_OR_RETURN(PgResult r, Exec("SELECT version FROM kolibri_schema WHERE component = $1",
                                            {schema.component}));
  const int64_t version = r.rows() > 0 ? r.Int(0, 0) : 0;
  if (version > schema.version) {
    return Status::Unsupported(kind_ + " has schema version " + std::to_string(version) +
                               ", newer than this Kolibri understands (" + std::to_string(schema.version) +
                               "); run a newer Kolibri or restore a backup made by this one");
  }
  for (int64_t v = version; v < schema.version; ++v) {
    KOLIBRI_RETURN_IF_ERROR(
        Exec(schema.migrations[v]).status().WithContext("migration to schema version " + std::to_string(v + 1)));
  }
  if (version < schema.version) {
    KOLIBRI_RETURN_IF_ERROR(Exec("INSERT INTO kolibri_schema (component, version) VALUES ($1, $2::integer) "
                                 "ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version",
                                 {schema.component, std::to_string(schema.version)})
                                .status());
  }
  return tx.Commit();
}

PgTransaction::~PgTransaction() {
  if (open_) (void)db_->Exec("ROLLBACK");
}

Status PgTransaction::Begin() {
  KOLIBRI_RETURN_IF_ERROR(db_->Exec("BEGIN").status());
  open_ = true;
  return Status::Ok();
}

Status PgTransaction::Commit() {
  open_ = false;
  return db_->Exec("COMMIT").status();
}

}  // namespace kolibri::store
