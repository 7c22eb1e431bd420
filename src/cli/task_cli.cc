#include "cli/task_cli.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "kolibri/engine_info.h"

namespace kolibri::cli {

void AddTaskOptions(CLI::App* cmd, TaskCliOptions* o, bool with_input, bool required) {
  cmd->add_option("--tasks", o->tasks, "Task file (YAML)")->required(required);
  cmd->add_option("--task", o->task, "Task name in the file")->required(required);
  cmd->add_option("-m,--model", o->model, "Path to a .gguf model (default: the task's model)");
  cmd->add_option("-c,--ctx", o->context, "Context size in tokens")
      ->capture_default_str()->check(CLI::Range(64, 1 << 20));
  cmd->add_option("-t,--threads", o->threads, "Threads, 0 = all cores")
      ->capture_default_str()->check(CLI::Range(0, 1024));
  cmd->add_flag("-v,--verbose", o->verbose, "Show llama.cpp's log (-v warnings, -vv everything)");
  if (with_input) {
    cmd->add_option("--input", o->input_file, "File holding the input text");
    cmd->add_option("text", o->input, "The input text ('-' reads stdin)");
    cmd->add_flag("--json", o->json, "Print the whole result as one JSON object");
  }
}

Result<std::string> ReadTaskInput(const TaskCliOptions& o) {
  if (!o.input_file.empty() && !o.input.empty()) {
    return Status::InvalidArgument("give the input either as --input FILE or as TEXT, not both");
  }
  if (o.input_file.empty() && o.input.empty()) return Status::InvalidArgument("no input: give --input FILE or TEXT");
  if (o.input == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  if (o.input_file.empty()) return o.input;
  std::ifstream f(o.input_file, std::ios::binary);
  if (!f) return Status::NotFound("cannot open " + o.input_file);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Result<std::unique_ptr<TaskSession>> OpenTaskSession(const TaskCliOptions& o, tasks::TaskKind kind) {
  SetLlamaLogVerbosity(o.verbose);
  auto s = std::make_unique<TaskSession>();
  KOLIBRI_ASSIGN_OR_RETURN(s->file, tasks::LoadTaskFile(o.tasks));
  KOLIBRI_ASSIGN_OR_RETURN(s->task, s->file.Find(o.task));
  if (s->task->kind != kind) {
    return Status::InvalidArgument("task '" + o.task + "' is a " + std::string(tasks::TaskKindName(s->task->kind)) +
                                   " task; this command runs " + std::string(tasks::TaskKindName(kind)) + " tasks");
  }
  std::string model = o.model;
  if (model.empty()) {
    const std::string& m = s->task->model;
    const auto beside = std::filesystem::path(o.tasks).parent_path() / m;
    if (!m.empty() && std::filesystem::is_regular_file(beside)) model = beside.string();
    else if (!m.empty() && std::filesystem::is_regular_file(m)) model = m;
    else if (m.empty()) return Status::InvalidArgument("task '" + o.task + "' names no model; pass --model PATH");
    else {
      return Status::InvalidArgument("task '" + o.task + "' names model '" + m +
                                     "', which is not a file here; pass --model PATH");
    }
  }
  KOLIBRI_ASSIGN_OR_RETURN(s->model, Model::Load(model, ModelOptions{}));
  SchedulerOptions so;
  so.context = o.context;
  so.parallel = 1;
  so.threads = o.threads;
  KOLIBRI_ASSIGN_OR_RETURN(s->scheduler, Scheduler::Create(s->model, so));
  s->runner = std::make_unique<tasks::TaskRunner>(*s->scheduler);
  return s;
}

Status RunClassifyTask(const TaskCliOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(std::string input, ReadTaskInput(o));
  KOLIBRI_ASSIGN_OR_RETURN(auto session, OpenTaskSession(o, tasks::TaskKind::kClassify));
  KOLIBRI_ASSIGN_OR_RETURN(tasks::ClassifyResult r, session->runner->Classify(*session->task, input));
  if (o.json) {
    std::printf("%s\n", r.ToJson().dump().c_str());
  } else {
    std::printf("%s\t%.4f\n", r.top.c_str(), r.probability);
    std::fprintf(stderr, "margin %.4f, entropy %.3f nats, %s (min_confidence %.2f) | prompt %d tokens (%d cached), "
                 "%d scored after it | %.1f ms\n",
                 r.margin, r.entropy, r.confident ? "confident" : "not confident", session->task->min_confidence,
                 r.tokens.prompt, r.tokens.cached, r.tokens.generated, r.total_ms);
  }
  return Status::Ok();
}

}  // namespace kolibri::cli
