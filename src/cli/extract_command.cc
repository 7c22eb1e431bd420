// `kolibri extract --tasks FILE --task NAME [--model M] (--input FILE | TEXT) [--json]`:
// prints the validated record (or the whole result with --json). A record still invalid
// after the task's attempts is an error (exit 1) after printing what was produced.
#include <cstdio>

#include "cli/command.h"
#include "cli/task_cli.h"

namespace kolibri::cli {
namespace {

Status RunExtract(const TaskCliOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(std::string input, ReadTaskInput(o));
  KOLIBRI_ASSIGN_OR_RETURN(auto session, OpenTaskSession(o, tasks::TaskKind::kExtract));
  KOLIBRI_ASSIGN_OR_RETURN(tasks::ExtractResult r, session->runner->Extract(*session->task, input));
  if (o.json) {
    std::printf("%s\n", r.ToJson().dump().c_str());
  } else {
    if (r.valid) std::printf("%s\n", r.record.dump().c_str());
    std::fprintf(stderr, "%s after %d attempt(s), %d repair(s)%s | tokens: prompt %d (%d cached), generated %d | "
                 "%.1f ms\n",
                 r.valid ? "valid" : "invalid", r.attempts, r.repairs, r.truncated ? ", input truncated" : "",
                 r.tokens.prompt, r.tokens.cached, r.tokens.generated, r.total_ms);
  }
  if (!r.valid) {
    std::string first = r.validation_errors.empty() ? r.stopped_by : r.validation_errors.back();
    return Status::FailedPrecondition("no valid record after " + std::to_string(r.attempts) + " attempt(s) (stopped by " +
                                      r.stopped_by + "): " + first);
  }
  return Status::Ok();
}

}  // namespace

void RegisterExtractCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<TaskCliOptions>();
  CLI::App* cmd = root.add_subcommand("extract", "Extract a JSON record from text with an extract task");
  AddTaskOptions(cmd, o.get(), /*with_input=*/true);
  cmd->callback([run, o] { *run = [o] { return RunExtract(*o); }; });
}

}  // namespace kolibri::cli
