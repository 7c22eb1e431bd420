// Model: a loaded GGUF model (weights, vocabulary, chat template), shared read-only by
// every context and thread that uses it. Loading goes through llama.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kolibri/status.h"

namespace kolibri::grammar {
class VocabularyIndex;
}

struct llama_model;
struct llama_vocab;
struct common_chat_templates;

namespace kolibri {

struct ModelOptions {
  int gpu_layers = 0;          // layers to offload to a GPU backend (0: CPU only)
  bool use_mmap = true;        // map the file instead of reading it
  std::string chat_template;   // overrides the model's own Jinja template when non-empty
};

struct ChatMessage {
  std::string role;     // "system", "user", "assistant"
  std::string content;
};

struct TokenizeOptions {
  bool add_special = true;    // add BOS etc. as the model's metadata asks
  bool parse_special = true;  // turn "<|im_start|>" text into its special token
};

class Model {
 public:
  // Loads `path`. Errors: NotFound, Corrupt (not GGUF / truncated), Unsupported (unknown
  // architecture), Internal (llama.cpp refused the file for another reason).
  static Result<std::shared_ptr<Model>> Load(const std::string& path, const ModelOptions& options);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const std::string& path() const { return path_; }
  const std::string& architecture() const { return architecture_; }
  int32_t vocab_size() const;
  int32_t train_context() const;
  int32_t eos_token() const;
  // The token a chat model ends its reply with (end-of-turn, e.g. <|im_end|>), else eos.
  int32_t end_of_turn_token() const;
  bool IsEndOfGeneration(int32_t token) const;

  Result<std::vector<int32_t>> Tokenize(std::string_view text, const TokenizeOptions& options) const;
  // The raw bytes a token stands for (special tokens render as their text).
  std::string TokenToPiece(int32_t token) const;

  // Renders messages with the model's Jinja chat template (or ModelOptions::chat_template)
  // through llama.cpp's common chat support. FailedPrecondition when neither exists.
  Result<std::string> ApplyChatTemplate(const std::vector<ChatMessage>& messages,
                                        bool add_generation_prompt) const;
  bool has_chat_template() const { return templates_ != nullptr; }

  // The vocabulary as the grammar module needs it (token bytes, special and stop ids),
  // indexed for mask computation. Built on first use (~0.1 s for 150k tokens), then shared.
  // Thread-safe.
  std::shared_ptr<const grammar::VocabularyIndex> GrammarVocabulary() const;

  llama_model* raw() const { return model_; }
  const llama_vocab* vocab() const { return vocab_; }

 private:
  Model() = default;
  std::string path_;
  std::string architecture_;
  llama_model* model_ = nullptr;
  const llama_vocab* vocab_ = nullptr;
  common_chat_templates* templates_ = nullptr;
  mutable std::once_flag grammar_vocab_once_;
  mutable std::shared_ptr<const grammar::VocabularyIndex> grammar_vocab_;
};

}  // namespace kolibri
