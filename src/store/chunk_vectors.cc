#include "store/chunk_vectors.h"

#include <cmath>
#include <cstring>

namespace kolibri::store {

const char* const kChunkVectorsSchema = R"sql(
CREATE TABLE embedding_model(
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  identity TEXT NOT NULL,
  name TEXT NOT NULL,
  dimension INTEGER NOT NULL
);
CREATE TABLE chunk_vectors(
  chunk_rowid INTEGER PRIMARY KEY,
  vector BLOB NOT NULL
);
CREATE TRIGGER chunks_drop_vector AFTER DELETE ON chunks BEGIN
  DELETE FROM chunk_vectors WHERE chunk_rowid = old.chunk_rowid;
END;
)sql";

Result<std::optional<EmbeddingModelInfo>> ChunkVectors::Model() {
  KOLIBRI_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT identity, name, dimension FROM embedding_model"));
  KOLIBRI_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<EmbeddingModelInfo>();
  return std::optional<EmbeddingModelInfo>(EmbeddingModelInfo{st.Text(0), st.Text(1), static_cast<int32_t>(st.Int(2))});
}

Status ChunkVectors::SetModel(const EmbeddingModelInfo& model) {
  if (model.identity.empty() || model.dimension <= 0) {
    return Status::InvalidArgument("an embedding model needs an identity and a positive dimension");
  }
  Transaction tx(db_);
  KOLIBRI_RETURN_IF_ERROR(tx.Begin());
  KOLIBRI_ASSIGN_OR_RETURN(std::optional<EmbeddingModelInfo> current, Model());
  if (current.has_value()) {
    if (current->identity == model.identity && current->dimension == model.dimension) return Status::Ok();
    return Status::FailedPrecondition(
        "index '" + path_ + "' holds embeddings of '" + current->name + "' (" + std::to_string(current->dimension) +
        " dims, " + current->identity + "), not of '" + model.name + "' (" + std::to_string(model.dimension) +
        " dims, " + model.identity + "); use that model, or re-embed the index with --reembed");
  }
  KOLIBRI_ASSIGN_OR_RETURN(Statement st, db_->Prepare(
      "INSERT INTO embedding_model(singleton, identity, name, dimension) VALUES (1, ?1, ?2, ?3)"));
  KOLIBRI_RETURN_IF_ERROR(st.Bind(1, model.identity).Bind(2, model.name).Bind(3, int64_t{model.dimension}).Run());
  stale_ = true;
  return tx.Commit();
}

Status ChunkVectors::Clear() {
  Transaction tx(db_);
  KOLIBRI_RETURN_IF_ERROR(tx.Begin());
  KOLIBRI_RETURN_IF_ERROR(db_->Exec("DELETE FROM chunk_vectors; DELETE FROM embedding_model;"));
  stale_ = true;
  return tx.Commit();
}

Result<std::vector<PendingChunk>> ChunkVectors::Pending(int limit) {
  KOLIBRI_ASSIGN_OR_RETURN(Statement st, db_->Prepare(
      "SELECT c.id, d.title, c.heading_path, c.text FROM chunks c JOIN documents d ON d.doc_rowid = c.doc_rowid "
      "WHERE NOT EXISTS (SELECT 1 FROM chunk_vectors v WHERE v.chunk_rowid = c.chunk_rowid) "
      "ORDER BY c.chunk_rowid LIMIT ?1"));
  st.Bind(1, int64_t{limit});
  std::vector<PendingChunk> out;
  while (true) {
    KOLIBRI_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    PendingChunk p{st.Text(0), ""};
    for (int col : {1, 2, 3}) {
      std::string part = st.Text(col);
      if (part.empty()) continue;
      if (!p.text.empty()) p.text.push_back('\n');
      p.text += part;
    }
    out.push_back(std::move(p));
  }
  return out;
}

Status ChunkVectors::Put(const std::vector<std::pair<std::string, std::vector<float>>>& vectors) {
  KOLIBRI_ASSIGN_OR_RETURN(std::optional<EmbeddingModelInfo> model, Model());
  if (!model.has_value()) {
    return Status::FailedPrecondition("index '" + path_ + "' has no embedding model recorded; set one first");
  }
  for (const auto& [id, v] : vectors) {
    if (static_cast<int32_t>(v.size()) != model->dimension) {
      return Status::InvalidArgument("the vector of chunk '" + id + "' has " + std::to_string(v.size()) +
                                     " dimensions; the index's model '" + model->name + "' has " +
                                     std::to_string(model->dimension));
    }
    for (float x : v) {
      if (!std::isfinite(x)) return Status::InvalidArgument("the vector of chunk '" + id + "' is not finite");
    }
  }
  Transaction tx(db_);
  KOLIBRI_RETURN_IF_ERROR(tx.Begin());
  KOLIBRI_ASSIGN_OR_RETURN(Statement st, db_->Prepare(
      "INSERT OR REPLACE INTO chunk_vectors(chunk_rowid, vector) SELECT chunk_rowid, ?2 FROM chunks WHERE id = ?1"));
  for (const auto& [id, v] : vectors) {
    st.Reset();
    st.Bind(1, id).BindBlob(2, v.data(), v.size() * sizeof(float));
    KOLIBRI_RETURN_IF_ERROR(st.Run());
  }
  stale_ = true;
  return tx.Commit();
}

Result<int64_t> ChunkVectors::Count() { return db_->QueryInt("SELECT count(*) FROM chunk_vectors"); }

Status ChunkVectors::Load(int32_t dimension) {
  auto index = std::make_unique<VectorIndex>(dimension);
  KOLIBRI_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT chunk_rowid, vector FROM chunk_vectors"));
  std::vector<float> v(static_cast<size_t>(dimension));
  while (true) {
    KOLIBRI_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    const std::string_view blob = st.Blob(1);
    if (blob.size() != v.size() * sizeof(float)) {
      return Status::Corrupt("index '" + path_ + "': the vector of chunk row " + std::to_string(st.Int(0)) + " has " +
                             std::to_string(blob.size()) + " bytes, expected " +
                             std::to_string(v.size() * sizeof(float)));
    }
    std::memcpy(v.data(), blob.data(), blob.size());
    KOLIBRI_RETURN_IF_ERROR(index->Add(st.Int(0), v));
  }
  index_ = std::move(index);
  return Status::Ok();
}

Result<std::vector<VectorHit>> ChunkVectors::Search(std::span<const float> query, size_t k, int threads) {
  KOLIBRI_ASSIGN_OR_RETURN(std::optional<EmbeddingModelInfo> model, Model());
  if (!model.has_value()) {
    return Status::FailedPrecondition("index '" + path_ +
                                      "' has no embeddings (add them with kolibri index add --embedding-model M)");
  }
  if (static_cast<int32_t>(query.size()) != model->dimension) {
    return Status::InvalidArgument("the query vector has " + std::to_string(query.size()) +
                                   " dimensions but index '" + path_ + "' holds " +
                                   std::to_string(model->dimension) + "-dimensional vectors of '" + model->name + "'");
  }
  // data_version changes when another connection commits; this connection's own writes
  // mark the cache stale explicitly.
  KOLIBRI_ASSIGN_OR_RETURN(int64_t version, db_->QueryInt("PRAGMA data_version"));
  if (stale_ || index_ == nullptr || version != loaded_version_ || index_->dimension() != model->dimension) {
    KOLIBRI_RETURN_IF_ERROR(Load(model->dimension));
    loaded_version_ = version;
    stale_ = false;
  }
  return index_->Search(query, k, threads);
}

}  // namespace kolibri::store
