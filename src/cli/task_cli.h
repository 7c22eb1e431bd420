// Shared pieces of the task subcommands (extract, classify-task, calibrate): options, loading
// the task file and model, opening a scheduler, reading the input. RunClassifyTask is what
// a unified `kolibri classify --task NAME` calls.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "kolibri/scheduler.h"
#include "kolibri/status.h"
#include "kolibri/tasks/task.h"
#include "kolibri/tasks/task_runner.h"

namespace kolibri::cli {

struct TaskCliOptions {
  std::string tasks;       // task file
  std::string task;        // task name
  std::string model;       // overrides the task's model
  std::string input;       // the text itself (positional)
  std::string input_file;  // or a file holding it
  bool json = false;
  int32_t context = 4096;
  int32_t threads = 0;
  int verbose = 0;
};

// Adds --tasks, --task, --model, --ctx, --threads, -v; with `with_input`, also --input and
// a positional TEXT, plus --json. `required`: --tasks and --task must be given.
void AddTaskOptions(CLI::App* cmd, TaskCliOptions* o, bool with_input, bool required = true);

// A loaded task with its model, scheduler and runner.
struct TaskSession {
  tasks::TaskFile file;
  const tasks::TaskDefinition* task = nullptr;
  std::shared_ptr<Model> model;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<tasks::TaskRunner> runner;
};

// InvalidArgument when the task is of another kind or no model is given or resolvable
// (--model, else the task's `model` as a path relative to the task file or the cwd).
Result<std::unique_ptr<TaskSession>> OpenTaskSession(const TaskCliOptions& o, tasks::TaskKind kind);

// The input text: --input FILE, or the positional TEXT ("-" reads stdin).
Result<std::string> ReadTaskInput(const TaskCliOptions& o);

// `kolibri classify --task NAME --tasks FILE ...`: prints "label<TAB>probability" (or the
// whole result with --json); exit code 0 also when not confident (see "confident").
Status RunClassifyTask(const TaskCliOptions& o);

}  // namespace kolibri::cli
