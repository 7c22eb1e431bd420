// BackupSqliteStore: SQLite's online backup API copies a live database page by page; a
// step that meets a writer's lock waits and retries, so the copy is one consistent snapshot.
#include <sqlite3.h>

#include <filesystem>
#include <thread>

#include "kolibri/data_lifecycle.h"
#include "store/sqlite_handle.h"
#include "store/store_backends.h"

namespace kolibri {

Status BackupSqliteStore(const std::string& src, const std::string& dst) {
  if (store::IsPostgresLocation(src)) {
    // The URI is not echoed: it may hold a password.
    return Status::Unsupported("a PostgreSQL store is backed up with pg_dump, not kolibri store backup "
                               "(see README, \"Backup and restore\")");
  }
  std::error_code ec;
  if (!std::filesystem::exists(src, ec)) return Status::NotFound("store '" + src + "' does not exist");
  if (std::filesystem::exists(dst, ec)) {
    return Status::AlreadyExists("'" + dst + "' exists; remove it or choose another backup file");
  }
  store::Connection from;
  KOLIBRI_RETURN_IF_ERROR(from.Open(src, SQLITE_OPEN_READONLY, 5000, "store"));
  const std::string tmp = dst + ".tmp";
  std::filesystem::remove(tmp, ec);
  Status result = Status::Ok();
  {
    store::Connection to;
    KOLIBRI_RETURN_IF_ERROR(to.Open(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 5000, "backup"));
    sqlite3_backup* b = sqlite3_backup_init(to.get(), "main", from.get(), "main");
    if (b == nullptr) return store::SqliteStatus(to.get(), sqlite3_errcode(to.get()), "cannot start the backup");
    int rc;
    while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      if (rc != SQLITE_OK) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) result = store::SqliteStatus(to.get(), rc, "backing up '" + src + "'");
  }
  if (result.ok()) {
    std::filesystem::rename(tmp, dst, ec);
    if (ec) result = Status::IoError("cannot move the backup to '" + dst + "': " + ec.message());
  }
  if (!result.ok()) std::filesystem::remove(tmp, ec);
  return result;
}

}  // namespace kolibri
