// Prediction and the model file format of the tier-0 classifier (training: tier0_trainer.cc).
#include "kolibri/tier0_classifier.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "router/text_features.h"

namespace kolibri {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the tier-0 model format is little-endian; add byte swapping for this platform");

constexpr char kMagic[8] = {'K', 'O', 'L', 'I', 'B', 'R', 'T', '0'};
constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kMaxLabels = 1u << 16;
constexpr uint32_t kMaxLabelBytes = 1u << 12;

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

template <typename T>
void Put(std::string* out, const T& v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}

class Reader {
 public:
  Reader(std::string_view bytes, std::string_view source) : bytes_(bytes), source_(source) {}

  template <typename T>
  Status Get(T* v, const char* what) {
    return GetBytes(v, sizeof *v, what);
  }
  Status GetBytes(void* dst, size_t n, const char* what) {
    if (bytes_.size() - pos_ < n) {
      return Status::Corrupt(std::string(source_) + ": truncated tier-0 model (ends inside the " +
                             what + ")");
    }
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
    return Status::Ok();
  }
  size_t remaining() const { return bytes_.size() - pos_; }
  Status Bad(const std::string& why) const {
    return Status::Corrupt(std::string(source_) + ": corrupt tier-0 model: " + why);
  }

 private:
  std::string_view bytes_;
  std::string_view source_;
  size_t pos_ = 0;
};

}  // namespace

const std::string& Tier0Classifier::oos_label() const {
  static const std::string kNone;
  return oos_index_ < 0 ? kNone : labels_[static_cast<size_t>(oos_index_)];
}

std::string Tier0Classifier::fingerprint() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "t0-%016llx", static_cast<unsigned long long>(checksum_));
  return buf;
}

void Tier0Classifier::BuildIndex() {
  index_.assign(size_t{1} << features_.hash_bits, -1);
  for (size_t r = 0; r < buckets_.size(); ++r) index_[buckets_[r]] = static_cast<int32_t>(r);
}

size_t Tier0Classifier::Logits(std::string_view text, std::vector<float>* out) const {
  thread_local std::vector<router::SparseFeature> features;
  router::FeatureHasher(features_).Featurize(text, &features);
  size_t kept = 0;
  for (const router::SparseFeature& f : features) {
    const int32_t row = index_[f.bucket];
    if (row >= 0) features[kept++] = {static_cast<uint32_t>(row), f.value};
  }
  features.resize(kept);
  router::ScaleAndNormalize(row_idf_, &features);
  const size_t num_labels = labels_.size();
  out->assign(bias_.begin(), bias_.end());
  float* acc = out->data();
  for (const router::SparseFeature& f : features) {
    const float* w = weights_.data() + static_cast<size_t>(f.bucket) * num_labels;
    for (size_t c = 0; c < num_labels; ++c) acc[c] += f.value * w[c];
  }
  return features.size();
}

void Tier0Classifier::Predict(std::string_view text, Tier0Prediction* out) const {
  out->known_features = Logits(text, &out->probabilities);
  std::vector<float>& p = out->probabilities;
  const float inv_t = static_cast<float>(1.0 / temperature_);
  const float max = *std::max_element(p.begin(), p.end());
  double sum = 0;
  for (float& v : p) {
    v = std::exp((v - max) * inv_t);
    sum += v;
  }
  const float inv_sum = static_cast<float>(1.0 / sum);
  size_t top = 0;
  float entropy = 0;
  for (size_t c = 0; c < p.size(); ++c) {
    p[c] *= inv_sum;
    if (p[c] > p[top]) top = c;
    if (p[c] > 0) entropy -= p[c] * std::log(p[c]);
  }
  float second = 0;
  for (size_t c = 0; c < p.size(); ++c) {
    if (c != top) second = std::max(second, p[c]);
  }
  out->top = top;
  out->probability = p[top];
  out->margin = p[top] - second;
  out->entropy = entropy;
  out->escalate =
      static_cast<int32_t>(top) == oos_index_ || p[top] < threshold_ || out->known_features == 0;
}

Tier0Prediction Tier0Classifier::Predict(std::string_view text) const {
  Tier0Prediction prediction;
  Predict(text, &prediction);
  return prediction;
}

std::string Tier0Classifier::Serialize() const {
  std::string out(kMagic, sizeof kMagic);
  Put(&out, kFormatVersion);
  Put(&out, features_.hash_bits);
  Put(&out, features_.char_ngram_min);
  Put(&out, features_.char_ngram_max);
  Put(&out, features_.word_ngram_max);
  Put(&out, static_cast<uint32_t>(labels_.size()));
  Put(&out, oos_index_);
  Put(&out, temperature_);
  Put(&out, threshold_);
  Put(&out, static_cast<uint64_t>(buckets_.size()));
  for (const std::string& label : labels_) {
    Put(&out, static_cast<uint32_t>(label.size()));
    out += label;
  }
  out.append(reinterpret_cast<const char*>(buckets_.data()), buckets_.size() * sizeof(uint32_t));
  out.append(reinterpret_cast<const char*>(row_idf_.data()), row_idf_.size() * sizeof(float));
  out.append(reinterpret_cast<const char*>(bias_.data()), bias_.size() * sizeof(float));
  out.append(reinterpret_cast<const char*>(weights_.data()), weights_.size() * sizeof(float));
  Put(&out, Fnv1a(out));
  return out;
}

Result<Tier0Classifier> Tier0Classifier::Deserialize(std::string_view bytes,
                                                     std::string_view source) {
  Reader r(bytes, source);
  char magic[sizeof kMagic];
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return Status::Corrupt(
        std::string(source) +
        ": not a tier-0 model (bad magic; train one with `kolibri train-router`)");
  }
  KOLIBRI_RETURN_IF_ERROR(r.GetBytes(magic, sizeof magic, "header"));
  uint32_t version = 0;
  KOLIBRI_RETURN_IF_ERROR(r.Get(&version, "header"));
  if (version > kFormatVersion) {
    return Status::Unsupported(std::string(source) + ": tier-0 model format version " +
                               std::to_string(version) + " is newer than this build reads (" +
                               std::to_string(kFormatVersion) + ")");
  }
  if (version == 0) return r.Bad("format version 0");
  if (bytes.size() < sizeof(uint64_t) + sizeof kMagic ||
      Fnv1a(bytes.substr(0, bytes.size() - sizeof(uint64_t))) != [&] {
        uint64_t stored;
        std::memcpy(&stored, bytes.data() + bytes.size() - sizeof stored, sizeof stored);
        return stored;
      }()) {
    return r.Bad("checksum mismatch (file truncated or altered)");
  }
  Tier0Classifier m;
  uint32_t num_labels = 0;
  uint64_t num_rows = 0;
  KOLIBRI_RETURN_IF_ERROR(r.Get(&m.features_.hash_bits, "header"));
  KOLIBRI_RETURN_IF_ERROR(r.Get(&m.features_.char_ngram_min, "header"));
  KOLIBRI_RETURN_IF_ERROR(r.Get(&m.features_.char_ngram_max, "header"));
  KOLIBRI_RETURN_IF_ERROR(r.Get(&m.features_.word_ngram_max, "header"));
  KOLIBRI_RETURN_IF_ERROR(r.Get(&num_labels, "header"));
  KOLIBRI_RETURN_IF_ERROR(r.Get(&m.oos_index_, "header"));
  KOLIBRI_RETURN_IF_ERROR(r.Get(&m.temperature_, "header"));
  KOLIBRI_RETURN_IF_ERROR(r.Get(&m.threshold_, "header"));
  KOLIBRI_RETURN_IF_ERROR(r.Get(&num_rows, "header"));
  const Tier0FeatureOptions& f = m.features_;
  if (f.hash_bits < 10 || f.hash_bits > 24)
    return r.Bad("hash_bits " + std::to_string(f.hash_bits));
  if (f.char_ngram_max > 8 ||
      (f.char_ngram_max > 0 && (f.char_ngram_min < 1 || f.char_ngram_min > f.char_ngram_max)) ||
      f.word_ngram_max < 1 || f.word_ngram_max > 2) {
    return r.Bad("n-gram options out of range");
  }
  if (num_labels < 2 || num_labels > kMaxLabels)
    return r.Bad(std::to_string(num_labels) + " labels");
  if (m.oos_index_ < -1 || m.oos_index_ >= static_cast<int32_t>(num_labels))
    return r.Bad("out-of-scope label index");
  if (!(m.temperature_ > 0 && m.temperature_ < 1e6)) return r.Bad("temperature");
  if (!(m.threshold_ >= 0 && m.threshold_ <= 1.5)) return r.Bad("threshold");
  if (num_rows > (uint64_t{1} << f.hash_bits)) return r.Bad("more weight rows than hash buckets");
  for (uint32_t i = 0; i < num_labels; ++i) {
    uint32_t len = 0;
    KOLIBRI_RETURN_IF_ERROR(r.Get(&len, "labels"));
    if (len == 0 || len > kMaxLabelBytes) return r.Bad("label length " + std::to_string(len));
    std::string label(len, '\0');
    KOLIBRI_RETURN_IF_ERROR(r.GetBytes(label.data(), len, "labels"));
    m.labels_.push_back(std::move(label));
  }
  const uint64_t expected = num_rows * (sizeof(uint32_t) + sizeof(float)) +
                            num_labels * sizeof(float) + num_rows * num_labels * sizeof(float) +
                            sizeof(uint64_t);
  if (r.remaining() != expected) {
    return r.Bad("size mismatch: " + std::to_string(r.remaining()) + " bytes after the labels, " +
                 std::to_string(expected) + " expected");
  }
  m.buckets_.resize(num_rows);
  m.row_idf_.resize(num_rows);
  m.bias_.resize(num_labels);
  m.weights_.resize(num_rows * num_labels);
  KOLIBRI_RETURN_IF_ERROR(r.GetBytes(m.buckets_.data(), num_rows * sizeof(uint32_t), "buckets"));
  KOLIBRI_RETURN_IF_ERROR(r.GetBytes(m.row_idf_.data(), num_rows * sizeof(float), "idf"));
  KOLIBRI_RETURN_IF_ERROR(r.GetBytes(m.bias_.data(), num_labels * sizeof(float), "bias"));
  KOLIBRI_RETURN_IF_ERROR(
      r.GetBytes(m.weights_.data(), m.weights_.size() * sizeof(float), "weights"));
  for (size_t i = 0; i < m.buckets_.size(); ++i) {
    if (m.buckets_[i] >> f.hash_bits != 0 || (i > 0 && m.buckets_[i] <= m.buckets_[i - 1])) {
      return r.Bad("bucket list not strictly increasing within range");
    }
  }
  for (float w : m.weights_) {
    if (!std::isfinite(w)) return r.Bad("non-finite weight");
  }
  for (float w : m.row_idf_) {
    if (!(w > 0 && std::isfinite(w))) return r.Bad("inverse document frequency out of range");
  }
  for (float w : m.bias_) {
    if (!std::isfinite(w)) return r.Bad("non-finite bias");
  }
  m.BuildIndex();
  std::memcpy(&m.checksum_, bytes.data() + bytes.size() - sizeof m.checksum_, sizeof m.checksum_);
  return m;
}

Result<Tier0Classifier> Tier0Classifier::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("tier-0 model '" + path + "' not found or not readable");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IoError("reading '" + path + "' failed");
  return Deserialize(buffer.str(), path);
}

Status Tier0Classifier::Save(const std::string& path) const {
  const std::string bytes = Serialize();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IoError("cannot write '" + tmp + "'");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return Status::IoError("writing '" + tmp + "' failed (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
  return Status::Ok();
}

}  // namespace kolibri
