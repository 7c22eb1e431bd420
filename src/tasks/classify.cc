// TaskRunner::Classify: label scoring after one prefill, and the calibrated distribution.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "kolibri/tasks/task_runner.h"
#include "tasks/prompt.h"

namespace kolibri::tasks {

namespace {

using Clock = std::chrono::steady_clock;

std::string LabelKey(const TaskDefinition& task) {
  std::string key = task.name;
  for (const auto& l : task.labels) key += '\x1f' + l.name;
  return key;
}

}  // namespace

Result<std::vector<std::vector<int32_t>>> TaskRunner::LabelTokens(const TaskDefinition& task) {
  const std::string key = LabelKey(task);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = label_tokens_.find(key);
  if (it != label_tokens_.end()) return it->second;
  const Model& model = scheduler_.model();
  TokenizeOptions raw;
  raw.add_special = false;
  raw.parse_special = false;
  std::vector<std::vector<int32_t>> out;
  for (const auto& l : task.labels) {
    KOLIBRI_ASSIGN_OR_RETURN(std::vector<int32_t> t, model.Tokenize(l.name, raw));
    if (t.empty()) return Status::InvalidArgument("label '" + l.name + "' has no tokens");
    // The end of the answer makes "bill" and "billing" compete fairly.
    t.push_back(model.end_of_turn_token());
    out.push_back(std::move(t));
  }
  label_tokens_.emplace(key, out);
  return out;
}

Result<std::vector<double>> TaskRunner::ScoreLabels(const TaskDefinition& task, std::string_view input,
                                                    const RunOptions& run) {
  KOLIBRI_ASSIGN_OR_RETURN(ClassifyResult r, Classify(task, input, run));
  std::vector<double> scores;
  for (const auto& d : r.distribution) scores.push_back(d.score);
  return scores;
}

Result<ClassifyResult> TaskRunner::Classify(const TaskDefinition& task, std::string_view input, const RunOptions& run) {
  const auto t0 = Clock::now();
  if (task.kind != TaskKind::kClassify) {
    return Status::InvalidArgument("task '" + task.name + "' is a " + std::string(TaskKindName(task.kind)) +
                                   " task, not a classify task");
  }
  if (task.labels.size() < 2) return Status::InvalidArgument("task '" + task.name + "' needs at least two labels");
  KOLIBRI_ASSIGN_OR_RETURN(auto labels, LabelTokens(task));
  int32_t longest = 0;
  for (const auto& l : labels) longest = std::max(longest, static_cast<int32_t>(l.size()));
  KOLIBRI_ASSIGN_OR_RETURN(RenderedPrompt prompt,
                           RenderTaskPrompt(scheduler_.model(), task, ClassifySystemMessage(task), input,
                                            SequenceCapacity(scheduler_), longest + options_.context_margin));
  ScoreRequest req;
  req.prompt = std::move(prompt.tokens);
  req.continuations = std::move(labels);
  req.skip_unbranched = task.scoring == LabelScoring::kRestricted;
  req.deadline = run.deadline;
  KOLIBRI_ASSIGN_OR_RETURN(ScoreResult s, scheduler_.Score(std::move(req)));
  std::vector<double> scores;
  const auto& src = task.scoring == LabelScoring::kRestricted ? s.restricted_logprob : s.logprob;
  for (float x : src) scores.push_back(x);
  ClassifyResult r = MakeDistribution(task, scores);
  r.truncated = prompt.truncated;
  r.tokens = {s.prompt_tokens, s.cached_prompt_tokens, s.branch_tokens};
  r.passes = s.passes;
  r.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  return r;
}

ClassifyResult MakeDistribution(const TaskDefinition& task, const std::vector<double>& scores) {
  ClassifyResult r;
  const double t = task.calibration.temperature > 0 ? task.calibration.temperature : 1.0;
  double m = -INFINITY;
  for (double s : scores) m = std::max(m, s / t);
  double z = 0;
  for (double s : scores) z += std::exp(s / t - m);
  for (size_t i = 0; i < scores.size(); ++i) {
    LabelProbability p;
    p.label = i < task.labels.size() ? task.labels[i].name : std::to_string(i);
    p.score = scores[i];
    p.probability = std::exp(scores[i] / t - m) / z;
    if (p.probability > 0) r.entropy -= p.probability * std::log(p.probability);
    r.distribution.push_back(std::move(p));
  }
  double second = 0;
  for (const auto& p : r.distribution) {
    if (p.probability > r.probability) {
      second = r.probability;
      r.probability = p.probability;
      r.top = p.label;
    } else if (p.probability > second) {
      second = p.probability;
    }
  }
  r.margin = r.probability - second;
  r.confident = r.probability >= task.min_confidence;
  return r;
}

nlohmann::json ClassifyResult::ToJson() const {
  nlohmann::json dist = nlohmann::json::array();
  for (const auto& d : distribution) {
    dist.push_back({{"label", d.label}, {"probability", d.probability}, {"score", d.score}});
  }
  return {{"label", top},
          {"probability", probability},
          {"margin", margin},
          {"entropy", entropy},
          {"confident", confident},
          {"truncated", truncated},
          {"distribution", dist},
          {"tokens", tokens.ToJson()},
          {"passes", passes},
          {"total_ms", total_ms}};
}

}  // namespace kolibri::tasks
