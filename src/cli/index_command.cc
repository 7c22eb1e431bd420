// `kolibri index add|rm|ls|search --index DB ...`: the document index that grounded answers
// retrieve from. add reports every file (added, unchanged, or failed with the reason) and
// goes on; it fails (exit 1) only when some file failed or the index itself cannot be used.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "kolibri/document_store.h"
#include "kolibri/ingest.h"

namespace kolibri::cli {
namespace {

struct IndexCliOptions {
  std::string index;
  std::vector<std::string> paths;
  std::string query;
  int k = 5;
  double max_file_mb = 50;
  bool json = false;
  bool quiet = false;
  bool no_prune = false;
};

Result<std::unique_ptr<DocumentStore>> OpenIndex(const std::string& path, bool create) {
  StoreOptions options;
  options.create = create;
  return DocumentStore::Open(path, options);
}

Status RunAdd(const IndexCliOptions& o) {
  if (o.max_file_mb <= 0) return Status::InvalidArgument("--max-file-mb must be positive");
  KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<DocumentStore> store, OpenIndex(o.index, true));
  IngestOptions options;
  options.max_file_bytes = static_cast<uint64_t>(o.max_file_mb * 1024 * 1024);
  IngestSink sink;
  sink.is_current = [&](const std::string& p, const std::string& h) { return store->IsCurrent(p, h); };
  sink.replace = [&](const std::string& p, const std::string& h, const std::vector<Document>& d) {
    return store->ReplaceSource(p, h, d);
  };
  KOLIBRI_ASSIGN_OR_RETURN(IngestReport report, IngestPaths(o.paths, options, sink, [&](const FileOutcome& f) {
    if (f.action == FileAction::kFailed) {
      std::fprintf(stderr, "failed   %s: %s\n", f.path.c_str(), f.status.message().c_str());
    } else if (!o.quiet) {
      if (f.action == FileAction::kAdded) {
        std::printf("added    %s (%d document%s, %d chunks)\n", f.path.c_str(), f.documents,
                    f.documents == 1 ? "" : "s", f.chunks);
      } else {
        std::printf("same     %s\n", f.path.c_str());
      }
    }
  }));
  std::printf("%d added, %d unchanged, %d failed\n", report.added, report.unchanged, report.failed);
  if (report.failed > 0) {
    return Status::Internal(std::to_string(report.failed) + " file(s) could not be indexed (see above); the rest were");
  }
  return Status::Ok();
}

Status RunRemove(const IndexCliOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<DocumentStore> store, OpenIndex(o.index, false));
  int removed = 0;
  for (const std::string& p : o.paths) {
    std::string path = p;
    if (!path.empty() && path[0] != '/') {
      char* cwd = ::realpath(".", nullptr);
      if (cwd != nullptr) path = std::string(cwd) + "/" + path;
      std::free(cwd);
    }
    KOLIBRI_ASSIGN_OR_RETURN(int n, store->RemovePath(path));
    removed += n;
  }
  std::printf("%d source file(s) removed\n", removed);
  if (removed == 0) return Status::NotFound("nothing in the index under the given path(s)");
  return Status::Ok();
}

Status RunList(const IndexCliOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<DocumentStore> store, OpenIndex(o.index, false));
  KOLIBRI_ASSIGN_OR_RETURN(std::vector<StoredDocument> docs, store->List());
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const StoredDocument& d : docs) {
      out.push_back({{"id", d.id}, {"source_path", d.source_path}, {"kind", d.kind}, {"title", d.title},
                     {"date", d.date}, {"content_hash", d.content_hash}, {"chunks", d.chunks},
                     {"text_bytes", d.text_bytes}});
    }
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return Status::Ok();
  }
  for (const StoredDocument& d : docs) {
    std::printf("%-8s %4d chunks  %s  %s\n", d.kind.c_str(), d.chunks, d.id.c_str(), d.title.c_str());
  }
  std::printf("%zu document(s)\n", docs.size());
  return Status::Ok();
}

Status RunSearch(const IndexCliOptions& o) {
  if (o.k <= 0 || o.k > 1000) return Status::InvalidArgument("-k must be between 1 and 1000");
  KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<DocumentStore> store, OpenIndex(o.index, false));
  RetrieveOptions options;
  options.prune_terms = !o.no_prune;
  KOLIBRI_ASSIGN_OR_RETURN(std::vector<RetrievedChunk> hits, store->Retrieve(o.query, o.k, options));
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const RetrievedChunk& c : hits) {
      out.push_back({{"chunk", c.chunk_id}, {"document", c.document_id}, {"source_path", c.source_path},
                     {"title", c.title}, {"heading_path", c.heading_path}, {"begin", c.begin},
                     {"end", c.end}, {"score", c.score}, {"text", c.text}});
    }
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return Status::Ok();
  }
  for (const RetrievedChunk& c : hits) {
    std::string preview = c.text.substr(0, 160);
    for (char& ch : preview) {
      if (ch == '\n') ch = ' ';
    }
    std::printf("%.3f  %s  %s [%llu, %llu)\n       %s%s\n", c.score, c.chunk_id.c_str(), c.document_id.c_str(),
                static_cast<unsigned long long>(c.begin), static_cast<unsigned long long>(c.end),
                preview.c_str(), c.text.size() > 160 ? "..." : "");
  }
  if (hits.empty()) std::printf("no matches\n");
  return Status::Ok();
}

}  // namespace

void RegisterIndexCommand(CLI::App& root, CommandFn* run) {
  CLI::App* index = root.add_subcommand("index", "Build and query a document index for grounded answers");
  index->require_subcommand(1);
  auto opts = std::make_shared<IndexCliOptions>();

  CLI::App* add = index->add_subcommand("add", "Add files and folders (recursively); unchanged files are skipped");
  add->add_option("--index", opts->index, "Index file (SQLite; created when missing)")->required();
  add->add_option("paths", opts->paths, "Files or folders")->required();
  add->add_option("--max-file-mb", opts->max_file_mb, "Skip (and report) files larger than this")
      ->capture_default_str();
  add->add_flag("-q,--quiet", opts->quiet, "Report only failures and the summary");
  add->callback([run, opts] { *run = [opts] { return RunAdd(*opts); }; });

  CLI::App* rm = index->add_subcommand("rm", "Remove a file, or every file under a folder, from the index");
  rm->add_option("--index", opts->index, "Index file")->required();
  rm->add_option("paths", opts->paths, "Files or folders as they were added")->required();
  rm->callback([run, opts] { *run = [opts] { return RunRemove(*opts); }; });

  CLI::App* ls = index->add_subcommand("ls", "List the indexed documents");
  ls->add_option("--index", opts->index, "Index file")->required();
  ls->add_flag("--json", opts->json, "Print JSON");
  ls->callback([run, opts] { *run = [opts] { return RunList(*opts); }; });

  CLI::App* search = index->add_subcommand("search", "Retrieve the best-matching chunks (BM25)");
  search->add_option("--index", opts->index, "Index file")->required();
  search->add_option("query", opts->query, "Query text")->required();
  search->add_option("-k", opts->k, "How many chunks")->capture_default_str();
  search->add_flag("--json", opts->json, "Print JSON");
  search->add_flag("--no-prune", opts->no_prune, "Match every query term (plain FTS5 ranking; slower)");
  search->callback([run, opts] { *run = [opts] { return RunSearch(*opts); }; });
}

}  // namespace kolibri::cli
