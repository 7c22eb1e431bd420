// `kolibri make-test-model`: write a random-weight GGUF in a real architecture's shape.
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "kolibri/gguf_file.h"
#include "kolibri/test_model.h"

namespace kolibri::cli {

void RegisterMakeTestModelCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<TestModelOptions>();
  auto list = std::make_shared<bool>(false);
  auto lora = std::make_shared<TestLoraOptions>();
  auto want_lora = std::make_shared<bool>(false);
  CLI::App* cmd = root.add_subcommand(
      "make-test-model", "Write a GGUF with random weights in a real model's shape and tokenizer");
  cmd->add_option("--shape", o->shape, "Architecture shape (see --list)");
  cmd->add_option("--vocab", o->vocab_path, "Vocabulary GGUF (llama.cpp models/ggml-vocab-*.gguf)");
  cmd->add_option("--type", o->type, "f16, q8_0, q4_0 or q4_k_m")->capture_default_str();
  cmd->add_option("-o,--out", o->out_path, "Output .gguf path");
  cmd->add_option("--seed", o->seed, "Random seed (same seed, same file)")->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "Quantization threads, 0 = all")->check(CLI::Range(0, 1024));
  cmd->add_flag("--list", *list, "List the shapes and types");
  cmd->add_flag("--lora", *want_lora,
                "Write a random LoRA adapter for --shape to --out instead of a model (no --vocab needed)");
  cmd->add_option("--lora-rank", lora->rank, "Rank of the --lora adapter")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_flag("!--no-chat-template", o->chat_template, "Write no chat template");
  cmd->callback([run, o, list, lora, want_lora] {
    *run = [o, list, lora, want_lora]() -> Status {
      if (*list) {
        for (const auto& s : TestModelShapes()) {
          std::printf("%-14s %-8s %s (vocab: %s)\n", s.name.c_str(), s.architecture.c_str(),
                      s.description.c_str(), s.suggested_vocab.c_str());
        }
        std::printf("types: f16 q8_0 q4_0 q4_k_m\n");
        return Status::Ok();
      }
      if (*want_lora) {
        if (o->shape.empty() || o->out_path.empty()) return Status::InvalidArgument("--lora needs --shape and --out");
        lora->shape = o->shape;
        lora->out_path = o->out_path;
        lora->seed = o->seed;
        KOLIBRI_RETURN_IF_ERROR(MakeTestLora(*lora));
        std::fprintf(stderr, "wrote %s: a random rank-%d LoRA adapter for %s\n", lora->out_path.c_str(), lora->rank,
                     lora->shape.c_str());
        return Status::Ok();
      }
      if (o->shape.empty() || o->vocab_path.empty() || o->out_path.empty()) {
        return Status::InvalidArgument("--shape, --vocab and --out are required (see --list)");
      }
      auto t0 = std::chrono::steady_clock::now();
      KOLIBRI_RETURN_IF_ERROR(MakeTestModel(*o));
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      KOLIBRI_ASSIGN_OR_RETURN(GgufFile f, GgufFile::Open(o->out_path));
      std::fprintf(stderr, "wrote %s: %s %s, %.2f M parameters, %.1f MiB of tensors, in %.1f s\n",
                   o->out_path.c_str(), o->shape.c_str(), o->type.c_str(), f.TotalParameters() / 1e6,
                   f.TotalTensorBytes() / 1048576.0, s);
      return Status::Ok();
    };
  });
}

}  // namespace kolibri::cli
