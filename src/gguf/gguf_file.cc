#include "kolibri/gguf_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

namespace kolibri {
namespace {

constexpr uint32_t kMaxDims = 4;
constexpr uint64_t kKeepStringArrayLimit = 4096;
constexpr uint64_t kMaxStringBytes = uint64_t{1} << 30;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

// Reads the header sequentially through a buffered FILE*. Every length is checked
// against the bytes left in the file before it is trusted, so allocations stay bounded
// by the file size and truncation is reported at the field where it happens.
class GgufParser {
 public:
  GgufParser(std::FILE* f, uint64_t size, const GgufReadOptions& options)
      : f_(f), size_(size), options_(options) {}

  Status Parse(GgufFile& out) {
    char magic[4];
    if (size_ < 4 || !ReadRaw(magic, 4)) return Status::Corrupt("file is too short to be GGUF");
    if (std::memcmp(magic, "GGUF", 4) != 0) {
      return Status::Corrupt("not a GGUF file (magic bytes are not 'GGUF')");
    }
    uint32_t version = 0;
    KOLIBRI_RETURN_IF_ERROR(Read(version, "version"));
    if (version < 2 || version > 3) {
      return Status::Unsupported("GGUF version " + std::to_string(version) +
                                 " is not supported (expected 2 or 3)");
    }
    out.version_ = version;
    uint64_t n_tensors = 0, n_kv = 0;
    KOLIBRI_RETURN_IF_ERROR(Read(n_tensors, "tensor count"));
    KOLIBRI_RETURN_IF_ERROR(Read(n_kv, "metadata count"));
    // Each key/value needs at least 12 bytes and each tensor info at least 24.
    if (n_kv > Left() / 12 || n_tensors > Left() / 24) {
      return Status::Corrupt("header claims " + std::to_string(n_kv) + " metadata entries and " +
                             std::to_string(n_tensors) + " tensors, more than the file can hold");
    }
    for (uint64_t i = 0; i < n_kv; ++i) {
      std::string key;
      KOLIBRI_RETURN_IF_ERROR(ReadString(key, "metadata key #" + std::to_string(i)));
      GgufValue value;
      KOLIBRI_RETURN_IF_ERROR(ReadValue(value, key));
      out.metadata_[key] = std::move(value);
    }
    if (auto a = out.GetInt("general.alignment")) {
      if (*a <= 0 || (*a & (*a - 1)) != 0) {
        return Status::Corrupt("general.alignment is " + std::to_string(*a) + ", not a power of two");
      }
      out.alignment_ = static_cast<uint32_t>(*a);
    }
    out.tensors_.reserve(n_tensors);
    for (uint64_t i = 0; i < n_tensors; ++i) {
      GgufTensorInfo t;
      KOLIBRI_RETURN_IF_ERROR(ReadTensorInfo(t, i));
      out.tensors_.push_back(std::move(t));
    }
    uint64_t header_end = pos_;
    out.data_offset_ = (header_end + out.alignment_ - 1) / out.alignment_ * out.alignment_;
    for (const auto& t : out.tensors_) {
      uint64_t end = out.data_offset_ + t.offset + t.n_bytes;
      if (t.offset % out.alignment_ != 0) {
        return Status::Corrupt("tensor '" + t.name + "' is not aligned to " +
                               std::to_string(out.alignment_) + " bytes");
      }
      if (end > size_ || end < t.offset) {
        return Status::Corrupt("file is truncated: tensor '" + t.name + "' ends at byte " +
                               std::to_string(end) + " but the file has " +
                               std::to_string(size_) + " bytes");
      }
    }
    return Status::Ok();
  }

 private:
  uint64_t Left() const { return size_ - pos_; }

  bool ReadRaw(void* dst, uint64_t n) {
    if (n > Left()) return false;
    if (n > 0 && std::fread(dst, 1, n, f_) != n) return false;
    pos_ += n;
    return true;
  }

  // Short skips (vocabulary strings) read through the stdio buffer: an fseek would drop the
  // buffer and turn every skipped token into a system call.
  bool Skip(uint64_t n) {
    if (n > Left()) return false;
    if (n <= sizeof(scratch_)) return ReadRaw(scratch_, n);
    if (std::fseek(f_, static_cast<long>(n), SEEK_CUR) != 0) return false;
    pos_ += n;
    return true;
  }

  Status Truncated(const std::string& what) const {
    return Status::Corrupt("file is truncated at byte " + std::to_string(pos_) + " while reading " +
                           what);
  }

  template <typename T>
  Status Read(T& v, const std::string& what) {
    if (!ReadRaw(&v, sizeof(T))) return Truncated(what);
    return Status::Ok();
  }

  Status ReadString(std::string& s, const std::string& what) {
    uint64_t n = 0;
    KOLIBRI_RETURN_IF_ERROR(Read(n, what));
    if (n > Left() || n > kMaxStringBytes) return Truncated(what);
    s.resize(n);
    if (!ReadRaw(s.data(), n)) return Truncated(what);
    return Status::Ok();
  }

  static int ScalarSize(GgufValueType t) {
    switch (t) {
      case GgufValueType::kUint8: case GgufValueType::kInt8: case GgufValueType::kBool: return 1;
      case GgufValueType::kUint16: case GgufValueType::kInt16: return 2;
      case GgufValueType::kUint32: case GgufValueType::kInt32: case GgufValueType::kFloat32: return 4;
      case GgufValueType::kUint64: case GgufValueType::kInt64: case GgufValueType::kFloat64: return 8;
      default: return 0;
    }
  }

  // Reads one numeric scalar of type t into integer/real; returns its value as double.
  Status ReadNumber(GgufValueType t, GgufValue& v, double& as_double, const std::string& key) {
    unsigned char b[8] = {};
    if (!ReadRaw(b, ScalarSize(t))) return Truncated("value of '" + key + "'");
    switch (t) {
      case GgufValueType::kUint8: v.integer = b[0]; break;
      case GgufValueType::kInt8: v.integer = static_cast<int8_t>(b[0]); break;
      case GgufValueType::kBool: v.integer = b[0] != 0; break;
      case GgufValueType::kUint16: { uint16_t x; std::memcpy(&x, b, 2); v.integer = x; break; }
      case GgufValueType::kInt16: { int16_t x; std::memcpy(&x, b, 2); v.integer = x; break; }
      case GgufValueType::kUint32: { uint32_t x; std::memcpy(&x, b, 4); v.integer = x; break; }
      case GgufValueType::kInt32: { int32_t x; std::memcpy(&x, b, 4); v.integer = x; break; }
      case GgufValueType::kUint64: { uint64_t x; std::memcpy(&x, b, 8); v.integer = static_cast<int64_t>(x); break; }
      case GgufValueType::kInt64: { int64_t x; std::memcpy(&x, b, 8); v.integer = x; break; }
      case GgufValueType::kFloat32: { float x; std::memcpy(&x, b, 4); v.real = x; as_double = x; return Status::Ok(); }
      case GgufValueType::kFloat64: { double x; std::memcpy(&x, b, 8); v.real = x; as_double = x; return Status::Ok(); }
      default: return Status::Corrupt("bad scalar type for '" + key + "'");
    }
    v.real = static_cast<double>(v.integer);
    as_double = v.real;
    return Status::Ok();
  }

  Status ReadValue(GgufValue& v, const std::string& key) {
    uint32_t type = 0;
    KOLIBRI_RETURN_IF_ERROR(Read(type, "type of '" + key + "'"));
    if (type > static_cast<uint32_t>(GgufValueType::kFloat64)) {
      return Status::Corrupt("metadata '" + key + "' has unknown value type " + std::to_string(type));
    }
    v.type = static_cast<GgufValueType>(type);
    if (v.type == GgufValueType::kString) return ReadString(v.string, "value of '" + key + "'");
    if (v.type != GgufValueType::kArray) {
      double ignored = 0;
      return ReadNumber(v.type, v, ignored, key);
    }
    uint32_t elem = 0;
    KOLIBRI_RETURN_IF_ERROR(Read(elem, "array type of '" + key + "'"));
    KOLIBRI_RETURN_IF_ERROR(Read(v.array_size, "array length of '" + key + "'"));
    if (elem > static_cast<uint32_t>(GgufValueType::kFloat64) ||
        elem == static_cast<uint32_t>(GgufValueType::kArray)) {
      return Status::Corrupt("array '" + key + "' has unsupported element type " + std::to_string(elem));
    }
    v.array_type = static_cast<GgufValueType>(elem);
    if (v.array_type == GgufValueType::kString) {
      if (v.array_size > Left() / 8) return Truncated("array '" + key + "'");
      bool keep = options_.keep_long_string_arrays || v.array_size <= kKeepStringArrayLimit;
      if (keep) v.strings.reserve(v.array_size);
      const std::string what = "element of '" + key + "'";
      for (uint64_t i = 0; i < v.array_size; ++i) {
        if (keep) {
          std::string s;
          KOLIBRI_RETURN_IF_ERROR(ReadString(s, what));
          v.strings.push_back(std::move(s));
        } else {
          uint64_t n = 0;
          KOLIBRI_RETURN_IF_ERROR(Read(n, what));
          if (!Skip(n)) return Truncated(what);
        }
      }
      return Status::Ok();
    }
    uint64_t esize = ScalarSize(v.array_type);
    if (v.array_size > Left() / esize) return Truncated("array '" + key + "'");
    v.numbers.reserve(v.array_size);
    GgufValue tmp;
    for (uint64_t i = 0; i < v.array_size; ++i) {
      double d = 0;
      KOLIBRI_RETURN_IF_ERROR(ReadNumber(v.array_type, tmp, d, key));
      v.numbers.push_back(d);
    }
    return Status::Ok();
  }

  Status ReadTensorInfo(GgufTensorInfo& t, uint64_t index) {
    std::string what = "tensor info #" + std::to_string(index);
    KOLIBRI_RETURN_IF_ERROR(ReadString(t.name, what));
    uint32_t n_dims = 0;
    KOLIBRI_RETURN_IF_ERROR(Read(n_dims, what));
    if (n_dims == 0 || n_dims > kMaxDims) {
      return Status::Corrupt("tensor '" + t.name + "' has " + std::to_string(n_dims) +
                             " dimensions (1 to 4 allowed)");
    }
    t.n_elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      int64_t ne = 0;
      KOLIBRI_RETURN_IF_ERROR(Read(ne, what));
      if (ne < 0 || (ne > 0 && t.n_elements > (uint64_t{1} << 62) / static_cast<uint64_t>(ne))) {
        return Status::Corrupt("tensor '" + t.name + "' has an invalid dimension " + std::to_string(ne));
      }
      t.dims.push_back(ne);
      t.n_elements *= static_cast<uint64_t>(ne);
    }
    uint32_t type = 0;
    KOLIBRI_RETURN_IF_ERROR(Read(type, what));
    auto info = GgmlTypeInfo(type);
    if (!info) {
      return Status::Unsupported("tensor '" + t.name + "' has unknown ggml type " + std::to_string(type));
    }
    t.type = info->type;
    if (t.dims[0] % info->block_size != 0) {
      return Status::Corrupt("tensor '" + t.name + "' row of " + std::to_string(t.dims[0]) +
                             " elements is not a multiple of the " + std::string(info->name) +
                             " block size");
    }
    t.n_bytes = t.n_elements / info->block_size * info->type_size;
    KOLIBRI_RETURN_IF_ERROR(Read(t.offset, what));
    return Status::Ok();
  }

  std::FILE* f_;
  char scratch_[4096];
  uint64_t size_;
  uint64_t pos_ = 0;
  const GgufReadOptions& options_;
};

Result<GgufFile> GgufFile::Open(const std::string& path, const GgufReadOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound("model file '" + path + "' does not exist");
    return Status::IoError("cannot stat '" + path + "': " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return Status::InvalidArgument("'" + path + "' is a directory, not a GGUF file");
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) return Status::IoError("cannot open '" + path + "': " + std::strerror(errno));
  std::setvbuf(f.get(), nullptr, _IOFBF, 1 << 16);
  GgufFile out;
  out.path_ = path;
  out.file_size_ = static_cast<uint64_t>(st.st_size);
  GgufParser parser(f.get(), out.file_size_, options);
  Status s = parser.Parse(out);
  if (!s.ok()) return s.WithContext("'" + path + "'");
  return out;
}

const GgufValue* GgufFile::Find(const std::string& key) const {
  auto it = metadata_.find(key);
  return it == metadata_.end() ? nullptr : &it->second;
}

std::optional<std::string> GgufFile::GetString(const std::string& key) const {
  const GgufValue* v = Find(key);
  if (!v || v->type != GgufValueType::kString) return std::nullopt;
  return v->string;
}

std::optional<int64_t> GgufFile::GetInt(const std::string& key) const {
  const GgufValue* v = Find(key);
  if (!v || v->type == GgufValueType::kString || v->type == GgufValueType::kArray) return std::nullopt;
  if (v->type == GgufValueType::kFloat32 || v->type == GgufValueType::kFloat64) {
    if (std::floor(v->real) != v->real) return std::nullopt;
    return static_cast<int64_t>(v->real);
  }
  return v->integer;
}

std::optional<double> GgufFile::GetReal(const std::string& key) const {
  const GgufValue* v = Find(key);
  if (!v || v->type == GgufValueType::kString || v->type == GgufValueType::kArray) return std::nullopt;
  return v->real;
}

std::optional<uint64_t> GgufFile::GetArraySize(const std::string& key) const {
  const GgufValue* v = Find(key);
  if (!v || v->type != GgufValueType::kArray) return std::nullopt;
  return v->array_size;
}

const GgufTensorInfo* GgufFile::FindTensor(const std::string& name) const {
  for (const auto& t : tensors_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string GgufFile::architecture() const { return GetString("general.architecture").value_or(""); }

std::optional<int64_t> GgufFile::ArchInt(const std::string& suffix) const {
  return GetInt(architecture() + "." + suffix);
}

std::optional<double> GgufFile::ArchReal(const std::string& suffix) const {
  return GetReal(architecture() + "." + suffix);
}

std::optional<std::vector<int64_t>> GgufFile::ArchPerLayer(const std::string& suffix,
                                                           int64_t n_layer) const {
  const GgufValue* v = Find(architecture() + "." + suffix);
  if (!v || n_layer < 0) return std::nullopt;
  if (v->type == GgufValueType::kArray) {
    if (v->numbers.size() != static_cast<size_t>(n_layer)) return std::nullopt;
    std::vector<int64_t> out;
    for (double d : v->numbers) out.push_back(static_cast<int64_t>(d));
    return out;
  }
  auto x = GetInt(architecture() + "." + suffix);
  if (!x) return std::nullopt;
  return std::vector<int64_t>(static_cast<size_t>(n_layer), *x);
}

uint64_t GgufFile::TotalParameters() const {
  uint64_t n = 0;
  for (const auto& t : tensors_) n += t.n_elements;
  return n;
}

uint64_t GgufFile::TotalTensorBytes() const {
  uint64_t n = 0;
  for (const auto& t : tensors_) n += t.n_bytes;
  return n;
}

Result<GgufFile> GgufFile::WithTensorTypes(const std::vector<GgmlType>& types) const {
  if (types.size() != tensors_.size()) {
    return Status::InvalidArgument("expected " + std::to_string(tensors_.size()) + " tensor types, got " +
                                   std::to_string(types.size()));
  }
  GgufFile copy = *this;
  uint64_t offset = 0;
  for (size_t i = 0; i < types.size(); ++i) {
    GgufTensorInfo& t = copy.tensors_[i];
    const auto info = GgmlTypeInfo(static_cast<uint32_t>(types[i]));
    if (!info || t.dims.empty() || t.dims[0] % info->block_size != 0) {
      return Status::InvalidArgument("tensor '" + t.name + "' cannot be stored as " +
                                     std::string(GgmlTypeName(types[i])));
    }
    t.type = types[i];
    t.n_bytes = t.n_elements / static_cast<uint64_t>(info->block_size) * static_cast<uint64_t>(info->type_size);
    t.offset = offset;
    offset += (t.n_bytes + alignment_ - 1) / alignment_ * alignment_;
  }
  copy.file_size_ = data_offset_ + offset;
  return copy;
}

}  // namespace kolibri
