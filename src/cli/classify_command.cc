// `kolibri classify`: classifies texts with a tier-0 router model (--router MODEL), or
// evaluates it on a labelled file (--eval FILE). The classifier is reached through a
// `Predictor`, so label scoring by a task (--task) can join as another source of
// predictions sharing the output and evaluation code.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/task_cli.h"
#include "kolibri/classification_eval.h"
#include "kolibri/labelled_data.h"
#include "kolibri/tier0_classifier.h"

namespace kolibri::cli {
namespace {

struct ClassifyOptions {
  std::string router;
  TaskCliOptions task;  // --tasks FILE --task NAME: label scoring by the task's model
  std::vector<std::string> texts;
  std::string eval;
  LabelledDataOptions columns;
  std::string oos_label;
  double threshold = -1;  // < 0: the model's calibrated threshold
  int top = 5;
  bool json = false;
};

// One classifier's answer for one text, whatever the tier.
struct Decision {
  std::string label;
  double probability = 0;
  double margin = 0;
  double entropy = 0;
  bool escalate = false;
  bool no_evidence = false;                         // escalated whatever the threshold
  std::vector<std::pair<std::string, double>> top;  // most probable labels first
};

struct Predictor {
  std::string tier;   // "tier0"
  std::string model;  // names the exact model (for audit records)
  double threshold = 0;
  std::string oos_label;
  std::function<Decision(const std::string& text, size_t top)> predict;
};

Result<Predictor> RouterPredictor(const std::string& path, double threshold) {
  KOLIBRI_ASSIGN_OR_RETURN(Tier0Classifier loaded, Tier0Classifier::Load(path));
  if (threshold >= 0) loaded.set_threshold(threshold);
  auto model = std::make_shared<const Tier0Classifier>(std::move(loaded));
  Predictor p;
  p.tier = "tier0";
  p.model = model->fingerprint();
  p.threshold = model->threshold();
  p.oos_label = model->oos_label();
  p.predict = [model](const std::string& text, size_t top) {
    const Tier0Prediction pred = model->Predict(text);
    Decision d{model->labels()[pred.top],
               pred.probability,
               pred.margin,
               pred.entropy,
               pred.escalate,
               pred.known_features == 0,
               {}};
    std::vector<size_t> order(pred.probabilities.size());
    std::iota(order.begin(), order.end(), size_t{0});
    top = std::min(top, order.size());
    std::partial_sort(
        order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
        [&](size_t a, size_t b) { return pred.probabilities[a] > pred.probabilities[b]; });
    for (size_t i = 0; i < top; ++i)
      d.top.emplace_back(model->labels()[order[i]], pred.probabilities[order[i]]);
    return d;
  };
  return p;
}

// Label scoring by a classify task's model (calibrated distribution over the task's labels).
Result<Predictor> TaskPredictor(const TaskCliOptions& o, double threshold) {
  KOLIBRI_ASSIGN_OR_RETURN(std::unique_ptr<TaskSession> opened, OpenTaskSession(o, tasks::TaskKind::kClassify));
  std::shared_ptr<TaskSession> session(std::move(opened));
  Predictor p;
  p.tier = "slm";
  p.model = session->model->path();
  p.threshold = threshold >= 0 ? threshold : session->task->min_confidence;
  const double cut = p.threshold;
  p.predict = [session, cut](const std::string& text, size_t top) {
    Decision d;
    auto r = session->runner->Classify(*session->task, text);
    if (!r.ok()) {  // e.g. an empty or too long text: no answer, so it escalates
      d.escalate = true;
      d.no_evidence = true;
      return d;
    }
    d.label = r->top;
    d.probability = r->probability;
    d.margin = r->margin;
    d.entropy = r->entropy;
    d.escalate = r->probability < cut;
    std::vector<tasks::LabelProbability> sorted = r->distribution;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.probability > b.probability; });
    for (size_t i = 0; i < std::min(top, sorted.size()); ++i) d.top.emplace_back(sorted[i].label, sorted[i].probability);
    return d;
  };
  return p;
}

std::string DecisionJson(const std::string& text, const Decision& d, const Predictor& p) {
  nlohmann::json top = nlohmann::json::array();
  for (const auto& [label, prob] : d.top) top.push_back({{"label", label}, {"probability", prob}});
  const nlohmann::json j = {{"text", text},
                            {"label", d.label},
                            {"probability", d.probability},
                            {"margin", d.margin},
                            {"entropy", d.entropy},
                            {"escalate", d.escalate},
                            {"threshold", p.threshold},
                            {"tier", p.tier},
                            {"model", p.model},
                            {"top", top}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status RunEval(const ClassifyOptions& o, const Predictor& p) {
  KOLIBRI_ASSIGN_OR_RETURN(const std::vector<LabelledText> data,
                           ReadLabelledData(o.eval, o.columns));
  std::vector<ClassifiedItem> items;
  items.reserve(data.size());
  for (const LabelledText& ex : data) {
    const Decision d = p.predict(ex.text, 1);
    items.push_back({ex.label, d.label, d.probability, d.no_evidence});
  }
  ClassificationEvalOptions eo;
  eo.oos_label = o.oos_label.empty() ? p.oos_label : o.oos_label;
  eo.calibrated_threshold = p.threshold;
  const ClassificationEval eval = EvaluateClassifications(items, eo);
  if (o.json)
    std::printf("%s\n", ClassificationEvalJson(eval).c_str());
  else
    std::printf("%s", ClassificationEvalText(eval).c_str());
  return Status::Ok();
}

Status RunClassify(const ClassifyOptions& o) {
  if (o.router.empty() == o.task.task.empty()) {
    return Status::InvalidArgument("give the classifier: --router MODEL, or --tasks FILE --task NAME");
  }
  KOLIBRI_ASSIGN_OR_RETURN(const Predictor p, o.router.empty() ? TaskPredictor(o.task, o.threshold)
                                                                : RouterPredictor(o.router, o.threshold));
  if (!o.eval.empty()) {
    if (!o.texts.empty())
      return Status::InvalidArgument("give either texts or --eval FILE, not both");
    return RunEval(o, p);
  }
  std::vector<std::string> texts = o.texts;
  if (texts.empty()) {  // one text per line from stdin
    for (std::string line; std::getline(std::cin, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      texts.push_back(line);
    }
    if (texts.empty())
      return Status::InvalidArgument("no text given (as arguments or lines on stdin)");
  }
  for (const std::string& text : texts) {
    const Decision d = p.predict(text, static_cast<size_t>(o.top));
    if (o.json) {
      std::printf("%s\n", DecisionJson(text, d, p).c_str());
    } else {
      std::printf("%s\t%.4f%s\n", d.label.c_str(), d.probability, d.escalate ? "\tescalate" : "");
    }
  }
  return Status::Ok();
}

}  // namespace

void RegisterClassifyCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<ClassifyOptions>();
  CLI::App* cmd = root.add_subcommand(
      "classify", "Classify texts (or evaluate on a labelled file) with a tier-0 router model or a task's model");
  cmd->add_option("texts", o->texts, "Texts to classify (none: one per line from stdin)");
  cmd->add_option("--router", o->router, "A model written by `kolibri train-router`");
  cmd->add_option("--eval", o->eval, "Labelled CSV/JSONL: print accuracy, macro-F1, coverage, ...");
  cmd->add_option("--text-column", o->columns.text_column, "With --eval: column / key of the text")
      ->capture_default_str();
  cmd->add_option("--label-column", o->columns.label_column,
                  "With --eval: column / key of the label")
      ->capture_default_str();
  cmd->add_option("--oos-label", o->oos_label,
                  "With --eval: the out-of-scope label (default: the model's)");
  cmd->add_option("--threshold", o->threshold,
                  "Escalate below this confidence instead of the model's calibrated threshold")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--top", o->top, "With --json: how many labels to list")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--json", o->json, "JSON output (one object per text; one object for --eval)");
  AddTaskOptions(cmd, &o->task, /*with_input=*/false, /*required=*/false);
  cmd->callback([run, o] { *run = [o] { return RunClassify(*o); }; });
}

}  // namespace kolibri::cli
