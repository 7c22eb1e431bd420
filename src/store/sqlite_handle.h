// A thin RAII layer over the SQLite C API for the store: a connection and prepared
// statements, with SQLite result codes turned into Status values a user can act on.
#pragma once

#include <sqlite3.h>

#include <cstddef>
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
  Statement& Bind(int index, int64_t value);
  Statement& BindDouble(int index, double value);
  Statement& BindBlob(int index, const void* data, size_t bytes);
  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion, ignoring rows.
  Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string Text(int col) const;
  // The column's bytes (valid until the next Step/Reset).
  std::string_view Blob(int col) const {
    const void* p = sqlite3_column_blob(stmt_, col);
    return p == nullptr ? std::string_view()
                        : std::string_view(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }

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

  Status Open(const std::string& path, int flags, int busy_timeout_ms);
  sqlite3* get() const { return db_; }
  Result<Statement> Prepare(std::string_view sql);
  // Runs one or more statements without results.
  Status Exec(const std::string& sql);
  // The first column of the first row of `sql` as an integer (0 when no row).
  Result<int64_t> QueryInt(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back on destruction unless committed.
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
