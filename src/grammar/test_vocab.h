// Test helpers: a byte vocabulary (one token per byte plus a stop token) and the Qwen2
// vocabulary read from the pinned llama.cpp source tree (null when it is not there).
#pragma once

#include <memory>
#include <string>

#include "kolibri/grammar/compiled_grammar.h"

namespace kolibri::grammar::testing {

// Tokens 0..255 are the bytes, 256 is the stop token, 257 a control token, plus a few
// multi-byte tokens ("{\"", "\":", "true", "ab") to exercise tokens spanning rules.
std::shared_ptr<const VocabularyIndex> ByteVocabulary();
// ggml-vocab-qwen2.gguf from KOLIBRI_LLAMA_SOURCE_DIR (compile definition or env var).
std::shared_ptr<const VocabularyIndex> Qwen2Vocabulary();
// The pinned llama.cpp source tree (compile definition or $KOLIBRI_LLAMA_SOURCE_DIR); "" if unknown.
std::string LlamaSourceDir();
// Greedy longest-match segmentation of `text` into token ids of `vocab` (-1 entries never).
std::vector<int32_t> GreedyTokenize(const VocabularyIndex& vocab, const std::string& text);

}  // namespace kolibri::grammar::testing
