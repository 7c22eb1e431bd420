// `kolibri train-router --data FILE --out MODEL`: trains the tier-0 classifier (hashed
// word/char n-grams + softmax regression) from labelled CSV/JSONL, calibrating temperature
// and threshold on a seeded held-out part of FILE, and saves the model.
// `kolibri train-router --worker WORKER.yaml`: trains every router a worker's steps use from
// the gold mails its router model names (kolibri/worker/router_training.h).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.h"
#include "kolibri/labelled_data.h"
#include "kolibri/tier0_classifier.h"
#include "kolibri/worker/router_training.h"

namespace kolibri::cli {
namespace {

struct TrainRouterOptions {
  std::string worker;
  std::string data;
  std::string out;
  LabelledDataOptions columns;
  Tier0TrainOptions train;
  bool no_refit = false;
  bool json = false;
};

Status RunTrainWorkerRouters(const TrainRouterOptions& o) {
  KOLIBRI_ASSIGN_OR_RETURN(const worker::WorkerConfig config, worker::LoadWorkerFile(o.worker));
  KOLIBRI_ASSIGN_OR_RETURN(const std::vector<worker::RouterTrainResult> results, worker::TrainWorkerRouters(config));
  nlohmann::json all = nlohmann::json::array();
  for (const auto& r : results) {
    if (o.json) {
      all.push_back({{"task", r.task}, {"step", r.step}, {"model", r.path}, {"examples", r.examples},
                     {"holdout_examples", r.report.holdout_examples}, {"holdout_accuracy", r.report.holdout_accuracy},
                     {"threshold", r.report.threshold}, {"holdout_coverage", r.report.holdout_coverage},
                     {"holdout_answered_accuracy", r.report.holdout_answered_accuracy}});
      continue;
    }
    std::printf("%-16s step %-9s %3zu mails, %2zu held out: accuracy %.3f; at threshold %.2f answers %5.1f%% "
                "(%.3f right) -> %s\n",
                r.task.c_str(), r.step.c_str(), r.examples, r.report.holdout_examples, r.report.holdout_accuracy,
                r.report.threshold, 100 * r.report.holdout_coverage, r.report.holdout_answered_accuracy,
                r.path.c_str());
  }
  if (o.json) std::printf("%s\n", all.dump().c_str());
  return Status::Ok();
}

Status RunTrainRouter(TrainRouterOptions o) {
  if (!o.worker.empty()) {
    if (!o.data.empty() || !o.out.empty()) return Status::InvalidArgument("give --worker, or --data and --out");
    return RunTrainWorkerRouters(o);
  }
  if (o.data.empty() || o.out.empty()) {
    return Status::InvalidArgument("--data and --out are required (or --worker WORKER.yaml)");
  }
  o.train.refit = !o.no_refit;
  KOLIBRI_ASSIGN_OR_RETURN(const std::vector<LabelledText> examples,
                           ReadLabelledData(o.data, o.columns));
  Tier0TrainReport report;
  KOLIBRI_ASSIGN_OR_RETURN(const Tier0Classifier model,
                           Tier0Classifier::Train(examples, o.train, &report));
  KOLIBRI_RETURN_IF_ERROR(model.Save(o.out));
  if (o.json) {
    const nlohmann::json j = {{"model", o.out},
                              {"fingerprint", model.fingerprint()},
                              {"examples", examples.size()},
                              {"train_examples", report.train_examples},
                              {"holdout_examples", report.holdout_examples},
                              {"labels", report.labels},
                              {"oos_label", o.train.oos_label},
                              {"feature_rows", report.feature_rows},
                              {"train_seconds", report.train_seconds},
                              {"refit", o.train.refit},
                              {"temperature", report.temperature},
                              {"threshold", report.threshold},
                              {"holdout_nll_raw", report.holdout_nll_raw},
                              {"holdout_nll_calibrated", report.holdout_nll_calibrated},
                              {"holdout_accuracy", report.holdout_accuracy},
                              {"holdout_coverage", report.holdout_coverage},
                              {"holdout_answered_accuracy", report.holdout_answered_accuracy}};
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return Status::Ok();
  }
  std::printf(
      "trained %s (%s): %zu labels, %zu examples (%zu held out for calibration), %zu feature rows, "
      "%.2f s\n",
      o.out.c_str(), model.fingerprint().c_str(), report.labels, examples.size(),
      report.holdout_examples, report.feature_rows, report.train_seconds);
  std::printf("held-out: accuracy %.4f, NLL %.4f -> %.4f at temperature %.3f\n",
              report.holdout_accuracy, report.holdout_nll_raw, report.holdout_nll_calibrated,
              report.temperature);
  std::printf("threshold %.4f: answers %.1f%% of held-out items, %.4f of them right%s\n",
              report.threshold, 100 * report.holdout_coverage, report.holdout_answered_accuracy,
              o.train.refit ? " (weights then refitted on all examples)" : "");
  return Status::Ok();
}

}  // namespace

void RegisterTrainRouterCommand(CLI::App& root, CommandFn* run) {
  auto o = std::make_shared<TrainRouterOptions>();
  CLI::App* cmd = root.add_subcommand(
      "train-router", "Train the tier-0 classifier from labelled CSV or JSONL examples");
  cmd->add_option("--data", o->data, "Labelled examples: CSV with a header, or JSONL");
  cmd->add_option("--out", o->out, "Where to write the model");
  cmd->add_option("--worker", o->worker,
                  "Train every router a worker file's steps use, from its train: block (instead of --data/--out)");
  cmd->add_option("--text-column", o->columns.text_column, "Column / key of the text")
      ->capture_default_str();
  cmd->add_option("--label-column", o->columns.label_column, "Column / key of the label")
      ->capture_default_str();
  cmd->add_option("--oos-label", o->train.oos_label,
                  "Label of out-of-scope examples (predicting it escalates)");
  cmd->add_option("--holdout", o->train.holdout_fraction,
                  "Share held out (stratified, seeded) to fit temperature and threshold")
      ->capture_default_str()
      ->check(CLI::Range(0.02, 0.5));
  cmd->add_option("--seed", o->train.seed, "Seed of the split and the shuffling")
      ->capture_default_str();
  cmd->add_option("--epochs", o->train.epochs, "Passes over the data")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--learning-rate", o->train.learning_rate,
                  "Initial SGD step (decays linearly to 0)")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 100.0));
  cmd->add_option("--l2", o->train.l2, "L2 weight decay")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.5));
  cmd->add_option("--hash-bits", o->train.features.hash_bits, "Feature hash buckets = 2^bits")
      ->capture_default_str()
      ->check(CLI::Range(10, 24));
  cmd->add_option("--char-ngram-min", o->train.features.char_ngram_min, "Shortest character n-gram")
      ->capture_default_str()
      ->check(CLI::Range(1, 8));
  cmd->add_option("--char-ngram-max", o->train.features.char_ngram_max,
                  "Longest character n-gram (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 8));
  cmd->add_option("--word-ngram-max", o->train.features.word_ngram_max,
                  "1: words; 2: words and pairs")
      ->capture_default_str()
      ->check(CLI::Range(1, 2));
  cmd->add_option("--escalation-cost", o->train.escalation_cost,
                  "Cost of escalating an item the model had right, relative to a wrong answer")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 1.0));
  cmd->add_option(
         "--oos-share", o->train.oos_share,
         "Expected share of out-of-scope inputs when choosing the threshold (0: as held out)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.99));
  cmd->add_flag("--no-refit", o->no_refit, "Keep the weights fitted without the held-out part");
  cmd->add_flag("--json", o->json, "Print the training report as one JSON object");
  cmd->callback([run, o] { *run = [o] { return RunTrainRouter(*o); }; });
}

}  // namespace kolibri::cli
