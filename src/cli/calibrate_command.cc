// `kolibri calibrate --tasks FILE --task NAME --dev DEV.jsonl [--model M]`: fits the
// temperature of a classify task on labelled examples ({"text", "label"} per line) and
// records it in FILE.calibration.json (the sidecar LoadTaskFile applies).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/task_cli.h"
#include "kolibri/tasks/calibration.h"

namespace kolibri::cli {
namespace {

struct CalibrateCliOptions {
  TaskCliOptions task;
  std::string dev;
};

Status RunCalibrate(const CalibrateCliOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(auto rows, tasks::ReadLabelledJsonl(o.dev));
  KOLIBRI_ASSIGN_OR_RETURN(auto session, OpenTaskSession(o.task, tasks::TaskKind::kClassify));
  const tasks::TaskDefinition& task = *session->task;
  std::vector<tasks::LabelledScores> examples;
  int32_t correct = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    int32_t gold = -1;
    for (size_t k = 0; k < task.labels.size(); ++k) {
      if (task.labels[k].name == rows[i].label) gold = static_cast<int32_t>(k);
    }
    if (gold < 0) {
      return Status::InvalidArgument(o.dev + ": example " + std::to_string(i + 1) + " has label '" + rows[i].label +
                                     "', which task '" + task.name + "' does not have");
    }
    KOLIBRI_ASSIGN_OR_RETURN(std::vector<double> scores, session->runner->ScoreLabels(task, rows[i].text));
    int32_t best = 0;
    for (size_t k = 1; k < scores.size(); ++k) {
      if (scores[k] > scores[static_cast<size_t>(best)]) best = static_cast<int32_t>(k);
    }
    correct += best == gold ? 1 : 0;
    examples.push_back({std::move(scores), gold});
  }
  KOLIBRI_ASSIGN_OR_RETURN(tasks::Calibration c, tasks::FitTemperature(examples));
  KOLIBRI_RETURN_IF_ERROR(tasks::SaveCalibration(o.task.tasks, task.name, c));
  nlohmann::json out = {{"task", task.name},
                        {"temperature", c.temperature},
                        {"examples", c.examples},
                        {"accuracy", static_cast<double>(correct) / static_cast<double>(rows.size())},
                        {"nll_before", c.nll_before},
                        {"nll_after", c.nll_after},
                        {"written_to", tasks::CalibrationSidecarPath(o.task.tasks)}};
  std::printf("%s\n", out.dump(2).c_str());
  return Status::Ok();
}

}  // namespace

void RegisterCalibrateCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<CalibrateCliOptions>();
  CLI::App* cmd = root.add_subcommand("calibrate", "Fit a classify task's temperature on labelled dev examples");
  AddTaskOptions(cmd, &o->task, /*with_input=*/false);
  cmd->add_option("--dev", o->dev, "JSONL file of {\"text\", \"label\"} examples")->required();
  cmd->callback([run, o] { *run = [o] { return RunCalibrate(*o); }; });
}

}  // namespace kolibri::cli
