// WriteSparseGguf: writes a valid GGUF file whose tensor data is left as a hole.
//
// The planner's tests and benchmarks need GGUF files in real shapes (and of real sizes,
// up to several GB) without spending disk or time on weights: the header is written in
// full, then the file is extended to its final length with ftruncate, so the data reads
// back as zeros and occupies no disk blocks on file systems with sparse-file support.
// llama.cpp loads such files like any other (all-zero weights are valid in every type).
// Thread safety: a free function; callers must not write the same path concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kolibri/gguf_file.h"
#include "kolibri/status.h"

namespace kolibri::plan {

struct SparseGgufTensor {
  std::string name;
  std::vector<int64_t> dims;  // ne[0] (innermost) first
  GgmlType type = GgmlType::kF32;
};

struct SparseGgufSpec {
  // Key/values in the order they are written. Arrays use GgufValue::numbers or ::strings
  // according to array_type.
  std::vector<std::pair<std::string, GgufValue>> metadata;
  std::vector<SparseGgufTensor> tensors;
  uint32_t alignment = 32;  // GGUF default; written as general.alignment only when not 32
};

// Helpers to build metadata values.
GgufValue GgufString(std::string value);
GgufValue GgufU32(uint32_t value);
GgufValue GgufF32(float value);
GgufValue GgufBool(bool value);

// Writes `spec` to `path` (overwriting). InvalidArgument when a tensor's first dimension
// is not a multiple of its type's block size; IoError when the file cannot be written.
Status WriteSparseGguf(const std::string& path, const SparseGgufSpec& spec);

}  // namespace kolibri::plan
