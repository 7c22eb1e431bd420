// GgufFile: the metadata and tensor table of a GGUF file, read without touching weights.
//
// Open() reads only the header (key/values and tensor infos), so it returns in
// milliseconds even for multi-GB files. Every size and count read from the file is checked
// against the file's length before anything is allocated, so a truncated or hostile file
// yields Status::Corrupt naming what is wrong and where, never a crash or a huge allocation.
// Thread safety: an opened GgufFile is immutable; share it freely.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kolibri/ggml_type.h"
#include "kolibri/status.h"

namespace kolibri {

enum class GgufValueType : uint32_t {
  kUint8 = 0, kInt8 = 1, kUint16 = 2, kInt16 = 3, kUint32 = 4, kInt32 = 5, kFloat32 = 6,
  kBool = 7, kString = 8, kArray = 9, kUint64 = 10, kInt64 = 11, kFloat64 = 12,
};

// One metadata value. Scalars fill exactly one of `integer` (all integer types and bool),
// `real` or `string`. Arrays record their element type and length; numeric and bool
// elements are kept in `numbers`, string elements in `strings` (only when the reader was
// asked to keep them or the array is small — tokenizer vocabularies are long).
struct GgufValue {
  GgufValueType type = GgufValueType::kUint8;
  int64_t integer = 0;
  double real = 0.0;
  std::string string;
  GgufValueType array_type = GgufValueType::kUint8;
  uint64_t array_size = 0;
  std::vector<double> numbers;
  std::vector<std::string> strings;
};

struct GgufTensorInfo {
  std::string name;
  std::vector<int64_t> dims;  // ne[0] (innermost) first, 1 to 4 entries
  GgmlType type = GgmlType::kF32;
  uint64_t offset = 0;  // relative to GgufFile::data_offset()
  uint64_t n_elements = 0;
  uint64_t n_bytes = 0;
};

struct GgufReadOptions {
  // Keep every element of string arrays (e.g. the tokenizer vocabulary). Default: keep
  // string arrays of at most 4,096 elements, record only the length of longer ones.
  bool keep_long_string_arrays = false;
};

class GgufFile {
 public:
  // Reads the header of `path`. Errors: NotFound (no such file), IoError (unreadable),
  // Corrupt (not GGUF, truncated, inconsistent), Unsupported (GGUF version or tensor type).
  static Result<GgufFile> Open(const std::string& path, const GgufReadOptions& options = {});

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t file_size() const { return file_size_; }
  uint64_t data_offset() const { return data_offset_; }
  uint32_t alignment() const { return alignment_; }
  const std::map<std::string, GgufValue>& metadata() const { return metadata_; }
  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }

  const GgufValue* Find(const std::string& key) const;
  std::optional<std::string> GetString(const std::string& key) const;
  // Integer or bool scalars; also a float that holds an integral value.
  std::optional<int64_t> GetInt(const std::string& key) const;
  // Any numeric scalar.
  std::optional<double> GetReal(const std::string& key) const;
  // Length of an array value.
  std::optional<uint64_t> GetArraySize(const std::string& key) const;
  const GgufTensorInfo* FindTensor(const std::string& name) const;

  // general.architecture, or "" when missing.
  std::string architecture() const;
  // "<architecture>.<suffix>" looked up as an integer (e.g. ArchInt("block_count")).
  std::optional<int64_t> ArchInt(const std::string& suffix) const;
  std::optional<double> ArchReal(const std::string& suffix) const;
  // Per-layer integer values: a scalar repeated `n_layer` times, or an array's elements.
  std::optional<std::vector<int64_t>> ArchPerLayer(const std::string& suffix, int64_t n_layer) const;

  uint64_t TotalParameters() const;
  uint64_t TotalTensorBytes() const;

  // A copy whose tensors are stored as `types` (one per tensor, in table order) — what the
  // file would be after re-quantization. Byte sizes are recomputed and offsets laid out
  // afresh in table order with the file's alignment. InvalidArgument when the counts
  // differ or a row length is not a multiple of a new type's block size.
  Result<GgufFile> WithTensorTypes(const std::vector<GgmlType>& types) const;

 private:
  std::string path_;
  uint32_t version_ = 0;
  uint64_t file_size_ = 0;
  uint64_t data_offset_ = 0;
  uint32_t alignment_ = 32;
  std::map<std::string, GgufValue> metadata_;
  std::vector<GgufTensorInfo> tensors_;
  friend class GgufParser;
};

}  // namespace kolibri
