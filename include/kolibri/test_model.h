// Test models: GGUF files with random weights in the exact tensor shapes of real
// architectures, a real tokenizer copied from one of llama.cpp's vocabulary-only GGUFs,
// and a chat template. Speed and memory equal the real model's; the text is noise.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kolibri/status.h"

namespace kolibri {

struct TestModelOptions {
  std::string shape;        // one of TestModelShapes()
  std::string vocab_path;   // a vocabulary GGUF (models/ggml-vocab-*.gguf of llama.cpp)
  std::string type = "f16"; // f16, q8_0, q4_0 or q4_k_m (quantized through llama.cpp)
  std::string out_path;
  uint64_t seed = 42;       // same seed, same file
  int32_t threads = 0;      // quantization threads; 0: all
  bool chat_template = true; // false: write no tokenizer.chat_template (tests the no-template path)
};

struct TestModelShapeInfo {
  std::string name;
  std::string architecture;
  std::string description;
  std::string suggested_vocab;  // file name in llama.cpp's models/ folder
};

std::vector<TestModelShapeInfo> TestModelShapes();
std::vector<std::string> TestModelTypes();

// Writes the model. Errors: InvalidArgument (unknown shape or type, bad paths), NotFound
// (vocab file), Corrupt (vocab file is not a vocabulary GGUF), IoError, Internal.
Status MakeTestModel(const TestModelOptions& options);

struct TestLoraOptions {
  std::string shape;        // the base model's shape (one of TestModelShapes())
  std::string out_path;
  int32_t rank = 8;         // LoRA rank r
  float alpha = 0;          // adapter.lora.alpha; 0: the rank (scale 1)
  uint64_t seed = 7;        // same seed, same file
};

// Writes a random LoRA adapter (f32 lora_a/lora_b for every layer's attn_q and attn_v) that
// llama.cpp loads onto any test model of `shape` — the adapter changes the output, its text
// is noise like the model's. Errors: InvalidArgument (unknown shape, rank < 1, no path),
// IoError.
Status MakeTestLora(const TestLoraOptions& options);

}  // namespace kolibri
