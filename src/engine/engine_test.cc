// Engine tests against generated models (label `model`): loading, tokenization, chat
// templates, generation limits and errors, and the test-model writer's shapes.
#include <gtest/gtest.h>

#include <string>

#include "ggml.h"
#include "kolibri/engine_info.h"
#include "kolibri/generator.h"
#include "kolibri/ggml_type.h"
#include "kolibri/gguf_file.h"
#include "kolibri/model.h"
#include "kolibri/model_summary.h"
#include "kolibri/test_model.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

std::shared_ptr<Model> LoadTiny() {
  std::string path = testing::TestModelPath("tiny");
  if (path.empty()) return nullptr;
  auto m = Model::Load(path, ModelOptions{});
  return m.ok() ? *m : nullptr;
}

TEST(GgmlTypeTableTest, MatchesLinkedGgml) {
  for (uint32_t id = 0; id < GGML_TYPE_COUNT; ++id) {
    auto t = static_cast<ggml_type>(id);
    auto info = GgmlTypeInfo(id);
    if (ggml_blck_size(t) == 0) {
      EXPECT_FALSE(info.has_value()) << id;
      continue;
    }
    ASSERT_TRUE(info.has_value()) << "type " << id << " (" << ggml_type_name(t) << ") missing";
    EXPECT_EQ(info->block_size, ggml_blck_size(t)) << ggml_type_name(t);
    EXPECT_EQ(static_cast<size_t>(info->type_size), ggml_type_size(t)) << ggml_type_name(t);
    EXPECT_EQ(info->name, ggml_type_name(t));
  }
}

TEST(EngineInfoTest, ReportsPinnedLlamaAndCpuBackend) {
  EngineInfo e = GetEngineInfo();
  EXPECT_EQ(e.llama_version, "v0.5.0");
  EXPECT_EQ(e.llama_commit.substr(0, 7), "de3ff81");
  ASSERT_FALSE(e.backends.empty());
  EXPECT_EQ(e.backends.front(), "CPU");
}

TEST(ModelTest, LoadsTokenizesAndRendersChat) {
  auto model = LoadTiny();
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->architecture(), "llama");
  EXPECT_EQ(model->vocab_size(), 151936);
  auto tokens = model->Tokenize("Hello world", TokenizeOptions{});
  ASSERT_TRUE(tokens.ok());
  std::string text;
  for (int32_t t : *tokens) text += model->TokenToPiece(t);
  EXPECT_NE(text.find("Hello world"), std::string::npos);
  auto prompt = model->ApplyChatTemplate({{"system", "Be brief."}, {"user", "Hi"}}, true);
  ASSERT_TRUE(prompt.ok()) << prompt.status().ToString();
  EXPECT_NE(prompt->find("<|im_start|>user\nHi<|im_end|>"), std::string::npos);
  EXPECT_NE(prompt->find("<|im_start|>assistant"), std::string::npos);
}

TEST(ModelTest, NoChatTemplateIsAClearError) {
  TestModelOptions o;
  o.shape = "tiny";
  o.vocab_path = testing::VocabPath("starcoder");
  o.out_path = testing::TestDataDir() + "/tiny-no-template.gguf";
  o.chat_template = false;
  ASSERT_TRUE(MakeTestModel(o).ok());
  auto model = Model::Load(o.out_path, ModelOptions{});
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto prompt = (*model)->ApplyChatTemplate({{"user", "Hi"}}, true);
  EXPECT_EQ(prompt.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(prompt.status().message().find("no chat template"), std::string::npos);
}

TEST(ModelTest, LoadErrorsAreSpecific) {
  EXPECT_EQ(Model::Load("/nonexistent.gguf", {}).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Model::Load(testing::VocabPath("qwen2"), {}).status().code(), ErrorCode::kInternal);
}

TEST(GenerateTest, GreedyIsDeterministicAndRespectsMaxTokens) {
  auto model = LoadTiny();
  ASSERT_NE(model, nullptr);
  GenerateOptions o;
  o.max_tokens = 12;
  o.ignore_eos = true;
  o.sampling.temperature = 0;
  std::string a, b;
  auto r1 = Generate(*model, "The quick brown fox", o, [&](std::string_view p) { a += p; return true; });
  auto r2 = Generate(*model, "The quick brown fox", o, [&](std::string_view p) { b += p; return true; });
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r1->generated_tokens, 12);
  EXPECT_EQ(r1->stop_reason, "length");
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a.empty());
}

TEST(GenerateTest, SeededSamplingIsReproducibleAndCallbackCanStop) {
  auto model = LoadTiny();
  ASSERT_NE(model, nullptr);
  GenerateOptions o;
  o.max_tokens = 8;
  o.ignore_eos = true;
  o.sampling.seed = 7;
  std::string a, b;
  ASSERT_TRUE(Generate(*model, "x", o, [&](std::string_view p) { a += p; return true; }).ok());
  ASSERT_TRUE(Generate(*model, "x", o, [&](std::string_view p) { b += p; return true; }).ok());
  EXPECT_EQ(a, b);
  int seen = 0;
  auto r = Generate(*model, "x", o, [&](std::string_view) { return ++seen < 3; });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stop_reason, "cancelled");
  EXPECT_EQ(seen, 3);
}

TEST(GenerateTest, BadInputsAreRejected) {
  auto model = LoadTiny();
  ASSERT_NE(model, nullptr);
  GenerateOptions o;
  EXPECT_EQ(Generate(*model, "", o, nullptr).status().code(), ErrorCode::kInvalidArgument);
  o.max_tokens = 0;
  EXPECT_EQ(Generate(*model, "hi", o, nullptr).status().code(), ErrorCode::kInvalidArgument);
  o.max_tokens = 4;
  o.context = 8;
  std::string long_prompt;
  for (int i = 0; i < 50; ++i) long_prompt += "word ";
  auto r = Generate(*model, long_prompt, o, nullptr);
  EXPECT_EQ(r.status().code(), ErrorCode::kOutOfRange);
  EXPECT_NE(r.status().message().find("context holds 8"), std::string::npos);
  o.context = 0;
  o.sampling.top_p = 0;
  EXPECT_EQ(Generate(*model, "hi", o, nullptr).status().code(), ErrorCode::kInvalidArgument);
}

// The number the foundation issue pins: Qwen2.5-0.5B at q4_k_m is 494.03 M parameters and
// 373.7 MiB of tensor data, as llama.cpp reports for the real file.
TEST(TestModelTest, Qwen05Q4KMMatchesTheRealFile) {
  std::string path = testing::TestModelPath("qwen2.5-0.5b", "q4_k_m");
  ASSERT_FALSE(path.empty());
  auto f = GgufFile::Open(path);
  ASSERT_TRUE(f.ok());
  auto s = SummarizeModel(*f);
  ASSERT_TRUE(s.ok());
  EXPECT_NEAR(s->parameters / 1e6, 494.03, 494.03 * 0.005);
  EXPECT_NEAR(s->tensor_bytes / 1048576.0, 373.7, 373.7 * 0.005);
  EXPECT_EQ(s->file_type, "Q4_K - Medium");
  EXPECT_EQ(s->layers, 24);
  EXPECT_EQ(s->kv_heads, 2);
  EXPECT_TRUE(s->has_chat_template);
}

TEST(TestModelTest, RejectsUnknownShapeAndType) {
  TestModelOptions o;
  o.shape = "gpt-17";
  o.vocab_path = testing::VocabPath("qwen2");
  o.out_path = testing::TestDataDir() + "/never.gguf";
  EXPECT_EQ(MakeTestModel(o).code(), ErrorCode::kInvalidArgument);
  o.shape = "tiny";
  o.type = "q3_weird";
  EXPECT_EQ(MakeTestModel(o).code(), ErrorCode::kInvalidArgument);
  o.type = "f16";
  o.vocab_path = "/nonexistent/vocab.gguf";
  EXPECT_EQ(MakeTestModel(o).code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace kolibri
