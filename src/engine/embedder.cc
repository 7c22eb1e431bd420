#include "kolibri/embedder.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <thread>

#include "engine/llama_backend.h"
#include "kolibri/sha256.h"
#include "llama.h"

namespace kolibri {
namespace {

enum llama_pooling_type ToLlama(EmbeddingPooling p) {
  switch (p) {
    case EmbeddingPooling::kMean: return LLAMA_POOLING_TYPE_MEAN;
    case EmbeddingPooling::kCls: return LLAMA_POOLING_TYPE_CLS;
    case EmbeddingPooling::kLast: return LLAMA_POOLING_TYPE_LAST;
    case EmbeddingPooling::kModel: break;
  }
  return LLAMA_POOLING_TYPE_UNSPECIFIED;
}

struct BatchDeleter {
  void operator()(llama_batch* b) const {
    llama_batch_free(*b);
    delete b;
  }
};

}  // namespace

Result<std::unique_ptr<Embedder>> Embedder::Create(std::shared_ptr<const Model> model,
                                                   const EmbedderOptions& options) {
  if (model == nullptr) return Status::InvalidArgument("no model given");
  if (options.context < 0) return Status::InvalidArgument("context must be >= 0");
  if (options.max_sequences < 1 || options.max_sequences > 256) {
    return Status::InvalidArgument("max_sequences must be within 1..256");
  }
  if (options.threads < 0) return Status::InvalidArgument("threads must be >= 0");
  engine::EnsureLlamaBackend();
  std::unique_ptr<Embedder> e(new Embedder());
  e->model_ = std::move(model);
  e->options_ = options;
  llama_model* m = e->model_->raw();
  const int32_t train = std::max(1, e->model_->train_context());
  e->context_ = options.context > 0 ? options.context : std::min(train, 8192);
  e->encoder_only_ = llama_model_has_encoder(m) && !llama_model_has_decoder(m);

  const int32_t threads =
      options.threads > 0 ? options.threads : std::max(1, static_cast<int32_t>(std::thread::hardware_concurrency()));
  auto make = [&](enum llama_pooling_type pooling) {
    llama_context_params cp = llama_context_default_params();
    // The KV (for decoders) holds a whole batch of texts; encoders have none.
    cp.n_ctx = static_cast<uint32_t>(e->context_) * static_cast<uint32_t>(options.max_sequences);
    cp.n_batch = cp.n_ctx;
    cp.n_ubatch = static_cast<uint32_t>(e->context_);  // non-causal attention: a text in one ubatch
    cp.n_seq_max = static_cast<uint32_t>(options.max_sequences);
    cp.kv_unified = true;
    cp.embeddings = true;
    cp.pooling_type = pooling;
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    cp.no_perf = true;
    return llama_init_from_model(m, cp);
  };
  e->ctx_ = make(ToLlama(options.pooling));
  if (e->ctx_ != nullptr && llama_pooling_type(e->ctx_) == LLAMA_POOLING_TYPE_NONE) {
    // A decoder without declared pooling: mean pooling is the usual choice.
    llama_free(e->ctx_);
    e->ctx_ = make(LLAMA_POOLING_TYPE_MEAN);
  }
  if (e->ctx_ == nullptr) {
    return Status::Internal("llama.cpp could not create an embedding context for '" + e->model_->path() + "'");
  }
  e->pooling_ = static_cast<int32_t>(llama_pooling_type(e->ctx_));
  e->dimension_ = llama_model_n_embd_out(m) > 0 ? llama_model_n_embd_out(m) : llama_model_n_embd(m);
  return e;
}

Embedder::~Embedder() {
  if (ctx_ != nullptr) llama_free(ctx_);
}

Result<EmbeddingResult> Embedder::Embed(const std::vector<std::string>& texts) {
  EmbeddingResult result;
  std::vector<std::vector<int32_t>> tokens(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].empty()) return Status::InvalidArgument("text " + std::to_string(i) + " is empty");
    KOLIBRI_ASSIGN_OR_RETURN(tokens[i], model_->Tokenize(texts[i], TokenizeOptions{.add_special = true,
                                                                                   .parse_special = false}));
    if (static_cast<int32_t>(tokens[i].size()) > context_) {
      if (!options_.truncate) {
        return Status::OutOfRange("text " + std::to_string(i) + " has " + std::to_string(tokens[i].size()) +
                                  " tokens; the embedding context holds " + std::to_string(context_) +
                                  " (enable truncation or split the text)");
      }
      // Keep the end-of-text token a BERT-style encoder expects ([SEP]).
      const int32_t last = tokens[i].back();
      tokens[i].resize(static_cast<size_t>(context_));
      if (last == llama_vocab_sep(model_->vocab())) tokens[i].back() = last;
    }
    result.prompt_tokens += static_cast<int64_t>(tokens[i].size());
  }
  result.vectors.resize(texts.size());
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t first = 0; first < tokens.size();) {
    // llama_encode takes a batch in one ubatch (n_ubatch = context_): texts go together
    // only while their tokens fit it.
    size_t count = 1;
    int32_t batch_tokens = static_cast<int32_t>(tokens[first].size());
    while (first + count < tokens.size() && count < static_cast<size_t>(options_.max_sequences) &&
           batch_tokens + static_cast<int32_t>(tokens[first + count].size()) <= context_) {
      batch_tokens += static_cast<int32_t>(tokens[first + count].size());
      ++count;
    }
    KOLIBRI_RETURN_IF_ERROR(EncodeBatch(tokens, first, count, result.vectors));
    first += count;
  }
  return result;
}

Status Embedder::EncodeBatch(const std::vector<std::vector<int32_t>>& tokens, size_t first, size_t count,
                             std::vector<std::vector<float>>& out) {
  int32_t total = 0;
  for (size_t i = first; i < first + count; ++i) total += static_cast<int32_t>(tokens[i].size());
  std::unique_ptr<llama_batch, BatchDeleter> batch(new llama_batch(llama_batch_init(total, 0, 1)));
  llama_batch& b = *batch;
  b.n_tokens = 0;
  for (size_t i = first; i < first + count; ++i) {
    const auto seq = static_cast<llama_seq_id>(i - first);
    for (size_t p = 0; p < tokens[i].size(); ++p) {
      const int32_t k = b.n_tokens++;
      b.token[k] = tokens[i][p];
      b.pos[k] = static_cast<llama_pos>(p);
      b.n_seq_id[k] = 1;
      b.seq_id[k][0] = seq;
      b.logits[k] = (pooling_ == LLAMA_POOLING_TYPE_LAST && p + 1 == tokens[i].size()) ? 1 : 0;
    }
  }
  if (llama_memory_t mem = llama_get_memory(ctx_)) llama_memory_clear(mem, true);
  const int32_t rc = encoder_only_ ? llama_encode(ctx_, b) : llama_decode(ctx_, b);
  if (rc != 0) return Status::Internal("llama.cpp failed to encode a batch of texts (code " + std::to_string(rc) + ")");
  for (size_t i = first; i < first + count; ++i) {
    const float* v = llama_get_embeddings_seq(ctx_, static_cast<llama_seq_id>(i - first));
    if (v == nullptr) return Status::Internal("llama.cpp returned no pooled embedding");
    std::vector<float>& dst = out[i];
    dst.assign(v, v + dimension_);
    if (options_.normalize) {
      double norm = 0;
      for (float x : dst) norm += static_cast<double>(x) * x;
      norm = std::sqrt(norm);
      if (norm > 0) {
        for (float& x : dst) x = static_cast<float>(x / norm);
      }
    }
  }
  return Status::Ok();
}

Result<std::string> Embedder::Fingerprint() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!fingerprint_.empty()) return fingerprint_;
  constexpr std::streamoff kPart = 4 << 20;
  std::ifstream f(model_->path(), std::ios::binary | std::ios::ate);
  if (!f) return Status::IoError("cannot read the embedding model '" + model_->path() + "' to fingerprint it");
  const std::streamoff size = f.tellg();
  Sha256 h;
  h.Update(std::to_string(size) + "\n");
  std::string buf;
  auto read = [&](std::streamoff from, std::streamoff n) {
    buf.resize(static_cast<size_t>(n));
    f.seekg(from);
    f.read(buf.data(), n);
    h.Update(buf.data(), static_cast<size_t>(f.gcount()));
  };
  read(0, std::min(size, kPart));
  if (size > kPart) read(std::max(kPart, size - kPart), std::min(kPart, size - kPart));
  if (f.bad()) return Status::IoError("cannot read the embedding model '" + model_->path() + "'");
  fingerprint_ = model_->architecture() + "-" + std::to_string(dimension_) + "d-" + h.HexDigest().substr(0, 16);
  return fingerprint_;
}

}  // namespace kolibri
