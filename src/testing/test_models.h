// Test-only helpers: generated test models, made on first use and cached in the build
// tree ($KOLIBRI_TEST_DATA), so model tests never depend on committed binaries.
#pragma once

#include <memory>
#include <string>

#include "kolibri/model.h"

namespace kolibri::testing {

// Path of a vocabulary GGUF from the pinned llama.cpp source ("qwen2" →
// .../models/ggml-vocab-qwen2.gguf); empty when the source tree is unknown.
std::string VocabPath(const std::string& vocab);

// Path of a generated model of `shape` and `type` with `vocab`, creating it when missing.
// Aborts the test (via a fatal gtest failure in the caller's ASSERT) when it cannot be made;
// returns "" and prints why in that case.
std::string TestModelPath(const std::string& shape, const std::string& type = "f16",
                          const std::string& vocab = "qwen2");

// TestModelPath(shape, type, vocab) loaded once per process and shared; null (after
// printing why) when it cannot be made or loaded.
std::shared_ptr<Model> SharedTestModel(const std::string& shape, const std::string& type = "f16",
                                       const std::string& vocab = "qwen2");

// Directory for test artefacts (created on demand).
std::string TestDataDir();

// The `kolibri` binary of this build.
std::string KolibriBinary();

}  // namespace kolibri::testing
