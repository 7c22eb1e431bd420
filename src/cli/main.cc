// `kolibri` — the command-line entry point. Parses arguments with CLI11, runs the chosen
// subcommand, and turns its Status into a single line on stderr plus an exit code.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/command.h"

int main(int argc, char** argv) {
  using namespace kolibri::cli;
  CLI::App app{"Kolibri — small language models as dependable task workers"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  CommandFn run;
  RegisterVersionCommand(app, &run);
  RegisterInfoCommand(app, &run);
  RegisterGenerateCommand(app, &run);
  RegisterMakeTestModelCommand(app, &run);
  RegisterServeCommand(app, &run);
  RegisterPlanCommand(app, &run);
  RegisterPullCommand(app, &run);
  RegisterTrainRouterCommand(app, &run);
  RegisterClassifyCommand(app, &run);
  RegisterReviewCommand(app, &run);
  RegisterExtractCommand(app, &run);
  RegisterClassifyTaskCommand(app, &run);
  RegisterCalibrateCommand(app, &run);
  RegisterIndexCommand(app, &run);
  RegisterSchemaCommand(app, &run);
  RegisterAskCommand(app, &run);
  RegisterRunCommand(app, &run);
  RegisterEvalCommand(app, &run);
  RegisterStoreCommand(app, &run);
  RegisterForgetCommand(app, &run);
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) known = known || sub->check_name(argv[1]);
    if (!known) {
      std::fprintf(stderr, "kolibri: unknown command '%s' (see '%s --help')\n", argv[1], argv[0]);
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::fprintf(stderr, "kolibri: %s (see '%s --help')\n", e.what(), argv[0]);
    return 2;
  }
  if (!run) {
    std::fprintf(stderr, "kolibri: no command given (see --help)\n");
    return 2;
  }
  kolibri::Status s;
  try {
    s = run();
  } catch (const std::exception& e) {
    s = kolibri::Status::Internal(e.what());
  }
  if (!s.ok()) {
    std::fprintf(stderr, "kolibri: error: %s\n", s.message().c_str());
    return ExitCodeFor(s);
  }
  return 0;
}
