#include "grammar/test_vocab.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "kolibri/gguf_file.h"

namespace kolibri::grammar::testing {

std::shared_ptr<const VocabularyIndex> ByteVocabulary() {
  static std::shared_ptr<const VocabularyIndex> index = [] {
    Vocabulary v;
    for (int b = 0; b < 256; ++b) v.token_bytes.push_back(std::string(1, static_cast<char>(b)));
    v.token_bytes.push_back("</s>");
    v.token_bytes.push_back("<ctrl>");
    for (const char* t : {"{\"", "\":", "true", "ab", "\",\""}) v.token_bytes.push_back(t);
    v.special.assign(v.token_bytes.size(), false);
    v.special[256] = v.special[257] = true;
    v.stop_ids = {256};
    v.id = "bytes";
    return VocabularyIndex::Build(std::move(v));
  }();
  return index;
}

std::string LlamaSourceDir() {
  std::string dir;
#ifdef KOLIBRI_LLAMA_SOURCE_DIR
  dir = KOLIBRI_LLAMA_SOURCE_DIR;
#endif
  if (const char* env = std::getenv("KOLIBRI_LLAMA_SOURCE_DIR")) dir = env;
  return dir;
}

std::shared_ptr<const VocabularyIndex> Qwen2Vocabulary() {
  static std::once_flag once;
  static std::shared_ptr<const VocabularyIndex> index;
  std::call_once(once, [] {
    const std::string dir = LlamaSourceDir();
    const std::string path = dir + "/models/ggml-vocab-qwen2.gguf";
    if (dir.empty() || !std::filesystem::exists(path)) return;
    auto file = GgufFile::Open(path, {.keep_long_string_arrays = true});
    if (!file.ok()) return;
    const GgufValue* tokens = file->Find("tokenizer.ggml.tokens");
    const GgufValue* types = file->Find("tokenizer.ggml.token_type");
    if (tokens == nullptr) return;
    TokenListOptions o;
    o.tokens = tokens->strings;
    if (types != nullptr) {
      for (double t : types->numbers) o.token_types.push_back(static_cast<int32_t>(t));
    }
    if (auto eos = file->GetInt("tokenizer.ggml.eos_token_id")) o.stop_ids.push_back(static_cast<int32_t>(*eos));
    o.id = "qwen2";
    auto vocab = VocabularyFromByteLevelBpe(o);
    if (vocab.ok()) index = VocabularyIndex::Build(std::move(*vocab));
  });
  return index;
}

std::vector<int32_t> GreedyTokenize(const VocabularyIndex& vocab, const std::string& text) {
  static std::mutex mu;
  static std::unordered_map<const VocabularyIndex*, std::unordered_map<std::string, int32_t>> maps;
  std::lock_guard<std::mutex> lock(mu);
  auto& m = maps[&vocab];
  const Vocabulary& v = vocab.vocabulary();
  size_t max_len = 0;
  if (m.empty()) {
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v.special[i] && !v.token_bytes[i].empty()) m.emplace(v.token_bytes[i], static_cast<int32_t>(i));
    }
  }
  for (auto& [k, id] : m) max_len = std::max(max_len, k.size());
  std::vector<int32_t> out;
  for (size_t pos = 0; pos < text.size();) {
    size_t len = std::min(max_len, text.size() - pos);
    for (; len > 0; --len) {
      auto it = m.find(text.substr(pos, len));
      if (it != m.end()) {
        out.push_back(it->second);
        break;
      }
    }
    if (len == 0) return {};
    pos += len;
  }
  return out;
}

}  // namespace kolibri::grammar::testing
