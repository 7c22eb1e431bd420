// `kolibri generate --model M --prompt P`: stream a completion to stdout, then speeds.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "kolibri/engine_info.h"
#include "kolibri/generator.h"
#include "kolibri/model.h"

namespace kolibri::cli {
namespace {

struct GenerateCliOptions {
  std::string model;
  std::string prompt;
  std::string system;
  bool chat = false;
  int verbose = 0;
  GenerateOptions gen;
};

Status RunGenerate(const GenerateCliOptions& o) {
  if (o.prompt.empty()) return Status::InvalidArgument("--prompt is empty");
  SetLlamaLogVerbosity(o.verbose);
  KOLIBRI_ASSIGN_OR_RETURN(std::shared_ptr<Model> model, Model::Load(o.model, ModelOptions{}));
  std::string prompt = o.prompt;
  if (o.chat) {
    std::vector<ChatMessage> messages;
    if (!o.system.empty()) messages.push_back({"system", o.system});
    messages.push_back({"user", o.prompt});
    KOLIBRI_ASSIGN_OR_RETURN(prompt, model->ApplyChatTemplate(messages, /*add_generation_prompt=*/true));
  }
  auto on_piece = [](std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    return true;
  };
  KOLIBRI_ASSIGN_OR_RETURN(GenerateStats stats, Generate(*model, prompt, o.gen, on_piece));
  std::printf("\n");
  std::fprintf(stderr,
               "prompt: %d tokens, %.1f tokens/s | generation: %d tokens, %.1f tokens/s | stop: %s\n",
               stats.prompt_tokens, stats.PromptTokensPerSecond(), stats.generated_tokens,
               stats.GenerateTokensPerSecond(), stats.stop_reason.c_str());
  return Status::Ok();
}

}  // namespace

void RegisterGenerateCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<GenerateCliOptions>();
  CLI::App* cmd = root.add_subcommand("generate", "Generate text from a prompt, streaming tokens");
  cmd->add_option("-m,--model", o->model, "Path to a .gguf model")->required();
  cmd->add_option("-p,--prompt", o->prompt, "The prompt (with --chat: the user message)")->required();
  cmd->add_option("-n,--max-tokens", o->gen.max_tokens, "Tokens to generate at most")
      ->capture_default_str()->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--temperature", o->gen.sampling.temperature, "Sampling temperature, 0 = greedy")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--top-p", o->gen.sampling.top_p, "Nucleus sampling mass")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--top-k", o->gen.sampling.top_k, "Top-k sampling, 0 = off")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", o->gen.sampling.seed, "Sampling seed");
  cmd->add_option("-t,--threads", o->gen.threads, "Threads, 0 = all cores")
      ->capture_default_str()->check(CLI::Range(0, 1024));
  cmd->add_option("-c,--ctx", o->gen.context, "Context size in tokens, 0 = prompt + max tokens")
      ->capture_default_str()->check(CLI::Range(0, 1 << 24));
  cmd->add_flag("--chat", o->chat, "Render the prompt with the model's chat template");
  cmd->add_option("--system", o->system, "System message (with --chat)");
  cmd->add_flag("--ignore-eos", o->gen.ignore_eos, "Keep generating past end-of-generation tokens");
  cmd->add_flag("-v,--verbose", o->verbose, "Show llama.cpp's log (-v warnings, -vv everything)");
  cmd->callback([run, o] { *run = [o] { return RunGenerate(*o); }; });
}

}  // namespace kolibri::cli
