// SourceIndex: what grounded answers retrieve from — a document index (kolibri/document_store.h)
// plus, optionally, the embedding model its chunk vectors were made with.
//
// Search ranks by BM25 alone, or — when the SourceIndex has an embedder and the index holds
// vectors of that same model — by BM25 and vector similarity fused with reciprocal rank
// fusion (k = 60). An embedder given for an index without vectors is not an error: the
// search falls back to BM25 and says so in SourceSearch::warnings. An embedder of another
// model than the index's (by Embedder::Fingerprint, or by dimension) is refused at Open
// with FailedPrecondition naming both models.
//
// Thread safety: Search may be called from several threads; calls are serialised on the
// index's one SQLite connection (retrieval takes milliseconds; generation happens outside).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kolibri/document_store.h"
#include "kolibri/embedder.h"
#include "kolibri/status.h"

namespace kolibri::tasks {

struct SourceSearchOptions {
  int k = 5;                    // chunks returned (1..1000)
  HybridRetrieveOptions hybrid; // BM25 options (hybrid.bm25) and fusion settings
};

struct SourceSearch {
  std::vector<RetrievedChunk> chunks;  // best first
  std::string mode;                    // "bm25" or "hybrid"
  std::vector<std::string> warnings;   // e.g. the BM25 fallback
  int64_t query_tokens = 0;            // tokens the query embedding took (hybrid)
};

class SourceIndex {
 public:
  // Opens `index_path` (must exist; an index of an older schema is upgraded). `embedder`
  // may be null (BM25 only). Errors: NotFound (no such file), the store's errors,
  // FailedPrecondition (the embedder is not the index's embedding model).
  static Result<std::unique_ptr<SourceIndex>> Open(const std::string& index_path, std::shared_ptr<Embedder> embedder);

  // InvalidArgument for an empty query or k outside 1..1000.
  Result<SourceSearch> Search(const std::string& query, const SourceSearchOptions& options);

  // True when searches fuse vector ranks (an embedder of the index's model and stored vectors).
  bool hybrid() const { return hybrid_; }
  const std::string& path() const { return path_; }

 private:
  SourceIndex() = default;
  std::string path_;
  std::unique_ptr<DocumentStore> store_;
  std::shared_ptr<Embedder> embedder_;
  bool hybrid_ = false;
  std::string fallback_warning_;
  std::mutex mu_;
};

struct EmbedChunksOptions {
  int batch = 64;   // chunks embedded and committed together
  bool reembed = false;  // drop every stored vector (and the model record) first
  // Called after every committed batch with (chunks embedded so far, chunks that were pending).
  std::function<void(int64_t, int64_t)> progress;
};

// Computes and stores a vector for every chunk of `store` that has none, recording the
// embedder's model as the index's (FailedPrecondition when the index holds another model's
// vectors and reembed is off). Texts longer than the embedder's context must be allowed to
// be cut (EmbedderOptions::truncate). Resumable: each batch commits on its own. Returns
// the number of chunks embedded.
Result<int64_t> EmbedPendingChunks(DocumentStore& store, Embedder& embedder, const EmbedChunksOptions& options = {});

}  // namespace kolibri::tasks
