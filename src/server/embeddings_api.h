// EmbeddingsApi: POST /v1/embeddings in the OpenAI shape, on an Embedder (an embedding-
// capable GGUF given to `kolibri serve --embedding-model`).
//
// Request: {"input": "text" | ["text", ...], "model": any, "encoding_format": "float"
// (default; "base64" is refused)}. Response: {"object": "list", "data": [{"object":
// "embedding", "index": i, "embedding": [...]}], "model", "usage": {"prompt_tokens",
// "total_tokens"}}. 400 for a missing or empty input, an empty string, token arrays, more
// than `max_inputs` texts, or a text longer than the embedding context.
#pragma once

#include <string>

#include "kolibri/embedder.h"
#include "net/http_server.h"

namespace kolibri::server {

class EmbeddingsApi {
 public:
  EmbeddingsApi(Embedder& embedder, std::string model_id, size_t max_inputs = 2048, int max_json_depth = 64)
      : embedder_(embedder), model_id_(std::move(model_id)), max_inputs_(max_inputs), max_json_depth_(max_json_depth) {}
  void RegisterRoutes(net::HttpServer& http);
  net::HttpResponse Handle(const net::HttpRequest& request);

 private:
  Embedder& embedder_;
  std::string model_id_;
  size_t max_inputs_;
  int max_json_depth_;
};

}  // namespace kolibri::server
