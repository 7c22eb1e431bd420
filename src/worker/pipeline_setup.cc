// Loading a worker's models, routers, queues and library, and wiring one cascade per step.
#include <cstdlib>
#include <filesystem>

#include "kolibri/engine_info.h"
#include "worker/pipeline_impl.h"

namespace kolibri::worker {
namespace {

namespace fs = std::filesystem;

bool Skipped(const PipelineOptions& o, const std::string& alias) {
  return std::find(o.skip_tiers.begin(), o.skip_tiers.end(), alias) != o.skip_tiers.end();
}

// Which aliases the steps use, after --skip-tier.
bool Uses(const WorkerConfig& c, const PipelineOptions& o, ModelKind kind) {
  for (const auto& s : c.steps) {
    for (const auto& t : s.cascade) {
      if (c.models.at(t.model).kind == kind && !Skipped(o, t.model)) return true;
    }
  }
  return false;
}

Status LoadSlm(const WorkerConfig& c, const PipelineOptions& o, WorkerPipeline::Impl* impl) {
  const ModelAlias* alias = c.FindModel(ModelKind::kGguf);
  if (alias == nullptr && o.model.empty()) return Status::Ok();
  if (alias != nullptr && !Uses(c, o, ModelKind::kGguf)) return Status::Ok();
  const std::string path = o.model.empty() ? alias->path : o.model;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return Status::NotFound("model '" + (alias != nullptr ? alias->name : std::string("slm")) + "': " + path +
                            " does not exist (get one with `kolibri pull`, or pass --model PATH)");
  }
  SetLlamaLogVerbosity(o.verbose);
  KOLIBRI_ASSIGN_OR_RETURN(impl->model, Model::Load(path, ModelOptions{}));
  SchedulerOptions so;
  so.parallel = o.parallel > 0 ? o.parallel : (alias != nullptr ? alias->parallel : 4);
  const int32_t per_sequence = o.context > 0 ? o.context : (alias != nullptr ? alias->context : 4096);
  so.context = per_sequence * so.parallel;
  so.threads = o.threads;
  so.max_queue = std::max(256, so.parallel * 16);
  KOLIBRI_ASSIGN_OR_RETURN(impl->scheduler, Scheduler::Create(impl->model, so));
  impl->runner = std::make_unique<tasks::TaskRunner>(*impl->scheduler);
  impl->model_path = path;
  return Status::Ok();
}

Status LoadRouters(const WorkerConfig& c, const PipelineOptions& o, WorkerPipeline::Impl* impl) {
  for (const auto& s : c.steps) {
    for (const auto& t : s.cascade) {
      const ModelAlias& alias = c.models.at(t.model);
      if (alias.kind != ModelKind::kRouter || Skipped(o, t.model) || impl->routers.count(s.task)) continue;
      const std::string file = (fs::path(alias.path) / (s.task + ".router")).string();
      std::error_code ec;
      if (!fs::is_regular_file(file, ec)) {
        impl->notes.push_back("step '" + s.id + "': no router " + file +
                              " (train one with `kolibri train-router`), so tier '" + t.model + "' is left out");
        continue;
      }
      KOLIBRI_ASSIGN_OR_RETURN(Tier0Classifier router, Tier0Classifier::Load(file));
      impl->routers[s.task] = std::make_unique<Tier0Classifier>(std::move(router));
    }
  }
  return Status::Ok();
}

}  // namespace

Status SetUpPipeline(const WorkerConfig& c, const PipelineOptions& o, WorkerPipeline::Impl* impl) {
  impl->config = c;
  const WorkerConfig& config = impl->config;  // steps point into this copy
  KOLIBRI_RETURN_IF_ERROR(LoadSlm(config, o, impl));
  KOLIBRI_RETURN_IF_ERROR(LoadRouters(config, o, impl));
  if (const ModelAlias* review = config.FindModel(ModelKind::kReview);
      review != nullptr && Uses(config, o, ModelKind::kReview)) {
    const std::string db = o.review_db.empty() ? review->path : o.review_db;
    std::error_code ec;
    if (db != ":memory:") fs::create_directories(fs::path(db).parent_path(), ec);
    KOLIBRI_ASSIGN_OR_RETURN(impl->review, ReviewQueue::Open(db));
  }
  if (!config.replies_dir.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(ReplyLibrary lib, ReplyLibrary::Load(config.replies_dir));
    impl->replies = std::move(lib);
  }
  if (!config.schema.empty()) {
    KOLIBRI_ASSIGN_OR_RETURN(JsonSchemaValidator v, JsonSchemaValidator::Compile(nlohmann::json::parse(config.schema)));
    impl->schema = std::move(v);
  }
  for (const auto& s : config.steps) {
    PreparedStep p;
    p.config = &s;
    if (s.kind == StepKind::kTask) {
      KOLIBRI_ASSIGN_OR_RETURN(p.task, config.tasks.Find(s.task));
      CascadeResources r;
      r.review = impl->review.get();
      for (const auto& t : s.cascade) {
        const ModelAlias& alias = config.models.at(t.model);
        if (Skipped(o, t.model)) continue;
        switch (alias.kind) {
          case ModelKind::kRouter:
            if (!impl->routers.count(s.task)) continue;
            r.tier0_by_task[s.task] = impl->routers[s.task].get();
            r.tier0_threshold = t.threshold;
            p.tiers.push_back("tier0");
            break;
          case ModelKind::kGguf:
            if (impl->runner == nullptr) continue;
            r.slm = impl->runner.get();
            r.slm_model = impl->model_path;
            r.slm_threshold = t.threshold;
            p.tiers.push_back("slm");
            break;
          case ModelKind::kOpenAi: {
            UpstreamEndpoint ep;
            ep.base_url = alias.base_url;
            ep.model = alias.model;
            if (!alias.api_key_env.empty()) {
              const char* key = std::getenv(alias.api_key_env.c_str());
              ep.api_key = key != nullptr ? key : "";
            }
            ep.timeout_s = alias.timeout_s;
            ep.retries = alias.retries;
            ep.threshold = t.threshold < 0 ? 0 : t.threshold;
            r.upstreams[t.model] = ep;
            p.tiers.push_back(t.model);
            break;
          }
          case ModelKind::kReview:
            if (r.review != nullptr) p.tiers.push_back("human");
            break;
        }
      }
      if (p.tiers.empty()) impl->notes.push_back("step '" + s.id + "' has no usable tier: its mails go to review");
      p.cascade = std::make_unique<Cascade>(std::move(r));
    }
    impl->steps.push_back(std::move(p));
  }
  if (!impl->model_path.empty()) impl->notes.push_back("slm: " + impl->model_path);
  return Status::Ok();
}

}  // namespace kolibri::worker
