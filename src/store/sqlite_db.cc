#include "store/sqlite_db.h"

namespace kolibri::store {

Status Exec(sqlite3* db, const char* sql, const std::string& what) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    Status s = Status::IoError(what + ": " + (err != nullptr ? err : "error"));
    sqlite3_free(err);
    return s;
  }
  return Status::Ok();
}

Status OpenVersioned(const std::string& path, const OpenOptions& options, sqlite3** out) {
  sqlite3* db = nullptr;
  const std::string what = options.kind + " '" + path + "'";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    Status s = Status::IoError("cannot open " + what + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close_v2(db);
    return s;
  }
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  int version = 0;
  {
    // A file that is not SQLite fails on the first statement.
    Stmt s(db, "PRAGMA user_version");
    if (!s.Prepared().ok() || s.Step() != SQLITE_ROW) {
      Status st = Status::Corrupt("'" + path + "' is not a " + options.kind + " database (" + sqlite3_errmsg(db) + ")");
      sqlite3_close_v2(db);
      return st;
    }
    version = static_cast<int>(s.Int(0));
  }
  Status st = Status::Ok();
  if (version > options.version) {
    st = Status::Corrupt(what + " has schema version " + std::to_string(version) + ", newer than this build (" +
                         std::to_string(options.version) + ")");
  }
  if (st.ok()) st = Exec(db, "PRAGMA journal_mode = WAL", what);
  if (st.ok()) st = Exec(db, options.schema, what);
  if (st.ok() && version < options.version) {
    st = Exec(db, ("PRAGMA user_version = " + std::to_string(options.version)).c_str(), what);
  }
  if (!st.ok()) {
    sqlite3_close_v2(db);
    return st;
  }
  *out = db;
  return Status::Ok();
}

}  // namespace kolibri::store
