#include "store/sqlite_schema.h"

namespace kolibri::store {
namespace {

Result<bool> HasTable(Connection* db, const char* table) {
  KOLIBRI_ASSIGN_OR_RETURN(Statement st, db->Prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1"));
  st.Bind(1, table);
  return st.Step();
}

// Errors name no file: the caller adds "<kind> '<path>'".
Status Migrate(Connection* db, const SqliteSchema& schema, bool read_only) {
  KOLIBRI_ASSIGN_OR_RETURN(int64_t app_id, db->QueryInt("PRAGMA application_id"));
  KOLIBRI_ASSIGN_OR_RETURN(int64_t version, db->QueryInt("PRAGMA user_version"));
  KOLIBRI_ASSIGN_OR_RETURN(int64_t objects, db->QueryInt("SELECT count(*) FROM sqlite_schema"));
  if (app_id != schema.application_id) {
    bool legacy = false;
    if (app_id == 0 && version > 0 && schema.legacy_table != nullptr) {
      KOLIBRI_ASSIGN_OR_RETURN(legacy, HasTable(db, schema.legacy_table));
    }
    if (!legacy && (app_id != 0 || objects > 0)) {
      return Status::Corrupt(std::string("an SQLite database but not a Kolibri ") + schema.kind);
    }
  }
  if (version > schema.version) {
    return Status::Unsupported("schema version " + std::to_string(version) +
                               ", newer than this Kolibri understands (" + std::to_string(schema.version) +
                               "); run a newer Kolibri or restore a backup made by this one");
  }
  if (version == schema.version && app_id == schema.application_id) return Status::Ok();
  if (read_only) {
    return Status::FailedPrecondition("schema version " + std::to_string(version) +
                                      " needs an upgrade; open it for writing once");
  }
  Transaction tx(db);
  KOLIBRI_RETURN_IF_ERROR(tx.Begin());
  // Re-read under the write lock: another process may have migrated meanwhile.
  KOLIBRI_ASSIGN_OR_RETURN(version, db->QueryInt("PRAGMA user_version"));
  for (int64_t v = version; v < schema.version; ++v) {
    KOLIBRI_RETURN_IF_ERROR(db->Exec(schema.migrations[v])
                                .WithContext("migration to schema version " + std::to_string(v + 1)));
  }
  KOLIBRI_RETURN_IF_ERROR(db->Exec("PRAGMA application_id = " + std::to_string(schema.application_id)));
  KOLIBRI_RETURN_IF_ERROR(db->Exec("PRAGMA user_version = " + std::to_string(schema.version)));
  return tx.Commit();
}

}  // namespace

Status OpenSqliteStore(Connection* db, const std::string& path, const SqliteSchema& schema,
                       const SqliteOpenOptions& options) {
  int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
  KOLIBRI_RETURN_IF_ERROR(db->Open(path, flags, options.busy_timeout_ms, schema.kind));
  const std::string what = std::string(schema.kind) + " '" + path + "'";
  if (!options.read_only) {
    KOLIBRI_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode = WAL").WithContext(what));
    // NORMAL in WAL mode: a commit survives a process crash; only power loss may drop the last ones.
    KOLIBRI_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = NORMAL").WithContext(what));
  }
  return Migrate(db, schema, options.read_only).WithContext(what);
}

}  // namespace kolibri::store
