// Private to the store module: opening an SQLite store file with a versioned schema.
//
// Every store file carries PRAGMA application_id (which kind of Kolibri store it is) and
// PRAGMA user_version (its schema version). Opening applies the missing numbered migrations
// in one write transaction, so a crash mid-upgrade leaves the old version intact; a file
// of a newer version than this build is refused (kUnsupported), a foreign SQLite file or a
// different kind of store is refused (kCorrupt) and never altered.
#pragma once

#include <cstdint>
#include <string>

#include "store/sqlite_handle.h"

namespace kolibri::store {

struct SqliteSchema {
  const char* kind = "";           // "index", "review queue", "audit log": named in errors
  int64_t application_id = 0;      // marks the file as this kind of store
  const char* const* migrations = nullptr;  // migrations[i] moves version i to i + 1
  int version = 0;                 // the version this build writes = number of migrations
  // Files written before application_id was set carry 0; such a file is accepted when it
  // has this table (and is then stamped with the id).
  const char* legacy_table = nullptr;
};

struct SqliteOpenOptions {
  bool create = true;          // create the file when missing (else kNotFound)
  bool read_only = false;      // never writes; an outdated schema is kFailedPrecondition
  int busy_timeout_ms = 5000;  // how long to wait for another writer
};

// Opens `path` (":memory:" allowed) into `db`: WAL journal and synchronous=NORMAL unless
// read only, then checks and migrates the schema as described above.
Status OpenSqliteStore(Connection* db, const std::string& path, const SqliteSchema& schema,
                       const SqliteOpenOptions& options);

}  // namespace kolibri::store
