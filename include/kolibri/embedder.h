// Embedder: dense text embeddings from an embedding-capable GGUF (BERT-family encoders such
// as bge, or any decoder with mean pooling) through llama.cpp. Used by the document store
// for hybrid retrieval and by the server's POST /v1/embeddings.
//
// Thread safety: Embed() may be called from several threads; calls are serialized on the
// embedder's own llama.cpp context (separate from any scheduler's context).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kolibri/model.h"
#include "kolibri/status.h"

struct llama_context;

namespace kolibri {

enum class EmbeddingPooling {
  kModel,  // what the GGUF declares (bge: CLS); mean when it declares none
  kMean,
  kCls,
  kLast,
};

struct EmbedderOptions {
  int32_t context = 0;        // tokens per text at most; 0: the model's training context (≤ 8192)
  int32_t max_sequences = 16; // texts encoded together in one batch
  int32_t threads = 0;        // 0: all hardware threads
  EmbeddingPooling pooling = EmbeddingPooling::kModel;
  bool normalize = true;      // L2-normalize each vector (cosine similarity = dot product)
  bool truncate = false;      // cut texts longer than `context` instead of failing
};

struct EmbeddingResult {
  std::vector<std::vector<float>> vectors;  // one per input text, in order
  int64_t prompt_tokens = 0;                // tokens encoded over all texts
};

class Embedder {
 public:
  // Errors: InvalidArgument for bad options, Internal when llama.cpp cannot make a context.
  static Result<std::unique_ptr<Embedder>> Create(std::shared_ptr<const Model> model,
                                                  const EmbedderOptions& options);
  ~Embedder();
  Embedder(const Embedder&) = delete;
  Embedder& operator=(const Embedder&) = delete;

  int32_t dimension() const { return dimension_; }
  int32_t context() const { return context_; }
  const Model& model() const { return *model_; }
  // Identifies the model's vectors: "<architecture>-<dimension>d-<16 hex digits of SHA-256
  // over the file's size, its first and its last 4 MiB>" (weights live at the end, the
  // header at the start, so two files differ here unless they hold the same model; hashing
  // only 8 MiB keeps it fast on large files). Computed once. IoError when the file cannot
  // be read.
  Result<std::string> Fingerprint();

  // Embeds every text. Errors: InvalidArgument (an empty text), OutOfRange (a text longer
  // than context() when truncate is off, naming its index and length).
  Result<EmbeddingResult> Embed(const std::vector<std::string>& texts);

 private:
  Embedder() = default;
  Status EncodeBatch(const std::vector<std::vector<int32_t>>& tokens, size_t first, size_t count,
                     std::vector<std::vector<float>>& out);

  std::shared_ptr<const Model> model_;
  EmbedderOptions options_;
  llama_context* ctx_ = nullptr;
  int32_t dimension_ = 0;
  int32_t context_ = 0;
  int32_t pooling_ = 0;  // llama_pooling_type actually used
  bool encoder_only_ = false;
  std::string fingerprint_;
  std::mutex mu_;
};

}  // namespace kolibri
