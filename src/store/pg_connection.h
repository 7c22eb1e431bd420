// Private to the store module (built only with libpq): a thin RAII layer over libpq for
// the PostgreSQL backends — one connection, parameterised queries with text parameters,
// transactions, versioned schemas per component.
//
// Errors: a server that cannot be reached (or a connection lost mid-query) is kUnavailable
// — the next call reconnects; a unique-constraint violation is kAlreadyExists; other SQL
// errors are kIoError with the server's message.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kolibri/status.h"

namespace kolibri::store {

class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  std::string Text(int row, int col) const { return PQgetvalue(r_.get(), row, col); }
  int64_t Int(int row, int col) const;
  double Double(int row, int col) const;
  // Rows changed by an INSERT/UPDATE/DELETE without RETURNING.
  int64_t Affected() const;

 private:
  std::shared_ptr<PGresult> r_;
};

// One component's schema: migrations[i] moves it from version i to i + 1.
struct PgSchema {
  const char* component = "";  // row in table kolibri_schema ("review_queue", "audit_log")
  const char* kind = "";       // named in errors
  const char* const* migrations = nullptr;
  int version = 0;
};

class PgConnection {
 public:
  PgConnection() = default;
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Connects to `uri`; `kind` names the store in errors. The URI (it may hold a password)
  // never appears in messages, only its host part.
  Status Connect(const std::string& uri, const std::string& kind);
  // Runs `sql` with text parameters $1, $2, ... (reconnecting first when the connection dropped).
  Result<PgResult> Exec(const std::string& sql, const std::vector<std::string>& params = {});
  // Creates or upgrades `schema` in one transaction under an advisory lock, so replicas
  // starting together migrate once. kUnsupported when the database has a newer version.
  Status Migrate(const PgSchema& schema);

 private:
  Status Ensure();
  Status ErrorOf(PGresult* r, const std::string& sql) const;
  PGconn* conn_ = nullptr;
  std::string uri_;
  std::string kind_;
};

// BEGIN ... COMMIT on a PgConnection, rolled back on destruction unless committed.
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection* db) : db_(db) {}
  ~PgTransaction();
  Status Begin();
  Status Commit();

 private:
  PgConnection* db_;
  bool open_ = false;
};

}  // namespace kolibri::store
