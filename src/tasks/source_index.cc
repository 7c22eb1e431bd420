#include "kolibri/tasks/source_index.h"

#include <filesystem>

namespace kolibri::tasks {
namespace {

Result<EmbeddingModelInfo> ModelInfo(Embedder& embedder) {
  KOLIBRI_ASSIGN_OR_RETURN(std::string identity, embedder.Fingerprint());
  return EmbeddingModelInfo{identity, std::filesystem::path(embedder.model().path()).filename().string(),
                            embedder.dimension()};
}

}  // namespace

Result<std::unique_ptr<SourceIndex>> SourceIndex::Open(const std::string& index_path,
                                                       std::shared_ptr<Embedder> embedder) {
  std::error_code ec;
  if (!std::filesystem::exists(index_path, ec)) {
    return Status::NotFound("index '" + index_path + "' does not exist (build it with kolibri index add)");
  }
  std::unique_ptr<SourceIndex> s(new SourceIndex());
  s->path_ = index_path;
  StoreOptions so;
  so.create = false;
  KOLIBRI_ASSIGN_OR_RETURN(s->store_, DocumentStore::Open(index_path, so));
  s->embedder_ = std::move(embedder);
  if (s->embedder_ == nullptr) return s;
  KOLIBRI_ASSIGN_OR_RETURN(std::optional<EmbeddingModelInfo> stored, s->store_->EmbeddingModel());
  KOLIBRI_ASSIGN_OR_RETURN(EmbeddingModelInfo mine, ModelInfo(*s->embedder_));
  KOLIBRI_ASSIGN_OR_RETURN(StoreStats stats, s->store_->Stats());
  if (!stored.has_value() || stats.embedded_chunks == 0) {
    s->fallback_warning_ = "index '" + index_path + "' has no embeddings; searching by BM25 only (add them with "
                           "kolibri index add --index " + index_path + " --embedding-model " + mine.name + ")";
    return s;
  }
  if (stored->dimension != mine.dimension) {
    return Status::FailedPrecondition("embedding model '" + mine.name + "' makes " + std::to_string(mine.dimension) +
                                      "-dimensional vectors but index '" + index_path + "' holds " +
                                      std::to_string(stored->dimension) + "-dimensional ones of '" + stored->name +
                                      "'; use that model");
  }
  if (stored->identity != mine.identity) {
    return Status::FailedPrecondition("index '" + index_path + "' was embedded with '" + stored->name + "' (" +
                                      stored->identity + "), not with '" + mine.name + "' (" + mine.identity +
                                      "); use that model or re-embed with kolibri index add --reembed");
  }
  s->hybrid_ = true;
  return s;
}

Result<SourceSearch> SourceIndex::Search(const std::string& query, const SourceSearchOptions& options) {
  if (query.find_first_not_of(" \t\r\n") == std::string::npos) return Status::InvalidArgument("the query is empty");
  if (options.k <= 0 || options.k > 1000) {
    return Status::InvalidArgument("k must be between 1 and 1000, got " + std::to_string(options.k));
  }
  SourceSearch out;
  if (!hybrid_) {
    if (!fallback_warning_.empty()) out.warnings.push_back(fallback_warning_);
    out.mode = "bm25";
    std::lock_guard<std::mutex> lock(mu_);
    KOLIBRI_ASSIGN_OR_RETURN(out.chunks, store_->Retrieve(query, options.k, options.hybrid.bm25));
    return out;
  }
  out.mode = "hybrid";
  KOLIBRI_ASSIGN_OR_RETURN(EmbeddingResult e, embedder_->Embed({query}));
  out.query_tokens = e.prompt_tokens;
  std::lock_guard<std::mutex> lock(mu_);
  KOLIBRI_ASSIGN_OR_RETURN(out.chunks, store_->RetrieveHybrid(query, e.vectors[0], options.k, options.hybrid));
  return out;
}

Result<int64_t> EmbedPendingChunks(DocumentStore& store, Embedder& embedder, const EmbedChunksOptions& options) {
  if (options.batch <= 0) return Status::InvalidArgument("the embedding batch must be positive");
  if (options.reembed) KOLIBRI_RETURN_IF_ERROR(store.ClearEmbeddings());
  KOLIBRI_ASSIGN_OR_RETURN(EmbeddingModelInfo info, ModelInfo(embedder));
  KOLIBRI_RETURN_IF_ERROR(store.SetEmbeddingModel(info));
  KOLIBRI_ASSIGN_OR_RETURN(StoreStats stats, store.Stats());
  const int64_t pending = stats.chunks - stats.embedded_chunks;
  int64_t done = 0;
  while (true) {
    KOLIBRI_ASSIGN_OR_RETURN(std::vector<PendingChunk> batch, store.ChunksWithoutEmbedding(options.batch));
    if (batch.empty()) break;
    std::vector<std::string> texts;
    for (const PendingChunk& c : batch) texts.push_back(c.text.empty() ? std::string(" ") : c.text);
    KOLIBRI_ASSIGN_OR_RETURN(EmbeddingResult e, embedder.Embed(texts));
    std::vector<std::pair<std::string, std::vector<float>>> vectors;
    for (size_t i = 0; i < batch.size(); ++i) vectors.emplace_back(batch[i].chunk_id, std::move(e.vectors[i]));
    KOLIBRI_RETURN_IF_ERROR(store.PutEmbeddings(vectors));
    done += static_cast<int64_t>(batch.size());
    if (options.progress) options.progress(done, pending);
    // Chunks another writer adds meanwhile are embedded too, but the loop is bounded.
    if (done > pending + options.batch) break;
  }
  return done;
}

}  // namespace kolibri::tasks
