// How `kolibri` subcommands plug into the CLI: one source file per subcommand
// (<name>_command.cc), each defining one Register<Name>Command listed here and called in
// main.cc. Registration adds the CLI11 subcommand and its options; the subcommand's
// CLI11 callback stores the work in `*run`, which main.cc runs after parsing. Its Status
// becomes a one-line error on stderr and an exit code (exit_code.cc is the only place
// that maps error codes to exit codes).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "kolibri/status.h"

namespace kolibri::cli {

// The callback a subcommand runs once its options are parsed.
using CommandFn = std::function<Status()>;

// Exit code for a Status: 0 ok, 2 invalid arguments, 3 not found, 4 corrupt or unsupported
// input, 5 resource limits, 1 anything else.
int ExitCodeFor(const Status& status);

void RegisterVersionCommand(CLI::App& root, CommandFn* run);
void RegisterInfoCommand(CLI::App& root, CommandFn* run);
void RegisterGenerateCommand(CLI::App& root, CommandFn* run);
void RegisterMakeTestModelCommand(CLI::App& root, CommandFn* run);
void RegisterServeCommand(CLI::App& root, CommandFn* run);
void RegisterPlanCommand(CLI::App& root, CommandFn* run);
void RegisterPullCommand(CLI::App& root, CommandFn* run);
void RegisterTrainRouterCommand(CLI::App& root, CommandFn* run);
void RegisterClassifyCommand(CLI::App& root, CommandFn* run);
void RegisterReviewCommand(CLI::App& root, CommandFn* run);
void RegisterExtractCommand(CLI::App& root, CommandFn* run);
void RegisterClassifyTaskCommand(CLI::App& root, CommandFn* run);
void RegisterCalibrateCommand(CLI::App& root, CommandFn* run);
void RegisterIndexCommand(CLI::App& root, CommandFn* run);
void RegisterSchemaCommand(CLI::App& root, CommandFn* run);
void RegisterAskCommand(CLI::App& root, CommandFn* run);
void RegisterRunCommand(CLI::App& root, CommandFn* run);
void RegisterEvalCommand(CLI::App& root, CommandFn* run);
void RegisterStoreCommand(CLI::App& root, CommandFn* run);
void RegisterForgetCommand(CLI::App& root, CommandFn* run);

}  // namespace kolibri::cli
