// `kolibri forget ID`: the right-to-erasure request. Removes everything stored about one
// input — audit entries (with the results they hold), review items, indexed copies — and
// reports how many of each went. ID forms: see ForgetInput in kolibri/data_lifecycle.h.
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "kolibri/data_lifecycle.h"

namespace kolibri::cli {
namespace {

struct ForgetCliOptions {
  std::string id;
  std::string text_file;
  std::string review_db;
  std::string audit_db;
  std::string index;
  bool json = false;
};

Status RunForget(const ForgetCliOptions& o) {
  if (o.id.empty() == o.text_file.empty()) return Status::InvalidArgument("give either an ID or --text-file");
  if (o.review_db.empty() && o.audit_db.empty() && o.index.empty()) {
    return Status::InvalidArgument("name the stores to erase from: --review-db, --audit-db, --index");
  }
  std::string id = o.id;
  if (!o.text_file.empty()) {
    std::ifstream in(o.text_file, std::ios::binary);
    if (!in) return Status::NotFound("text file '" + o.text_file + "' not found");
    std::ostringstream text;
    text << in.rdbuf();
    id = AuditInputHash(text.str());
  }
  std::unique_ptr<ReviewQueue> review;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<DocumentStore> index;
  if (!o.review_db.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(review, ReviewQueue::Open(o.review_db));
  }
  if (!o.audit_db.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(audit, AuditLog::Open(o.audit_db));
  }
  if (!o.index.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(index, DocumentStore::Open(o.index, {.create = false}));
  }
  KOLIBRI_ASSIGN_OR_RETURN(const ForgetReport r, ForgetInput(id, {review.get(), audit.get(), index.get()}));
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{"input_hashes", r.input_hashes},
                                       {"audit_entries", r.audit_entries},
                                       {"review_items", r.review_items},
                                       {"documents", r.documents},
                                       {"chunks", r.chunks}}
                            .dump()
                            .c_str());
  } else {
    std::printf("forgot %zu input(s): %lld audit entries, %lld review items, %lld indexed documents (%lld chunks)\n",
                r.input_hashes.size(), static_cast<long long>(r.audit_entries),
                static_cast<long long>(r.review_items), static_cast<long long>(r.documents),
                static_cast<long long>(r.chunks));
  }
  return Status::Ok();
}

}  // namespace

void RegisterForgetCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<ForgetCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "forget", "Erase everything stored about one input (audit entries, results, review items, indexed copies)");
  cmd->add_option("id", o->id,
                  "sha256:<hex> input hash, review:<n> review item, or a request id, idempotency key, "
                  "document id or source path");
  cmd->add_option("--text-file", o->text_file, "Erase the input with exactly this text instead of an ID");
  cmd->add_option("--review-db", o->review_db, "Review queue (SQLite file or postgresql:// URI)");
  cmd->add_option("--audit-db", o->audit_db, "Audit log (SQLite file or postgresql:// URI)");
  cmd->add_option("--index", o->index, "Document index (SQLite file)");
  cmd->add_flag("--json", o->json, "JSON output");
  cmd->callback([run, o] { *run = [o] { return RunForget(*o); }; });
}

}  // namespace kolibri::cli
