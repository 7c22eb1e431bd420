#include "plan/sparse_gguf.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kolibri::plan {
namespace {

class HeaderBuffer {
 public:
  template <typename T>
  void Put(T v) {
    const auto* p = reinterpret_cast<const char*>(&v);
    bytes_.append(p, sizeof(T));
  }
  void PutString(const std::string& s) {
    Put<uint64_t>(s.size());
    bytes_.append(s);
  }
  void PutScalar(GgufValueType type, const GgufValue& v, size_t index) {
    const bool from_array = v.type == GgufValueType::kArray;
    const bool numeric = from_array && type != GgufValueType::kString;
    const double number = numeric ? v.numbers[index] : 0.0;
    const int64_t integer = from_array ? static_cast<int64_t>(number) : v.integer;
    const double real = from_array ? number : v.real;
    switch (type) {
      case GgufValueType::kUint8: Put<uint8_t>(static_cast<uint8_t>(integer)); break;
      case GgufValueType::kInt8: Put<int8_t>(static_cast<int8_t>(integer)); break;
      case GgufValueType::kUint16: Put<uint16_t>(static_cast<uint16_t>(integer)); break;
      case GgufValueType::kInt16: Put<int16_t>(static_cast<int16_t>(integer)); break;
      case GgufValueType::kUint32: Put<uint32_t>(static_cast<uint32_t>(integer)); break;
      case GgufValueType::kInt32: Put<int32_t>(static_cast<int32_t>(integer)); break;
      case GgufValueType::kFloat32: Put<float>(static_cast<float>(real)); break;
      case GgufValueType::kBool: Put<uint8_t>(integer != 0 ? 1 : 0); break;
      case GgufValueType::kUint64: Put<uint64_t>(static_cast<uint64_t>(integer)); break;
      case GgufValueType::kInt64: Put<int64_t>(integer); break;
      case GgufValueType::kFloat64: Put<double>(real); break;
      case GgufValueType::kString:
        PutString(from_array ? v.strings[index] : v.string);
        break;
      case GgufValueType::kArray: KOLIBRI_CHECK(false && "nested arrays are not written"); break;
    }
  }
  const std::string& bytes() const { return bytes_; }
  void PadTo(uint64_t alignment) {
    while (bytes_.size() % alignment != 0) bytes_.push_back('\0');
  }

 private:
  std::string bytes_;
};

}  // namespace

GgufValue GgufString(std::string value) {
  GgufValue v;
  v.type = GgufValueType::kString;
  v.string = std::move(value);
  return v;
}

GgufValue GgufU32(uint32_t value) {
  GgufValue v;
  v.type = GgufValueType::kUint32;
  v.integer = value;
  return v;
}

GgufValue GgufF32(float value) {
  GgufValue v;
  v.type = GgufValueType::kFloat32;
  v.real = value;
  return v;
}

GgufValue GgufBool(bool value) {
  GgufValue v;
  v.type = GgufValueType::kBool;
  v.integer = value ? 1 : 0;
  return v;
}

Status WriteSparseGguf(const std::string& path, const SparseGgufSpec& spec) {
  HeaderBuffer h;
  h.Put<uint32_t>(0x46554747);  // "GGUF"
  h.Put<uint32_t>(3);
  h.Put<uint64_t>(spec.tensors.size());
  const bool write_alignment = spec.alignment != 32;
  h.Put<uint64_t>(spec.metadata.size() + (write_alignment ? 1 : 0));
  if (write_alignment) {
    h.PutString("general.alignment");
    h.Put<uint32_t>(static_cast<uint32_t>(GgufValueType::kUint32));
    h.Put<uint32_t>(spec.alignment);
  }
  for (const auto& [key, value] : spec.metadata) {
    h.PutString(key);
    h.Put<uint32_t>(static_cast<uint32_t>(value.type));
    if (value.type != GgufValueType::kArray) {
      h.PutScalar(value.type, value, 0);
      continue;
    }
    const bool strings = value.array_type == GgufValueType::kString;
    const size_t n = strings ? value.strings.size() : value.numbers.size();
    if (n != value.array_size) {
      return Status::InvalidArgument("metadata array '" + key + "' holds " + std::to_string(n) +
                                     " of its " + std::to_string(value.array_size) +
                                     " elements; read the source with keep_long_string_arrays");
    }
    h.Put<uint32_t>(static_cast<uint32_t>(value.array_type));
    h.Put<uint64_t>(n);
    for (size_t i = 0; i < n; ++i) h.PutScalar(value.array_type, value, i);
  }
  uint64_t offset = 0;
  for (const auto& t : spec.tensors) {
    auto traits = GgmlTypeInfo(static_cast<uint32_t>(t.type));
    if (!traits || t.dims.empty() || t.dims[0] % traits->block_size != 0) {
      return Status::InvalidArgument("tensor '" + t.name + "' does not fit its type's block size");
    }
    uint64_t bytes = GgmlRowBytes(t.type, t.dims[0]);
    for (size_t d = 1; d < t.dims.size(); ++d) bytes *= static_cast<uint64_t>(t.dims[d]);
    h.PutString(t.name);
    h.Put<uint32_t>(static_cast<uint32_t>(t.dims.size()));
    for (int64_t d : t.dims) h.Put<int64_t>(d);
    h.Put<uint32_t>(static_cast<uint32_t>(t.type));
    h.Put<uint64_t>(offset);
    offset += (bytes + spec.alignment - 1) / spec.alignment * spec.alignment;
  }
  h.PadTo(spec.alignment);
  const uint64_t total = h.bytes().size() + offset;

  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status::IoError("cannot create '" + path + "': " + std::strerror(errno));
  const std::string& bytes = h.bytes();
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return Status::IoError("cannot write '" + path + "': " + std::strerror(err));
    }
    written += static_cast<size_t>(n);
  }
  if (::ftruncate(fd, static_cast<off_t>(total)) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::IoError("cannot extend '" + path + "': " + std::strerror(err));
  }
  if (::close(fd) != 0) return Status::IoError("cannot close '" + path + "': " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace kolibri::plan
