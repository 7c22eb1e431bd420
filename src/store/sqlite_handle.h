// Private to the store module: the one thin RAII layer over the SQLite C API that every
// SQLite-backed store uses (document index, review queue, audit log): a connection,
// prepared statements and write transactions, with SQLite result codes turned into Status
// values a user can act on, and versioned schemas migrated on open (sqlite_schema.h).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "kolibri/status.h"

namespace kolibri::store {

// Status for SQLite result `rc` on `db`: busy/locked -> kUnavailable, corrupt/not a
// database -> kCorrupt, full -> kResourceExhausted, cannot open -> kIoError, else kInternal.
Status SqliteStatus(sqlite3* db, int rc, std::string_view what);

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  ~Statement();

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, int64_t value);
  Statement& BindDouble(int index, double value);
  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion, ignoring rows.
  Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string Text(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // `kind` names the store in errors ("index", "review queue", ...). Without
  // SQLITE_OPEN_CREATE a missing file is kNotFound.
  Status Open(const std::string& path, int flags, int busy_timeout_ms, const std::string& kind = "index");
  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }
  Result<Statement> Prepare(std::string_view sql);
  // Runs one or more statements without results.
  Status Exec(const std::string& sql);
  // The first column of the first row of `sql` as an integer (0 when no row).
  Result<int64_t> QueryInt(const std::string& sql);
  // Rows changed by the last INSERT/UPDATE/DELETE; rowid of the last INSERT.
  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back on destruction unless committed. IMMEDIATE takes
// the write lock up front, so two processes cannot both read-then-write the same row.
class Transaction {
 public:
  explicit Transaction(Connection* db) : db_(db) {}
  ~Transaction();
  Status Begin();
  Status Commit();

 private:
  Connection* db_;
  bool open_ = false;
};

}  // namespace kolibri::store
