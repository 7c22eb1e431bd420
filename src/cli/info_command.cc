// `kolibri info MODEL.gguf [--json]`: a model's vital statistics from its header alone.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "kolibri/gguf_file.h"
#include "kolibri/model_summary.h"

namespace kolibri::cli {
namespace {

struct InfoOptions {
  std::string model;
  bool json = false;
};

std::string HumanCount(uint64_t n) {
  char buf[32];
  if (n >= 1000000000ULL) std::snprintf(buf, sizeof buf, "%.2f B", n / 1e9);
  else std::snprintf(buf, sizeof buf, "%.2f M", n / 1e6);
  return buf;
}

std::string Mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f MiB", bytes / (1024.0 * 1024.0));
  return buf;
}

nlohmann::json ToJson(const ModelSummary& s) {
  nlohmann::json mix = nlohmann::json::object();
  for (const auto& [type, share] : s.type_mix) {
    mix[type] = {{"tensors", share.tensors}, {"parameters", share.parameters}, {"bytes", share.bytes}};
  }
  return {{"path", s.path},
          {"name", s.name},
          {"architecture", s.architecture},
          {"architecture_supported", s.architecture_known},
          {"parameters", s.parameters},
          {"tensor_bytes", s.tensor_bytes},
          {"file_bytes", s.file_bytes},
          {"file_type", s.file_type},
          {"type_mix", mix},
          {"context_length", s.context_length},
          {"layers", s.layers},
          {"heads", s.heads},
          {"kv_heads", s.kv_heads},
          {"embedding_length", s.embedding},
          {"feed_forward_length", s.feed_forward},
          {"vocab_size", s.vocab_size},
          {"tokenizer", s.tokenizer},
          {"chat_template", s.has_chat_template}};
}

void PrintText(const ModelSummary& s) {
  std::printf("model         %s\n", s.path.c_str());
  if (!s.name.empty()) std::printf("name          %s\n", s.name.c_str());
  std::printf("architecture  %s%s\n", s.architecture.c_str(),
              s.architecture_known ? "" : "  (not supported by the pinned llama.cpp)");
  std::printf("parameters    %s (%llu)\n", HumanCount(s.parameters).c_str(),
              static_cast<unsigned long long>(s.parameters));
  std::printf("file type     %s\n", s.file_type.c_str());
  std::printf("tensor data   %s (file %s)\n", Mib(s.tensor_bytes).c_str(), Mib(s.file_bytes).c_str());
  std::printf("type mix     ");
  for (const auto& [type, share] : s.type_mix) {
    std::printf(" %s: %llu tensors, %s;", type.c_str(), static_cast<unsigned long long>(share.tensors),
                Mib(share.bytes).c_str());
  }
  std::printf("\n");
  std::printf("context       %lld\n", static_cast<long long>(s.context_length));
  std::printf("layers        %lld\n", static_cast<long long>(s.layers));
  std::printf("heads         %lld (kv %lld)\n", static_cast<long long>(s.heads),
              static_cast<long long>(s.kv_heads));
  std::printf("embedding     %lld (ffn %lld)\n", static_cast<long long>(s.embedding),
              static_cast<long long>(s.feed_forward));
  std::printf("vocabulary    %llu (%s)\n", static_cast<unsigned long long>(s.vocab_size),
              s.tokenizer.empty() ? "no tokenizer" : s.tokenizer.c_str());
  std::printf("chat template %s\n", s.has_chat_template ? "yes" : "no");
}

Status RunInfo(const InfoOptions& opts) {
  KOLIBRI_ASSIGN_OR_RETURN(GgufFile file, GgufFile::Open(opts.model));
  KOLIBRI_ASSIGN_OR_RETURN(ModelSummary summary, SummarizeModel(file));
  if (opts.json) {
    std::printf("%s\n", ToJson(summary).dump(2).c_str());
  } else {
    PrintText(summary);
  }
  if (!summary.architecture_known) {
    return Status::Unsupported("architecture '" + summary.architecture +
                               "' is not supported by the pinned llama.cpp (v0.5.0); the header "
                               "was read, the model cannot be loaded");
  }
  return Status::Ok();
}

}  // namespace

void RegisterInfoCommand(CLI::App& root, CommandFn* run) {
  auto opts = std::make_shared<InfoOptions>();
  CLI::App* cmd = root.add_subcommand("info", "Describe a GGUF model from its header (no weights loaded)");
  cmd->add_option("model", opts->model, "Path to a .gguf file")->required();
  cmd->add_flag("--json", opts->json, "Print one JSON object");
  cmd->callback([run, opts] { *run = [opts] { return RunInfo(*opts); }; });
}

}  // namespace kolibri::cli
