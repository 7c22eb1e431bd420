// Vocabulary: what the grammar module knows about a tokenizer — token id → raw bytes, which
// ids are special (control tokens: never allowed by a mask) and which end generation.
//
// The engine builds one from llama.cpp (llama_token_to_piece per id); tests and benchmarks
// build one from the token strings stored in a GGUF with the decoders below. A Vocabulary is
// a plain value; VocabularyIndex (compiled_grammar.h) is the shared precomputation over it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kolibri/status.h"

namespace kolibri::grammar {

struct Vocabulary {
  std::vector<std::string> token_bytes;  // raw bytes of each token id (may be empty)
  std::vector<bool> special;             // control tokens: masked out always
  std::vector<int32_t> stop_ids;         // EOS/EOT ids: allowed only when the grammar is complete
  // Identifies the vocabulary in caches (e.g. the model file name plus its size).
  std::string id;

  size_t size() const { return token_bytes.size(); }
};

// GGUF `tokenizer.ggml.token_type` values (llama.cpp's llama_token_type).
enum class TokenType : int32_t {
  kUndefined = 0, kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6,
};

struct TokenListOptions {
  // Token strings as stored in GGUF `tokenizer.ggml.tokens`.
  std::vector<std::string> tokens;
  // Parallel to `tokens` (may be empty: all normal). Control/unknown/unused → special.
  std::vector<int32_t> token_types;
  std::vector<int32_t> stop_ids;
  std::string id;
};

// GPT-2 byte-level BPE (Qwen2, Llama 3, GPT-2): each character of a token string stands for
// one byte via GPT-2's bytes_to_unicode table; user-defined tokens are kept verbatim.
// InvalidArgument when a token holds a character outside that table.
Result<Vocabulary> VocabularyFromByteLevelBpe(const TokenListOptions& options);

// SentencePiece (Llama 2, Gemma): "▁" stands for a space, "<0xAB>" byte tokens are the byte.
Result<Vocabulary> VocabularyFromSentencePiece(const TokenListOptions& options);

}  // namespace kolibri::grammar
