// Tier-0 router benchmark on real labelled data (../shared/data): Banking77 with a seeded
// stratified 20 % evaluation split (--split-seed, default 2024); CLINC150 trained on train +
// oos_train, and once more on train alone (out-of-scope detection by the threshold only),
// both evaluated on val + oos_val. Reports accuracy / calibration / coverage figures at the
// calibrated threshold, training time and per-text prediction latency; writes one JSON file.
//
//   router_bench [--shared DIR] [--out FILE] [--only banking77|clinc150] [--seed N]
//                [--split-seed N] [--epochs N] [--lr X] [--l2 X] [--escalation-cost X]
//                [--oos-share X] [--char-min N] [--char-max N] [--hash-bits N] [--holdout X]
//                [--no-refit]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kolibri/classification_eval.h"
#include "kolibri/labelled_data.h"
#include "kolibri/tier0_classifier.h"

namespace {

using namespace kolibri;
using Clock = std::chrono::steady_clock;

struct Split {
  std::vector<LabelledText> train;
  std::vector<LabelledText> eval;
};

std::string SharedDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("KOLIBRI_SHARED_DIR")) return env;
  return std::string(KOLIBRI_SOURCE_DIR) + "/../shared";
}

Result<Split> Banking77(const std::string& shared, uint64_t split_seed) {
  KOLIBRI_ASSIGN_OR_RETURN(auto all,
                           ReadLabelledData(shared + "/data/banking77/train.csv",
                                            {.text_column = "text", .label_column = "category"}));
  const LabelledSplit ids = StratifiedSplit(all, 0.2, split_seed);
  Split s;
  for (size_t i : ids.first) s.train.push_back(all[i]);
  for (size_t i : ids.second) s.eval.push_back(all[i]);
  return s;
}

// With oos_train false, out-of-scope detection rests on the threshold alone.
Result<Split> Clinc150(const std::string& shared, bool oos_train) {
  const std::string path = shared + "/data/clinc150/train_val.json";
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + " not found");
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return Status::Corrupt(path + " is not JSON");
  Split s;
  auto add = [&](const char* key, std::vector<LabelledText>* out) {
    for (const auto& pair : j.at(key))
      out->push_back({pair.at(0).get<std::string>(), pair.at(1).get<std::string>()});
  };
  add("train", &s.train);
  if (oos_train) add("oos_train", &s.train);
  add("val", &s.eval);
  add("oos_val", &s.eval);
  return s;
}

// `oos_label` names the out-of-scope items of the evaluation data; the model learns it as a
// label only when the training data has it.
nlohmann::json Run(const std::string& name, const Split& data, const std::string& oos_label,
                   Tier0TrainOptions options) {
  for (const LabelledText& ex : data.train) {
    if (ex.label == oos_label) options.oos_label = oos_label;
  }
  Tier0TrainReport report;
  const auto t0 = Clock::now();
  const std::clock_t c0 = std::clock();
  auto model = Tier0Classifier::Train(data.train, options, &report);
  const double total_train = std::chrono::duration<double>(Clock::now() - t0).count();
  // Process CPU time: training is single-threaded, so this is its one-core cost even when
  // other jobs share the machine and stretch the wall time.
  const double train_cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  if (!model.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), model.status().ToString().c_str());
    std::exit(1);
  }
  std::vector<ClassifiedItem> items;
  std::vector<double> micros;
  Tier0Prediction p;
  for (const LabelledText& ex : data.eval) {
    const auto s = Clock::now();
    model->Predict(ex.text, &p);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - s).count());
    items.push_back({ex.label, model->labels()[p.top], p.probability, p.known_features == 0});
  }
  std::sort(micros.begin(), micros.end());
  ClassificationEvalOptions eo;
  eo.oos_label = oos_label;
  eo.calibrated_threshold = model->threshold();
  const ClassificationEval eval = EvaluateClassifications(items, eo);
  std::printf("== %s ==\n%s", name.c_str(), ClassificationEvalText(eval).c_str());
  std::printf(
      "train %.2f s wall, %.2f s CPU (SGD %.2f s wall), %zu rows, T=%.3f, threshold=%.4f, holdout "
      "NLL %.4f -> %.4f, "
      "predict median %.1f us p99 %.1f us, model %.1f MiB\n",
      total_train, train_cpu, report.train_seconds, report.feature_rows, report.temperature,
      report.threshold, report.holdout_nll_raw, report.holdout_nll_calibrated,
      micros[micros.size() / 2], micros[micros.size() * 99 / 100],
      static_cast<double>(model->Serialize().size()) / (1 << 20));
  return {{"dataset", name},
          {"train_examples", report.train_examples},
          {"calibration_holdout_examples", report.holdout_examples},
          {"eval_examples", data.eval.size()},
          {"labels", report.labels},
          {"epochs", options.epochs},
          {"feature_rows", report.feature_rows},
          {"model_bytes", model->Serialize().size()},
          {"train_seconds_total", total_train},
          {"train_cpu_seconds", train_cpu},
          {"train_seconds_sgd", report.train_seconds},
          {"temperature", report.temperature},
          {"threshold", report.threshold},
          {"holdout_nll_raw", report.holdout_nll_raw},
          {"holdout_nll_calibrated", report.holdout_nll_calibrated},
          {"predict_us_median", micros[micros.size() / 2]},
          {"predict_us_p99", micros[micros.size() * 99 / 100]},
          {"eval", nlohmann::json::parse(ClassificationEvalJson(eval))}};
}

}  // namespace

int main(int argc, char** argv) {
  std::string shared_flag, out = std::string(KOLIBRI_SOURCE_DIR) + "/bench/results/router.json",
                           only;
  Tier0TrainOptions options;
  uint64_t split_seed = 2024;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--shared" && i + 1 < argc)
      shared_flag = argv[++i];
    else if (a == "--out" && i + 1 < argc)
      out = argv[++i];
    else if (a == "--epochs" && i + 1 < argc)
      options.epochs = static_cast<uint32_t>(std::atoi(argv[++i]));
    else if (a == "--holdout" && i + 1 < argc)
      options.holdout_fraction = std::atof(argv[++i]);
    else if (a == "--no-refit")
      options.refit = false;
    else if (a == "--split-seed" && i + 1 < argc)
      split_seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--seed" && i + 1 < argc)
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--oos-share" && i + 1 < argc)
      options.oos_share = std::atof(argv[++i]);
    else if (a == "--lr" && i + 1 < argc)
      options.learning_rate = std::atof(argv[++i]);
    else if (a == "--l2" && i + 1 < argc)
      options.l2 = std::atof(argv[++i]);
    else if (a == "--escalation-cost" && i + 1 < argc)
      options.escalation_cost = std::atof(argv[++i]);
    else if (a == "--char-min" && i + 1 < argc)
      options.features.char_ngram_min = static_cast<uint32_t>(std::atoi(argv[++i]));
    else if (a == "--char-max" && i + 1 < argc)
      options.features.char_ngram_max = static_cast<uint32_t>(std::atoi(argv[++i]));
    else if (a == "--hash-bits" && i + 1 < argc)
      options.features.hash_bits = static_cast<uint32_t>(std::atoi(argv[++i]));
    else if (a == "--only" && i + 1 < argc)
      only = argv[++i];
    else {
      std::fprintf(
          stderr,
          "usage: router_bench [--shared DIR] [--out FILE] [--epochs N] [--lr X] [--l2 X] "
          "[--escalation-cost X] [--char-min N] [--char-max N] [--hash-bits N] [--holdout X] "
          "[--no-refit] [--seed N] [--split-seed N] [--oos-share X] [--only banking77|clinc150]\n");
      return 2;
    }
  }
  const std::string shared = SharedDir(shared_flag);
  if (!std::filesystem::exists(shared + "/data")) {
    std::fprintf(stderr, "router_bench: no data under %s (set KOLIBRI_SHARED_DIR or --shared)\n",
                 shared.c_str());
    return 3;
  }
  nlohmann::json results = {{"benchmark", "tier0_router"}, {"runs", nlohmann::json::array()}};
  if (only.empty() || only == "banking77") {
    auto data = Banking77(shared, split_seed);
    if (!data.ok()) {
      std::fprintf(stderr, "%s\n", data.status().ToString().c_str());
      return 1;
    }
    results["runs"].push_back(Run("banking77", *data, "", options));
  }
  if (only.empty() || only == "clinc150") {
    for (const bool oos_train : {true, false}) {
      auto data = Clinc150(shared, oos_train);
      if (!data.ok()) {
        std::fprintf(stderr, "%s\n", data.status().ToString().c_str());
        return 1;
      }
      results["runs"].push_back(
          Run(oos_train ? "clinc150" : "clinc150-threshold-only", *data, "oos", options));
    }
  }
  std::ofstream(out) << results.dump(2) << "\n";
  std::printf("wrote %s\n", out.c_str());
  return 0;
}
