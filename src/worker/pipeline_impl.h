// Private to the worker module: what a WorkerPipeline holds (built by pipeline_setup.cc,
// used by worker_pipeline.cc).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kolibri/cascade.h"
#include "kolibri/json_schema_validator.h"
#include "kolibri/model.h"
#include "kolibri/review_queue.h"
#include "kolibri/scheduler.h"
#include "kolibri/tasks/task_runner.h"
#include "kolibri/tier0_classifier.h"
#include "kolibri/worker/reply_library.h"
#include "kolibri/worker/worker_pipeline.h"

namespace kolibri::worker {

struct PreparedStep {
  const StepConfig* config = nullptr;
  const tasks::TaskDefinition* task = nullptr;  // null for render_reply
  std::unique_ptr<Cascade> cascade;
  std::vector<std::string> tiers;  // cascade tier names ("tier0", "slm", upstream alias, "human")
};

struct WorkerPipeline::Impl {
  WorkerConfig config;
  std::shared_ptr<Model> model;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<tasks::TaskRunner> runner;
  std::map<std::string, std::unique_ptr<Tier0Classifier>> routers;  // by task name
  std::unique_ptr<ReviewQueue> review;
  std::optional<ReplyLibrary> replies;
  std::optional<JsonSchemaValidator> schema;
  std::vector<PreparedStep> steps;
  std::vector<std::string> notes;
  std::string model_path;
};

// Builds everything Process needs. See WorkerPipeline::Create.
Status SetUpPipeline(const WorkerConfig& config, const PipelineOptions& options, WorkerPipeline::Impl* impl);

}  // namespace kolibri::worker
