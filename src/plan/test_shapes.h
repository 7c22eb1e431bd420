// Test-model shapes for the planner's accuracy checks and benchmarks.
//
// Each shape copies the hyper-parameters of a real small model (layer count, widths, head
// counts, tied embeddings, sliding-window pattern) and takes its tokenizer from one of the
// vocabulary GGUFs shipped with the pinned llama.cpp source (models/ggml-vocab-*.gguf).
// MakeTestShapeSpec returns a SparseGgufSpec: written with WriteSparseGguf, it is a file
// llama.cpp loads with all-zero weights, whose memory footprint equals the real model's.
#pragma once

#include <string>
#include <vector>

#include "kolibri/ggml_type.h"
#include "kolibri/gguf_file.h"
#include "plan/sparse_gguf.h"

namespace kolibri::plan {

// "tiny", "smollm2-135m", "qwen2.5-0.5b", "qwen2.5-1.5b", "llama3.2-1b", "gemma3-270m-swa".
std::vector<std::string> TestShapeNames();
// The vocabulary file name a shape takes its tokenizer from ("ggml-vocab-qwen2.gguf").
Result<std::string> TestShapeVocabFile(const std::string& shape);

// The GGUF for `shape` with matrices stored as `matrix_type` (norms and biases stay f32).
// `vocab` must be opened with keep_long_string_arrays. A matrix whose row length is not a
// multiple of `matrix_type`'s block size falls back to q8_0, then f16, as llama.cpp's
// quantizer does. InvalidArgument for an unknown shape.
Result<SparseGgufSpec> MakeTestShapeSpec(const std::string& shape, const GgufFile& vocab,
                                         GgmlType matrix_type);

}  // namespace kolibri::plan
