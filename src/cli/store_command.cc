// `kolibri store prune|backup`: the data lifecycle of the stores. `prune` applies a
// retention period to the audit log (which holds the results) and the review queue;
// `backup` copies a live SQLite store with the online backup API (PostgreSQL: pg_dump).
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.h"
#include "kolibri/data_lifecycle.h"

namespace kolibri::cli {
namespace {

struct StoreCliOptions {
  std::string review_db;
  std::string audit_db;
  std::string older_than;
  bool include_open = false;
  std::string db;
  std::string out;
  bool json = false;
};

Status RunPrune(const StoreCliOptions& o) {
  if (o.review_db.empty() && o.audit_db.empty()) {
    return Status::InvalidArgument("name a store to prune: --review-db and/or --audit-db");
  }
  KOLIBRI_ASSIGN_OR_RETURN(const int64_t period, ParseDurationMs(o.older_than));
  std::unique_ptr<ReviewQueue> review;
  std::unique_ptr<AuditLog> audit;
  if (!o.review_db.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(review, ReviewQueue::Open(o.review_db));
  }
  if (!o.audit_db.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(audit, AuditLog::Open(o.audit_db));
  }
  const RetentionPolicy policy{
      .audit_ms = period,
      .review_ms = period,
      .review_scope = o.include_open ? ReviewPruneScope::kAll : ReviewPruneScope::kResolved};
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  KOLIBRI_ASSIGN_OR_RETURN(const PruneReport r, ApplyRetention(policy, {review.get(), audit.get(), nullptr}, now));
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{"audit_entries", r.audit_entries}, {"review_items", r.review_items}}
                            .dump().c_str());
  } else {
    std::printf("pruned %lld audit entr%s and %lld review item(s) older than %s\n",
                static_cast<long long>(r.audit_entries), r.audit_entries == 1 ? "y" : "ies",
                static_cast<long long>(r.review_items), o.older_than.c_str());
  }
  return Status::Ok();
}

Status RunBackup(const StoreCliOptions& o) {
  KOLIBRI_RETURN_IF_ERROR(BackupSqliteStore(o.db, o.out));
  std::printf("backed up %s to %s\n", o.db.c_str(), o.out.c_str());
  return Status::Ok();
}

}  // namespace

void RegisterStoreCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<StoreCliOptions>();
  CLI::App* cmd = root.add_subcommand("store", "Store lifecycle: prune old data, back up a store");
  cmd->require_subcommand(1);

  CLI::App* prune = cmd->add_subcommand("prune", "Remove audit entries and resolved review items older than a period");
  prune->add_option("--older-than", o->older_than, "Retention period: 30d, 12h, 90m, 45s")->required();
  prune->add_option("--review-db", o->review_db, "Review queue (SQLite file or postgresql:// URI)");
  prune->add_option("--audit-db", o->audit_db, "Audit log (SQLite file or postgresql:// URI)");
  prune->add_flag("--include-open", o->include_open, "Also remove open and claimed review items created before");
  prune->add_flag("--json", o->json, "JSON output");
  prune->callback([run, o] { *run = [o] { return RunPrune(*o); }; });

  CLI::App* backup = cmd->add_subcommand("backup", "Copy a live SQLite store (online backup; PostgreSQL: pg_dump)");
  backup->add_option("--db", o->db, "The store file (index, review queue or audit log)")->required();
  backup->add_option("--out", o->out, "The backup file to write (must not exist)")->required();
  backup->callback([run, o] { *run = [o] { return RunBackup(*o); }; });
}

}  // namespace kolibri::cli
