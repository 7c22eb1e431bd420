// The store's embedding side (see kolibri/document_store.h): the table of chunk vectors,
// the record of the model that made them, and the in-memory VectorIndex built from them.
// Vectors are stored as float32 BLOBs in native (little-endian on every supported CPU)
// byte order, keyed by the chunk's rowid; a trigger drops a chunk's vector with the chunk.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kolibri/document_store.h"
#include "kolibri/vector_index.h"
#include "store/sqlite_handle.h"

namespace kolibri::store {

// Migration from schema version 1 to 2.
extern const char* const kChunkVectorsSchema;

class ChunkVectors {
 public:
  // `db` must outlive this object; `path` names the index in messages.
  ChunkVectors(Connection* db, std::string path) : db_(db), path_(std::move(path)) {}

  Result<std::optional<EmbeddingModelInfo>> Model();
  Status SetModel(const EmbeddingModelInfo& model);
  Status Clear();
  Result<std::vector<PendingChunk>> Pending(int limit);
  Status Put(const std::vector<std::pair<std::string, std::vector<float>>>& vectors);
  Result<int64_t> Count();
  // The k chunk rowids whose vectors have the highest inner product with `query`.
  Result<std::vector<VectorHit>> Search(std::span<const float> query, size_t k, int threads);
  // Call after this connection writes chunks (other connections' commits are noticed).
  void Invalidate() { stale_ = true; }

 private:
  Status Load(int32_t dimension);
  Connection* db_;
  std::string path_;
  std::unique_ptr<VectorIndex> index_;
  bool stale_ = true;
  int64_t loaded_version_ = -1;
};

}  // namespace kolibri::store
