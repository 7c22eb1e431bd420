#include "testing/test_models.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include "kolibri/test_model.h"

namespace kolibri::testing {

std::string TestDataDir() {
  const char* dir = std::getenv("KOLIBRI_TEST_DATA");
  std::string d = dir != nullptr ? dir : "/tmp/kolibri-testdata";
  std::error_code ec;
  std::filesystem::create_directories(d, ec);
  return d;
}

std::string KolibriBinary() {
  const char* bin = std::getenv("KOLIBRI_BIN");
  return bin != nullptr ? bin : "kolibri";
}

std::string VocabPath(const std::string& vocab) {
  return std::string(KOLIBRI_LLAMA_SOURCE_DIR) + "/models/ggml-vocab-" + vocab + ".gguf";
}

std::string TestModelPath(const std::string& shape, const std::string& type, const std::string& vocab) {
  std::string path = TestDataDir() + "/" + shape + "-" + type + "-" + vocab + ".gguf";
  // Several test binaries may ask for the same model at once under ctest -j.
  std::string lock_path = path + ".lock";
  int fd = ::open(lock_path.c_str(), O_CREAT | O_RDWR, 0644);
  if (fd >= 0) ::flock(fd, LOCK_EX);
  if (!std::filesystem::exists(path)) {
    TestModelOptions o;
    o.shape = shape;
    o.type = type;
    o.vocab_path = VocabPath(vocab);
    o.out_path = path;
    Status s = MakeTestModel(o);
    if (!s.ok()) {
      std::fprintf(stderr, "cannot make test model %s: %s\n", path.c_str(), s.ToString().c_str());
      path.clear();
    }
  }
  if (fd >= 0) {
    ::flock(fd, LOCK_UN);
    ::close(fd);
  }
  return path;
}

std::shared_ptr<Model> SharedTestModel(const std::string& shape, const std::string& type, const std::string& vocab) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<Model>> loaded;
  std::lock_guard<std::mutex> lock(mu);
  const std::string key = shape + "/" + type + "/" + vocab;
  auto it = loaded.find(key);
  if (it != loaded.end()) return it->second;
  const std::string path = TestModelPath(shape, type, vocab);
  if (path.empty()) return nullptr;
  auto m = Model::Load(path, ModelOptions{});
  if (!m.ok()) {
    std::fprintf(stderr, "cannot load test model %s: %s\n", path.c_str(), m.status().ToString().c_str());
    return nullptr;
  }
  loaded.emplace(key, *m);
  return *m;
}

}  // namespace kolibri::testing
