// bench_empirical_coverage --out bench/results/empirical_coverage.json [--model M.gguf]
//     [--per-subset 60] [--attempts 3] [--seed 1] [--parallel 4] [--max-expanded-length 32]
//
// The JSONSchemaBench "empirical coverage" measure with Kolibri's own pipeline: for schemas
// sampled from each subset of ../shared/data/jsonschemabench, the share for which
// constrained generation (Scheduler + compiled grammar, temperature sampling, budget-aware
// completion) yields an instance the validator accepts within --attempts samples. A schema
// that does not compile counts as a failure. The model is the random-weight tiny test model
// (made on first use when --model is not given), so the text is noise and only the
// constraint machinery is measured. Failures are tallied by reason.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/grammar/json_schema_converter.h"
#include "kolibri/json_schema_validator.h"
#include "kolibri/scheduler.h"
#include "kolibri/test_model.h"

namespace {

namespace kg = kolibri::grammar;
using Clock = std::chrono::steady_clock;

std::string SharedDir() {
  if (const char* env = std::getenv("KOLIBRI_SHARED_DIR")) return env;
  return std::string(KOLIBRI_SOURCE_DIR) + "/../shared";
}

struct Job {
  std::string subset;
  size_t index = 0;
  std::shared_ptr<const kg::CompiledGrammar> grammar;
  std::shared_ptr<kolibri::JsonSchemaValidator> validator;
  int32_t max_tokens = 0;
  int attempts = 0;
  bool success = false;
  bool first_try = false;
  std::string last_failure;  // reason of the last failed attempt
  std::string last_text;     // its output (for the failure examples in the result)
  std::string last_detail;   // the first validation error, when there was one
};

// Runs every job's attempts through the scheduler, `parallel` requests in flight.
void RunJobs(kolibri::Scheduler& s, const std::vector<int32_t>& prompt, std::vector<Job>& jobs, int max_attempts,
             uint32_t seed, int parallel) {
  std::mutex mu;
  std::condition_variable cv;
  size_t next = 0, finished = 0;
  int in_flight = 0;
  std::vector<size_t> retry;
  std::unique_lock<std::mutex> lock(mu);
  auto submit = [&](size_t j) {
    Job& job = jobs[j];
    kolibri::CompletionRequest req;
    req.prompt = prompt;
    req.max_tokens = job.max_tokens;
    req.grammar = job.grammar;
    req.sampling.temperature = 1.0f;
    req.sampling.seed = seed + static_cast<uint32_t>(j * 7919 + job.attempts);
    ++job.attempts;
    ++in_flight;
    lock.unlock();
    auto h = s.Submit(std::move(req), nullptr, [&, j](const kolibri::CompletionResult& r) {
      Job& jb = jobs[j];
      std::string failure, detail;
      if (r.finish == kolibri::FinishReason::kError) {
        failure = "error";
        detail = r.status.ToString();
      } else if (!r.grammar_complete) {
        failure = "incomplete";
      } else {
        nlohmann::json value;
        try {
          value = nlohmann::json::parse(r.text);
        } catch (const nlohmann::json::exception& e) {
          failure = "not_json";
          detail = e.what();
        }
        if (failure.empty()) {
          auto errors = jb.validator->Validate(value);
          if (!errors.empty()) {
            failure = "validator:" + errors.front().keyword;
            detail = errors.front().ToString() + " (schema " + errors.front().schema_pointer + ")";
          }
        }
      }
      std::lock_guard<std::mutex> l(mu);
      if (failure.empty()) {
        jb.success = true;
        jb.first_try = jb.attempts == 1;
        ++finished;
      } else {
        jb.last_failure = failure;
        jb.last_text = r.text.substr(0, 600);
        jb.last_detail = detail;
        if (jb.attempts < max_attempts) retry.push_back(j); else ++finished;
      }
      --in_flight;
      cv.notify_all();
    });
    lock.lock();
    if (!h.ok()) {
      --in_flight;
      jobs[j].last_failure = "submit:" + h.status().message();
      ++finished;
    }
  };
  while (finished < jobs.size()) {
    while (in_flight < parallel && (!retry.empty() || next < jobs.size())) {
      size_t j;
      if (!retry.empty()) {
        j = retry.back();
        retry.pop_back();
      } else {
        j = next++;
      }
      submit(j);
    }
    if (finished < jobs.size()) cv.wait(lock);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_path = "empirical_coverage.json", model_path;
  int per_subset = 60, attempts = 3, parallel = 4;
  kg::SchemaCompileOptions compile_options;
  uint32_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--out") out_path = argv[i + 1];
    else if (a == "--model") model_path = argv[i + 1];
    else if (a == "--per-subset") per_subset = std::atoi(argv[i + 1]);
    else if (a == "--attempts") attempts = std::atoi(argv[i + 1]);
    else if (a == "--seed") seed = static_cast<uint32_t>(std::atoi(argv[i + 1]));
    else if (a == "--parallel") parallel = std::atoi(argv[i + 1]);
    else if (a == "--max-expanded-length") compile_options.max_expanded_length = std::atoi(argv[i + 1]);
  }
  if (model_path.empty()) {
    model_path = (std::filesystem::temp_directory_path() / "kolibri-bench-tiny-f16-qwen2.gguf").string();
    if (!std::filesystem::exists(model_path)) {
      kolibri::TestModelOptions o;
      o.shape = "tiny";
      o.vocab_path = std::string(KOLIBRI_LLAMA_SOURCE_DIR) + "/models/ggml-vocab-qwen2.gguf";
      o.out_path = model_path;
      if (auto s = kolibri::MakeTestModel(o); !s.ok()) {
        std::fprintf(stderr, "bench_empirical_coverage: %s\n", s.ToString().c_str());
        return 2;
      }
    }
  }
  auto model = kolibri::Model::Load(model_path, kolibri::ModelOptions{});
  if (!model.ok()) {
    std::fprintf(stderr, "bench_empirical_coverage: %s\n", model.status().ToString().c_str());
    return 2;
  }
  kolibri::SchedulerOptions so;
  so.parallel = parallel;
  so.context = 8192 * parallel;
  so.threads = 1;
  auto scheduler = kolibri::Scheduler::Create(*model, so);
  if (!scheduler.ok()) {
    std::fprintf(stderr, "bench_empirical_coverage: %s\n", scheduler.status().ToString().c_str());
    return 2;
  }
  auto vocab = (*model)->GrammarVocabulary();
  kg::PrecomputeJsonMasks(vocab);
  auto prompt = (*model)->Tokenize("Answer with one JSON value that matches the schema.\n", kolibri::TokenizeOptions{});
  if (!prompt.ok()) return 2;

  const std::string data = SharedDir() + "/data/jsonschemabench";
  const std::vector<std::string> subsets = {"Github_trivial", "Github_easy", "Github_medium",
                                            "Glaiveai2K",     "Snowplow",    "Kubernetes"};
  nlohmann::json result;
  result["settings"] = {{"model", std::filesystem::path(model_path).filename().string()},
                        {"per_subset", per_subset}, {"attempts", attempts}, {"seed", seed},
                        {"temperature", 1.0}, {"parallel", parallel},
                        {"max_expanded_length", compile_options.max_expanded_length}};
  std::mt19937 rng(seed);
  bool all_met = true;
  for (const std::string& subset : subsets) {
    std::ifstream in(data + "/" + subset + ".jsonl");
    if (!in) {
      std::fprintf(stderr, "bench_empirical_coverage: %s/%s.jsonl not found (set KOLIBRI_SHARED_DIR)\n", data.c_str(),
                   subset.c_str());
      return 2;
    }
    std::vector<nlohmann::ordered_json> schemas;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) schemas.push_back(nlohmann::ordered_json::parse(line)["schema"]);
    }
    std::vector<size_t> order(schemas.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    if (static_cast<int>(order.size()) > per_subset) order.resize(per_subset);
    std::sort(order.begin(), order.end());

    std::map<std::string, int> failures;
    std::vector<Job> jobs;
    for (size_t i : order) {
      auto converted = kg::JsonSchemaValueToGrammar(schemas[i], compile_options);
      if (!converted.ok()) {
        failures[std::string("compile:") + std::string(kolibri::ErrorCodeName(converted.status().code()))]++;
        continue;
      }
      auto compiled = kg::CompileGrammar(converted->grammar, vocab);
      if (!compiled.ok()) {
        failures[std::string("compile:") + std::string(kolibri::ErrorCodeName(compiled.status().code()))]++;
        continue;
      }
      auto validator = kolibri::JsonSchemaValidator::Compile(nlohmann::json(schemas[i]));
      if (!validator.ok()) {
        failures["validator_compile"]++;
        continue;
      }
      Job job;
      job.subset = subset;
      job.index = i;
      job.grammar = *compiled;
      job.validator = std::make_shared<kolibri::JsonSchemaValidator>(std::move(*validator));
      // Budget-aware completion closes the value in time; leave room above the shortest one.
      job.max_tokens = std::max<int32_t>(256, (*compiled)->MinBytesFromStart() + 64);
      jobs.push_back(std::move(job));
    }
    const auto t0 = Clock::now();
    RunJobs(**scheduler, *prompt, jobs, attempts, seed, parallel);
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    int success = 0, first = 0;
    nlohmann::json examples = nlohmann::json::array();
    for (const Job& j : jobs) {
      success += j.success;
      first += j.first_try;
      if (j.success) continue;
      failures[j.last_failure]++;
      examples.push_back({{"line", j.index + 1}, {"reason", j.last_failure}, {"detail", j.last_detail},
                          {"output", j.last_text}});
    }
    const double share = order.empty() ? 0 : double(success) / order.size();
    all_met = all_met && share >= 0.95;
    result["subsets"][subset] = {{"schemas", schemas.size()}, {"sampled", order.size()},
                                 {"compiled", jobs.size()},  {"valid_within_attempts", success},
                                 {"valid_first_attempt", first}, {"empirical_coverage", share},
                                 {"failures", failures},     {"seconds", seconds},
                                 {"failed_examples", examples}};
    std::printf("%-15s %3d/%3zu valid within %d attempts (%.1f %%), %d on the first; %zu compiled; %.0f s\n",
                subset.c_str(), success, order.size(), attempts, 100 * share, first, jobs.size(), seconds);
    for (const auto& [why, n] : failures) std::printf("    %-40s %d\n", why.c_str(), n);
    std::fflush(stdout);
  }
  result["target_met"] = all_met;
  if (auto parent = std::filesystem::path(out_path).parent_path(); !parent.empty()) {
    std::filesystem::create_directories(parent);
  }
  std::ofstream(out_path) << result.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return 0;
}
