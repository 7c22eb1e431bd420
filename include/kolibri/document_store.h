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
// Embeddings (schema version 2): optionally one dense vector per chunk, all from one
// embedding model whose identity the index records (EmbeddingModelInfo), so vectors of
// different models never mix and a query embedded by another model is refused. Vectors
// are written after their chunks (PutEmbeddings); chunks without one are listed by
// ChunksWithoutEmbedding, so an interrupted embedding run resumes where it stopped.
// RetrieveHybrid fuses the BM25 ranking with an exact inner-product scan over the vectors
// (kolibri/vector_index.h, rebuilt in memory from the file on first use and after any
// commit) by reciprocal rank fusion (kolibri/rank_fusion.h, k = 60).
//
// Errors: a locked index (another writer holds it past the busy timeout) is kUnavailable,
// a file that is not a Kolibri index or is damaged is kCorrupt, an index written by a newer
// Kolibri is kUnsupported. Thread safety: one DocumentStore per thread; several processes
// may read while one writes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
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

struct HybridRetrieveOptions {
  RetrieveOptions bm25;   // how the BM25 side ranks
  int candidates = 0;     // ranks taken from each retriever before fusing; 0: max(4 k, 50)
  int rrf_k = 60;         // the reciprocal rank fusion constant (kolibri/rank_fusion.h)
  int threads = 1;        // threads of the vector scan
};

// The embedding model whose vectors an index holds.
struct EmbeddingModelInfo {
  std::string identity;   // a fingerprint of the model file (see Embedder::Fingerprint)
  std::string name;       // the model file's name, for messages
  int32_t dimension = 0;
};

// A chunk that has no vector yet, with the text an embedding is computed from.
struct PendingChunk {
  std::string chunk_id;
  std::string text;       // title, heading path and chunk text, one per line (empty ones left out)
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
  double score = 0;           // Retrieve: BM25, higher is better (SQLite's bm25() negated);
                              // RetrieveHybrid: the fused RRF score
  int bm25_rank = 0;          // 1-based rank in the BM25 list; 0: not found by BM25
  double bm25_score = 0;
  int vector_rank = 0;        // 1-based rank in the vector list; 0: not found by it
  double similarity = 0;      // inner product with the query vector (cosine when normalized)
  // "bm25", "vector" or "bm25+vector": which retrievers found the chunk.
  std::string FoundBy() const;
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
  int64_t embedded_chunks = 0;  // chunks with a stored vector
};

class DocumentStore {
 public:
  // The schema version this build writes (PRAGMA user_version).
  static constexpr int kSchemaVersion = 2;

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
  // The fused BM25 + vector ranking: up to k chunks, best first, each with both ranks.
  // InvalidArgument when query_vector's dimension differs from the index's; FailedPrecondition
  // when the index holds no embeddings. An empty query text ranks by the vector alone.
  Result<std::vector<RetrievedChunk>> RetrieveHybrid(const std::string& query, std::span<const float> query_vector,
                                                     int k, const HybridRetrieveOptions& options = {});

  // The recorded embedding model; nullopt when the index has none.
  Result<std::optional<EmbeddingModelInfo>> EmbeddingModel();
  // Records the index's embedding model. FailedPrecondition when a different one (by
  // identity) is recorded: vectors of two models are not comparable (ClearEmbeddings first).
  Status SetEmbeddingModel(const EmbeddingModelInfo& model);
  // Drops every vector and the model record.
  Status ClearEmbeddings();
  // Up to `limit` chunks without a vector, in storage order.
  Result<std::vector<PendingChunk>> ChunksWithoutEmbedding(int limit);
  // Stores (chunk id, vector) pairs in one transaction, replacing older vectors. Chunks
  // removed meanwhile are skipped. FailedPrecondition without a model record;
  // InvalidArgument for a vector of the wrong dimension or with a non-finite value.
  Status PutEmbeddings(const std::vector<std::pair<std::string, std::vector<float>>>& vectors);

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
