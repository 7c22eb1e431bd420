// Training a worker's tier-0 routers from its labelled mails (`kolibri train-router --worker`).
//
// The router alias's `train:` block names a gold JSONL (one object per mail with "file",
// relative to the gold file, and one key per task in `labels:`). For each such classify
// task, the router learns from exactly the text its step gives the cascade at run time
// (StepInputText, with earlier steps' context taken from the gold labels), holding out a
// seeded `holdout_fraction` for calibration; its held-out accuracy is in the report. The
// model is saved as <dir>/<task>.router, where `kolibri run` looks for it.
#pragma once

#include <string>
#include <vector>

#include "kolibri/status.h"
#include "kolibri/tier0_classifier.h"
#include "kolibri/worker/worker_config.h"

namespace kolibri::worker {

struct RouterTrainResult {
  std::string task;
  std::string step;
  std::string path;  // where the router was saved
  size_t examples = 0;
  Tier0TrainReport report;
};

// FailedPrecondition when the worker has no router alias with a train block; NotFound for a
// missing gold or mail file; InvalidArgument for a gold line without the task's key, and the
// trainer's errors.
Result<std::vector<RouterTrainResult>> TrainWorkerRouters(const WorkerConfig& config);

}  // namespace kolibri::worker
