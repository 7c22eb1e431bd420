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
#include "kolibri/tasks/source_index.h"

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
  std::string embedding_model;
  bool reembed = false;
  int threads = 0;
};

Result<std::shared_ptr<Embedder>> LoadEmbedder(const std::string& path, int threads) {
  KOLIBRI_ASSIGN_OR_RETURN(std::shared_ptr<Model> model, Model::Load(path, ModelOptions{}));
  EmbedderOptions options;
  options.threads = threads;
  options.truncate = true;  // a chunk longer than the model's context is embedded by its start
  KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<Embedder> e, Embedder::Create(model, options));
  return std::shared_ptr<Embedder>(std::move(e));
}

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
  if (!o.embedding_model.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(std::shared_ptr<Embedder> embedder, LoadEmbedder(o.embedding_model, o.threads));
    tasks::EmbedChunksOptions eo;
    eo.reembed = o.reembed;
    if (!o.quiet) {
      eo.progress = [](int64_t done, int64_t pending) {
        std::fprintf(stderr, "\rembedded %lld / %lld chunks", static_cast<long long>(done),
                     static_cast<long long>(pending));
      };
    }
    KOLIBRI_ASSIGN_OR_RETURN(int64_t embedded, tasks::EmbedPendingChunks(*store, *embedder, eo));
    if (!o.quiet && embedded > 0) std::fprintf(stderr, "\n");
    KOLIBRI_ASSIGN_OR_RETURN(StoreStats stats, store->Stats());
    std::printf("%lld chunk(s) embedded with %s (%d dims); %lld of %lld chunks have vectors\n",
                static_cast<long long>(embedded), o.embedding_model.c_str(), embedder->dimension(),
                static_cast<long long>(stats.embedded_chunks), static_cast<long long>(stats.chunks));
  }
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
  std::shared_ptr<Embedder> embedder;
  if (!o.embedding_model.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(embedder, LoadEmbedder(o.embedding_model, o.threads));
  }
  KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<tasks::SourceIndex> index, tasks::SourceIndex::Open(o.index, embedder));
  tasks::SourceSearchOptions options;
  options.k = o.k;
  options.hybrid.bm25.prune_terms = !o.no_prune;
  KOLIBRI_ASSIGN_OR_RETURN(tasks::SourceSearch found, index->Search(o.query, options));
  for (const std::string& w : found.warnings) std::fprintf(stderr, "kolibri: warning: %s\n", w.c_str());
  const std::vector<RetrievedChunk>& hits = found.chunks;
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const RetrievedChunk& c : hits) {
      nlohmann::json j = {{"chunk", c.chunk_id}, {"document", c.document_id}, {"source_path", c.source_path},
                          {"title", c.title}, {"heading_path", c.heading_path}, {"begin", c.begin},
                          {"end", c.end}, {"score", c.score}, {"found_by", c.FoundBy()},
                          {"bm25_rank", c.bm25_rank}, {"bm25_score", c.bm25_score}, {"text", c.text}};
      if (found.mode == "hybrid") {
        j["vector_rank"] = c.vector_rank;
        j["similarity"] = c.similarity;
      }
      out.push_back(std::move(j));
    }
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return Status::Ok();
  }
  for (const RetrievedChunk& c : hits) {
    std::string preview = c.text.substr(0, 160);
    for (char& ch : preview) {
      if (ch == '\n') ch = ' ';
    }
    std::printf("%-9.4g %-11s %s  %s [%llu, %llu)\n       %s%s\n", c.score, c.FoundBy().c_str(), c.chunk_id.c_str(),
                c.document_id.c_str(), static_cast<unsigned long long>(c.begin),
                static_cast<unsigned long long>(c.end), preview.c_str(), c.text.size() > 160 ? "..." : "");
  }
  if (hits.empty()) std::printf("no matches\n");
  std::printf("(%s retrieval)\n", found.mode.c_str());
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
  add->add_option("--embedding-model", opts->embedding_model,
                  "An embedding GGUF (e.g. bge): store a vector per chunk (also for chunks added earlier)");
  add->add_flag("--reembed", opts->reembed, "With --embedding-model: drop every stored vector first");
  add->add_option("--threads", opts->threads, "Embedding threads (0: all)");
  add->callback([run, opts] { *run = [opts] { return RunAdd(*opts); }; });

  CLI::App* rm = index->add_subcommand("rm", "Remove a file, or every file under a folder, from the index");
  rm->add_option("--index", opts->index, "Index file")->required();
  rm->add_option("paths", opts->paths, "Files or folders as they were added")->required();
  rm->callback([run, opts] { *run = [opts] { return RunRemove(*opts); }; });

  CLI::App* ls = index->add_subcommand("ls", "List the indexed documents");
  ls->add_option("--index", opts->index, "Index file")->required();
  ls->add_flag("--json", opts->json, "Print JSON");
  ls->callback([run, opts] { *run = [opts] { return RunList(*opts); }; });

  CLI::App* search = index->add_subcommand(
      "search", "Retrieve the best-matching chunks (BM25; with --embedding-model BM25 and vectors fused by RRF)");
  search->add_option("--index", opts->index, "Index file")->required();
  search->add_option("query", opts->query, "Query text")->required();
  search->add_option("-k", opts->k, "How many chunks")->capture_default_str();
  search->add_flag("--json", opts->json, "Print JSON");
  search->add_flag("--no-prune", opts->no_prune, "Match every query term (plain FTS5 ranking; slower)");
  search->add_option("--embedding-model", opts->embedding_model,
                     "The index's embedding GGUF: hybrid retrieval (an index without vectors falls back to "
                     "BM25 with a warning)");
  search->add_option("--threads", opts->threads, "Embedding threads (0: all)");
  search->callback([run, opts] { *run = [opts] { return RunSearch(*opts); }; });
}

}  // namespace kolibri::cli
