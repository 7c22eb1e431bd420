// The document store: documents, their chunks and a BM25 full-text index in one SQLite
// file (WAL mode). This is the retrieval API the answering task builds on.
//
// Writes: ReplaceSource stores all documents of one source file in a single transaction,
// so a crash (even kill -9) leaves either the old or the new version of that file, never a
// mix; a rerun of the same ingestion resumes where it stopped (unchanged files are skipped
// by their content hash) without duplicates.
//
// Retrieval: Retrieve(query, k) ranks chunks by BM25 over their text, heading path and
// document title. To stay fast on large indexes the query is cut to its most selective
// terms (those in at most max_term_fraction of chunks, at most max_terms of them, rarest
// first) before FTS5 ranks the candidates; RetrieveOptions::prune_terms = false gives the
// plain FTS5 `ORDER BY rank` over every query term.
//
// Errors: a locked index (another writer holds it past the busy timeout) is kUnavailable,
// a file that is not a Kolibri index or is damaged is kCorrupt, an index written by a newer
// Kolibri is kUnsupported. Thread safety: one DocumentStore per thread; several processes
// may read while one writes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kolibri/document.h"
#include "kolibri/status.h"

namespace kolibri {

struct StoreOptions {
  bool create = true;          // create the file when missing (else kNotFound)
  bool read_only = false;      // open for reading only (never creates)
  int busy_timeout_ms = 5000;  // how long to wait for another writer before kUnavailable
};

struct RetrieveOptions {
  bool prune_terms = true;           // keep only the most selective query terms
  int max_terms = 6;                 // at most this many terms after pruning
  double max_term_fraction = 0.02;   // drop terms found in more than this share of chunks
};

// A chunk found by Retrieve, with what a citation needs.
struct RetrievedChunk {
  std::string chunk_id;
  std::string document_id;    // Document::id (the path, "#n" for mbox messages)
  std::string source_path;
  std::string title;
  std::string heading_path;
  std::string text;
  uint64_t begin = 0;         // byte offsets into the document's cleaned text
  uint64_t end = 0;
  double score = 0;           // BM25, higher is better (SQLite's bm25() negated)
};

// One stored document as listed by List.
struct StoredDocument {
  std::string id;
  std::string source_path;
  std::string kind;
  std::string title;
  std::string date;
  std::string content_hash;
  int chunks = 0;
  uint64_t text_bytes = 0;
};

// What ForgetDocument removed.
struct ForgottenDocuments {
  int64_t documents = 0;
  int64_t chunks = 0;
  std::vector<std::string> text_hashes;  // "sha256:<hex>" of each removed document's text
};

struct StoreStats {
  int64_t sources = 0;
  int64_t documents = 0;
  int64_t chunks = 0;
};

class DocumentStore {
 public:
  // The schema version this build writes (PRAGMA user_version).
  static constexpr int kSchemaVersion = 1;

  static Result<std::unique_ptr<DocumentStore>> Open(const std::string& path,
                                                     const StoreOptions& options = {});
  ~DocumentStore();
  DocumentStore(const DocumentStore&) = delete;
  DocumentStore& operator=(const DocumentStore&) = delete;

  // True when `source_path` is stored with this content hash.
  Result<bool> IsCurrent(const std::string& source_path, const std::string& content_hash);
  // Replaces everything stored for `source_path` with `documents` (each with its chunks),
  // in one transaction.
  Status ReplaceSource(const std::string& source_path, const std::string& content_hash,
                       const std::vector<Document>& documents);
  // Removes the source file `path`, or every source under the folder `path`. Returns how
  // many source files were removed (0 is not an error).
  Result<int> RemovePath(const std::string& path);

  // Right to erasure: removes the document whose id is `id` (a path, or "path#n" for one
  // mbox message) or every document of the source file `id`, with its chunks, in one
  // transaction. The source's row goes too when none of its documents is left; when some
  // are (one mbox message forgotten) it stays, so re-indexing the unchanged file does not
  // bring the message back. Nothing matched is not an error (zero counts).
  Result<ForgottenDocuments> ForgetDocument(const std::string& id);

  Result<std::vector<StoredDocument>> List();
  Result<StoreStats> Stats();
  // Up to k chunks ranked by BM25; an empty or all-punctuation query gives none.
  Result<std::vector<RetrievedChunk>> Retrieve(const std::string& query, int k,
                                               const RetrieveOptions& options = {});
  // One chunk by id (kNotFound when absent).
  Result<RetrievedChunk> GetChunk(const std::string& chunk_id);
  // PRAGMA integrity_check plus the FTS index's own check; OK or kCorrupt with details.
  Status CheckIntegrity();

 private:
  class Impl;
  explicit DocumentStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kolibri
