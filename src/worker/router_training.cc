#include "kolibri/worker/router_training.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "kolibri/labelled_data.h"
#include "kolibri/worker/worker_pipeline.h"

namespace kolibri::worker {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The first step that runs `task` with `router` among its tiers.
const StepConfig* RoutedStep(const WorkerConfig& c, const std::string& task, const std::string& router) {
  for (const auto& s : c.steps) {
    if (s.task != task) continue;
    for (const auto& t : s.cascade) {
      if (t.model == router) return &s;
    }
  }
  return nullptr;
}

}  // namespace

Result<std::vector<RouterTrainResult>> TrainWorkerRouters(const WorkerConfig& config) {
  const ModelAlias* router = nullptr;
  for (const auto& [name, m] : config.models) {
    if (m.kind == ModelKind::kRouter && m.train) router = &m;
  }
  if (router == nullptr) {
    return Status::FailedPrecondition(config.path + " has no router model with a train: block");
  }
  const RouterTraining& train = *router->train;
  std::ifstream in(train.data);
  if (!in) return Status::NotFound("cannot open gold file " + train.data);
  std::vector<json> gold;
  std::vector<MailItem> mails;
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty()) continue;
    json g = json::parse(line, nullptr, false);
    if (g.is_discarded() || !g.is_object() || !g.contains("file") || !g["file"].is_string()) {
      return Status::InvalidArgument(train.data + ":" + std::to_string(line_no) + ": not an object with \"file\"");
    }
    const std::string file = (fs::path(train.data).parent_path() / g["file"].get<std::string>()).string();
    KOLIBRI_ASSIGN_OR_RETURN(std::vector<MailItem> items, ReadMailSource(file));
    if (items.size() != 1 || !items[0].problem.empty()) {
      return Status::InvalidArgument(file + ": not one usable mail" +
                                     (items.empty() ? std::string() : ": " + items[0].problem));
    }
    gold.push_back(std::move(g));
    mails.push_back(std::move(items[0]));
  }
  std::error_code ec;
  fs::create_directories(router->path, ec);
  std::vector<RouterTrainResult> results;
  for (const auto& [task, key] : train.labels) {
    const StepConfig* step = RoutedStep(config, task, router->name);
    if (step == nullptr) continue;  // no step asks this router
    std::vector<LabelledText> examples;
    for (size_t i = 0; i < gold.size(); ++i) {
      if (!gold[i].contains(key) || !gold[i][key].is_string()) {
        return Status::InvalidArgument(train.data + ": the line of " + gold[i]["file"].get<std::string>() +
                                       " has no string \"" + key + "\"");
      }
      json earlier = json::object();  // context from the gold labels of earlier steps' tasks
      for (const auto& s : config.steps) {
        if (&s == step) break;
        auto k = train.labels.find(s.task);
        if (k != train.labels.end() && gold[i].contains(k->second)) {
          earlier[s.id] = {{"label", gold[i][k->second]}, {"answered", true}};
        }
      }
      examples.push_back({StepInputText(config, *step, mails[i], earlier), gold[i][key].get<std::string>()});
    }
    Tier0TrainOptions options;
    options.holdout_fraction = train.holdout_fraction;
    options.seed = train.seed;
    RouterTrainResult r;
    r.task = task;
    r.step = step->id;
    r.examples = examples.size();
    r.path = (fs::path(router->path) / (task + ".router")).string();
    KOLIBRI_ASSIGN_OR_RETURN(Tier0Classifier model, Tier0Classifier::Train(examples, options, &r.report));
    KOLIBRI_RETURN_IF_ERROR(model.Save(r.path));
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace kolibri::worker
