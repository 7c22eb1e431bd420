// `kolibri version`: Kolibri's version, the llama.cpp it runs on, and its backends.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "kolibri/engine_info.h"

namespace kolibri::cli {

void RegisterVersionCommand(CLI::App& root, CommandFn* run) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = root.add_subcommand("version", "Show Kolibri and llama.cpp versions and backends");
  cmd->add_flag("--json", *json, "Print one JSON object");
  cmd->callback([run, json] {
    *run = [json] {
      EngineInfo e = GetEngineInfo();
      if (*json) {
        nlohmann::json j = {{"kolibri", KOLIBRI_VERSION},
                            {"llama_cpp", {{"version", e.llama_version},
                                           {"commit", e.llama_commit},
                                           {"build", e.llama_build},
                                           {"compiler", e.compiler}}},
                            {"backends", e.backends},
                            {"cpu_features", e.cpu_features}};
        std::printf("%s\n", j.dump(2).c_str());
        return Status::Ok();
      }
      std::string backends;
      for (const auto& b : e.backends) backends += (backends.empty() ? "" : ", ") + b;
      std::printf("kolibri   %s\n", KOLIBRI_VERSION);
      std::printf("llama.cpp %s (commit %s, %s, %s)\n", e.llama_version.c_str(), e.llama_commit.c_str(),
                  e.llama_build.c_str(), e.compiler.c_str());
      std::printf("backends  %s\n", backends.c_str());
      std::printf("cpu       %s\n", e.cpu_features.c_str());
      return Status::Ok();
    };
  });
}

}  // namespace kolibri::cli
