#include "kolibri/gguf_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace kolibri {
namespace {

// Builds GGUF bytes field by field, so tests can write valid and broken files.
class GgufBuilder {
 public:
  GgufBuilder& Header(uint32_t version, uint64_t n_tensors, uint64_t n_kv) {
    Raw("GGUF", 4);
    Pod(version);
    Pod(n_tensors);
    Pod(n_kv);
    return *this;
  }
  GgufBuilder& Str(const std::string& s) {
    Pod(static_cast<uint64_t>(s.size()));
    Raw(s.data(), s.size());
    return *this;
  }
  GgufBuilder& KvString(const std::string& k, const std::string& v) {
    Str(k);
    Pod(uint32_t{8});
    return Str(v);
  }
  GgufBuilder& KvU32(const std::string& k, uint32_t v) {
    Str(k);
    Pod(uint32_t{4});
    return Pod(v);
  }
  GgufBuilder& KvStringArray(const std::string& k, const std::vector<std::string>& v) {
    Str(k);
    Pod(uint32_t{9});
    Pod(uint32_t{8});
    Pod(static_cast<uint64_t>(v.size()));
    for (const auto& s : v) Str(s);
    return *this;
  }
  GgufBuilder& KvI32Array(const std::string& k, const std::vector<int32_t>& v) {
    Str(k);
    Pod(uint32_t{9});
    Pod(uint32_t{5});
    Pod(static_cast<uint64_t>(v.size()));
    for (int32_t x : v) Pod(x);
    return *this;
  }
  GgufBuilder& Tensor(const std::string& name, std::vector<int64_t> dims, uint32_t type, uint64_t offset) {
    Str(name);
    Pod(static_cast<uint32_t>(dims.size()));
    for (int64_t d : dims) Pod(d);
    Pod(type);
    return Pod(offset);
  }
  GgufBuilder& AlignAndData(uint64_t data_bytes, uint64_t alignment = 32) {
    while (bytes_.size() % alignment != 0) bytes_.push_back(0);
    bytes_.resize(bytes_.size() + data_bytes, 0);
    return *this;
  }
  template <typename T>
  GgufBuilder& Pod(T v) {
    return Raw(&v, sizeof v);
  }
  GgufBuilder& Raw(const void* p, size_t n) {
    auto* c = static_cast<const char*>(p);
    bytes_.insert(bytes_.end(), c, c + n);
    return *this;
  }
  std::string Write(size_t truncate_to = std::string::npos) const {
    char tmpl[] = "/tmp/kolibri_gguf_test_XXXXXX";
    int fd = mkstemp(tmpl);
    EXPECT_GE(fd, 0);
    size_t n = std::min(truncate_to, bytes_.size());
    EXPECT_EQ(write(fd, bytes_.data(), n), static_cast<ssize_t>(n));
    close(fd);
    return tmpl;
  }
  size_t size() const { return bytes_.size(); }

 private:
  std::vector<char> bytes_;
};

GgufBuilder TinyModel() {
  GgufBuilder b;
  b.Header(3, 2, 5)
      .KvString("general.architecture", "llama")
      .KvU32("llama.block_count", 2)
      .KvU32("llama.context_length", 4096)
      .KvStringArray("tokenizer.ggml.tokens", {"a", "b", "c"})
      .KvI32Array("llama.attention.head_count_kv", {4, 2})
      .Tensor("token_embd.weight", {64, 3}, 0, 0)   // f32: 768 bytes
      .Tensor("blk.0.ffn.weight", {256, 2}, 12, 768)  // q4_K: 2 blocks of 144 bytes
      .AlignAndData(768 + 288);
  return b;
}

TEST(GgufFileTest, ReadsMetadataAndTensors) {
  std::string path = TinyModel().Write();
  auto f = GgufFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(f->architecture(), "llama");
  EXPECT_EQ(f->ArchInt("block_count"), 2);
  EXPECT_EQ(f->ArchInt("context_length"), 4096);
  EXPECT_EQ(f->GetArraySize("tokenizer.ggml.tokens"), 3u);
  ASSERT_EQ(f->Find("tokenizer.ggml.tokens")->strings.size(), 3u);
  EXPECT_EQ(f->Find("tokenizer.ggml.tokens")->strings[2], "c");
  auto kv = f->ArchPerLayer("attention.head_count_kv", 2);
  ASSERT_TRUE(kv.has_value());
  EXPECT_EQ((*kv)[0], 4);
  EXPECT_EQ((*kv)[1], 2);
  auto blocks = f->ArchPerLayer("block_count", 3);
  ASSERT_TRUE(blocks.has_value());
  EXPECT_EQ(blocks->size(), 3u);
  ASSERT_EQ(f->tensors().size(), 2u);
  EXPECT_EQ(f->tensors()[1].type, GgmlType::kQ4_K);
  EXPECT_EQ(f->tensors()[1].n_bytes, 288u);
  EXPECT_EQ(f->TotalParameters(), 64u * 3 + 512);
  EXPECT_EQ(f->TotalTensorBytes(), 768u + 288);
  EXPECT_EQ(f->data_offset() % 32, 0u);
  EXPECT_NE(f->FindTensor("token_embd.weight"), nullptr);
  EXPECT_EQ(f->FindTensor("nope"), nullptr);
  std::remove(path.c_str());
}

TEST(GgufFileTest, MissingFileIsNotFound) {
  auto f = GgufFile::Open("/nonexistent/model.gguf");
  EXPECT_EQ(f.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(f.status().message().find("does not exist"), std::string::npos);
}

TEST(GgufFileTest, DirectoryIsRejected) {
  EXPECT_EQ(GgufFile::Open("/tmp").status().code(), ErrorCode::kInvalidArgument);
}

TEST(GgufFileTest, NotGgufIsCorrupt) {
  GgufBuilder b;
  b.Raw("hello world, this is text\n", 26);
  std::string path = b.Write();
  auto f = GgufFile::Open(path);
  EXPECT_EQ(f.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(f.status().message().find("not a GGUF file"), std::string::npos);
  std::remove(path.c_str());
}

TEST(GgufFileTest, EveryTruncationIsCorruptNeverACrash) {
  GgufBuilder b = TinyModel();
  for (size_t cut = 0; cut < b.size(); cut += 7) {
    std::string path = b.Write(cut);
    auto f = GgufFile::Open(path);
    EXPECT_FALSE(f.ok()) << "cut at " << cut;
    EXPECT_EQ(f.status().code(), ErrorCode::kCorrupt) << f.status().ToString();
    std::remove(path.c_str());
  }
}

TEST(GgufFileTest, HugeCountsAreRejectedBeforeAllocating) {
  GgufBuilder b;
  b.Header(3, uint64_t{1} << 60, uint64_t{1} << 60).AlignAndData(64);
  std::string path = b.Write();
  auto f = GgufFile::Open(path);
  EXPECT_EQ(f.status().code(), ErrorCode::kCorrupt);
  std::remove(path.c_str());

  GgufBuilder s;
  s.Header(3, 0, 1).Str("k").Pod(uint32_t{8}).Pod(uint64_t{1} << 40);
  path = s.Write();
  EXPECT_EQ(GgufFile::Open(path).status().code(), ErrorCode::kCorrupt);
  std::remove(path.c_str());
}

TEST(GgufFileTest, UnknownVersionAndTypeAreUnsupported) {
  GgufBuilder v;
  v.Header(99, 0, 0);
  std::string path = v.Write();
  EXPECT_EQ(GgufFile::Open(path).status().code(), ErrorCode::kUnsupported);
  std::remove(path.c_str());

  GgufBuilder t;
  t.Header(3, 1, 0).Tensor("x", {32}, 4 /* removed Q4_2 */, 0).AlignAndData(64);
  path = t.Write();
  EXPECT_EQ(GgufFile::Open(path).status().code(), ErrorCode::kUnsupported);
  std::remove(path.c_str());
}

TEST(GgufFileTest, BadTensorShapesAreCorrupt) {
  GgufBuilder dims;
  dims.Header(3, 1, 0).Tensor("x", {1, 1, 1, 1, 1}, 0, 0).AlignAndData(64);
  std::string path = dims.Write();
  EXPECT_EQ(GgufFile::Open(path).status().code(), ErrorCode::kCorrupt);
  std::remove(path.c_str());

  GgufBuilder block;
  block.Header(3, 1, 0).Tensor("x", {100}, 12 /* q4_K needs 256 */, 0).AlignAndData(1024);
  path = block.Write();
  EXPECT_EQ(GgufFile::Open(path).status().code(), ErrorCode::kCorrupt);
  std::remove(path.c_str());
}

TEST(GgufFileTest, WithTensorTypesRetypesAndRelaysOut) {
  GgufBuilder b;
  b.Header(3, 2, 0).Tensor("a", {256, 4}, 1 /* f16 */, 0).Tensor("n", {128}, 0 /* f32 */, 2048).AlignAndData(4096);
  const std::string path = b.Write();
  auto f = GgufFile::Open(path);
  ASSERT_TRUE(f.ok());
  auto q = f->WithTensorTypes({GgmlType::kQ8_0, GgmlType::kF32});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->tensors()[0].n_bytes, 4u * 8 * 34);  // 4 rows of 8 q8_0 blocks
  EXPECT_EQ(q->tensors()[1].offset, 4u * 8 * 34);   // 1088, already 32-aligned
  EXPECT_EQ(q->TotalTensorBytes(), 4u * 8 * 34 + 128 * 4);
  EXPECT_EQ(f->tensors()[0].type, GgmlType::kF16);  // the original is untouched
  EXPECT_EQ(f->WithTensorTypes({GgmlType::kQ4_K, GgmlType::kF32}).status().code(), ErrorCode::kOk);
  EXPECT_EQ(f->WithTensorTypes({GgmlType::kF32}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(f->WithTensorTypes({GgmlType::kF32, GgmlType::kQ4_K}).status().code(), ErrorCode::kInvalidArgument);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace kolibri
