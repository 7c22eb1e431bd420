// `kolibri classify-task --tasks FILE --task NAME [--model M] (--input FILE | TEXT) [--json]`:
// label scoring with a classify task. (To be folded into `kolibri classify --task` by the
// shared classify command, which calls RunClassifyTask.)
#include "cli/command.h"
#include "cli/task_cli.h"

namespace kolibri::cli {

void RegisterClassifyTaskCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<TaskCliOptions>();
  CLI::App* cmd = root.add_subcommand("classify-task", "Classify text with a classify task (label scoring)");
  AddTaskOptions(cmd, o.get(), /*with_input=*/true);
  cmd->callback([run, o] { *run = [o] { return RunClassifyTask(*o); }; });
}

}  // namespace kolibri::cli
