// Private to the store module: a thin RAII layer over sqlite3 shared by the stores (review
// queue, audit log): prepared statements, and opening a versioned WAL database.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "kolibri/status.h"

namespace kolibri::store {

// A prepared statement, finalised on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  Stmt(sqlite3* db, const std::string& sql) : Stmt(db, sql.c_str()) {}
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Status Prepared() const {
    return rc_ == SQLITE_OK ? Status::Ok() : Status::Internal(std::string("SQL prepare: ") + sqlite3_errmsg(db_));
  }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& Bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p == nullptr ? std::string() : std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Real(int col) const { return sqlite3_column_double(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

// Runs SQL text (several statements allowed). `what` names the store in the error.
Status Exec(sqlite3* db, const char* sql, const std::string& what);

struct OpenOptions {
  std::string kind;         // "review-queue", "audit-log": named in errors
  const char* schema = "";  // CREATE ... IF NOT EXISTS statements of the current version
  int version = 1;          // PRAGMA user_version this build writes
  int busy_timeout_ms = 5000;
};

// Opens or creates `path` in WAL mode and brings its schema to `version`. kIoError when
// the file cannot be opened, kCorrupt when it is not SQLite or has a newer version.
// On success *db owns the connection (close with sqlite3_close).
Status OpenVersioned(const std::string& path, const OpenOptions& options, sqlite3** db);

}  // namespace kolibri::store
