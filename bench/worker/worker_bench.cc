// The baseline of the support-mail worker benchmark: the worker's model steps sent to an
// OpenAI-compatible server (llama-server) one request per step, with the prompts `kolibri run`
// uses (the task's system message, the step's input with earlier steps' outputs), the same
// max_tokens (the extract task's; 64 for a label, as the cascade's upstream tier asks) and a
// json_schema response format of its own per step. Mails run `--parallel` at a time, each
// mail's steps in order. Then it merges `kolibri run --json`'s summary into one result.
//
//   kolibri_worker_bench --worker W.yaml --input DIR --port P --parallel N --out R.json
//                        [--kolibri-summary S.json] [--config-json '{...}']
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "kolibri/http_post.h"
#include "kolibri/tasks/task_runner.h"
#include "kolibri/worker/mail_source.h"
#include "kolibri/worker/worker_pipeline.h"

namespace {

using nlohmann::json;
using namespace kolibri;
using namespace kolibri::worker;

struct Args {
  std::string worker, input, out, kolibri_summary, config_json = "{}", slm_alias = "slm";
  int port = 0;
  int parallel = 1;
};

struct Counters {
  std::mutex mu;
  int64_t requests = 0, failed = 0, prompt_tokens = 0, completion_tokens = 0;
  std::vector<std::string> errors;
};

json ResponseSchema(const tasks::TaskDefinition& task) {
  if (task.kind == tasks::TaskKind::kExtract) return json::parse(task.schema);
  json names = json::array();
  for (const auto& l : task.labels) names.push_back(l.name);
  return {{"type", "object"},
          {"properties", {{"label", {{"enum", names}}}}},
          {"required", {"label"}},
          {"additionalProperties", false}};
}

// One mail's model steps in order; returns false when a request failed.
void RunMail(const WorkerConfig& c, const Args& a, const MailItem& mail, Counters* counters) {
  json earlier = json::object();
  for (const auto& step : c.steps) {
    if (step.kind != StepKind::kTask) continue;
    bool uses_slm = false;
    for (const auto& t : step.cascade) uses_slm |= t.model == a.slm_alias;
    if (!uses_slm) continue;
    const tasks::TaskDefinition& task = **c.tasks.Find(step.task);
    const json body = {
        {"model", "m"},
        {"temperature", 0},
        {"max_tokens", task.kind == tasks::TaskKind::kExtract ? task.max_tokens : 64},
        {"messages",
         {{{"role", "system"}, {"content", tasks::TaskSystemMessage(task)}},
          {{"role", "user"}, {"content", StepInputText(c, step, mail, earlier)}}}},
        {"response_format",
         {{"type", "json_schema"}, {"json_schema", {{"name", task.name}, {"strict", true}, {"schema", ResponseSchema(task)}}}}}};
    HttpPostOptions http;
    http.timeout_s = 600;
    auto r = HttpPost("http://127.0.0.1:" + std::to_string(a.port) + "/v1/chat/completions", body.dump(), http);
    std::lock_guard<std::mutex> lock(counters->mu);
    ++counters->requests;
    json answer = nullptr;
    if (r.ok() && r->status == 200) {
      const json j = json::parse(r->body, nullptr, false);
      if (!j.is_discarded() && j.contains("usage")) {
        counters->prompt_tokens += j["usage"].value("prompt_tokens", 0);
        counters->completion_tokens += j["usage"].value("completion_tokens", 0);
      }
      if (!j.is_discarded() && j.contains("choices")) {
        answer = json::parse(j["choices"][0]["message"].value("content", ""), nullptr, false);
      }
    }
    if (!r.ok() || r->status != 200 || answer.is_discarded()) {
      ++counters->failed;
      if (counters->errors.size() < 5) {
        counters->errors.push_back(step.id + ": " + (r.ok() ? "HTTP " + std::to_string(r->status) + " " + r->body.substr(0, 200)
                                                            : r.status().message()));
      }
      continue;
    }
    if (task.kind == tasks::TaskKind::kClassify && answer.is_object() && answer.contains("label")) {
      earlier[step.id] = {{"label", answer["label"]}, {"answered", true}};
    } else {
      earlier[step.id] = {{"record", answer}, {"answered", true}};
    }
  }
}

int Main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--worker") a.worker = v;
    else if (k == "--input") a.input = v;
    else if (k == "--out") a.out = v;
    else if (k == "--port") a.port = std::stoi(v);
    else if (k == "--parallel") a.parallel = std::stoi(v);
    else if (k == "--kolibri-summary") a.kolibri_summary = v;
    else if (k == "--config-json") a.config_json = v;
    else if (k == "--slm-alias") a.slm_alias = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (a.worker.empty() || a.input.empty() || a.out.empty() || a.port == 0) {
    std::fprintf(stderr, "usage: kolibri_worker_bench --worker W --input DIR --port P --parallel N --out R.json\n");
    return 2;
  }
  auto config = LoadWorkerFile(a.worker);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 1;
  }
  auto items = ReadMailSource(a.input);
  if (!items.ok()) {
    std::fprintf(stderr, "%s\n", items.status().ToString().c_str());
    return 1;
  }
  std::vector<const MailItem*> mails;
  for (const auto& m : *items) {
    if (m.problem.empty()) mails.push_back(&m);
  }
  Counters counters;
  std::atomic<size_t> next{0};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < a.parallel; ++t) {
    threads.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < mails.size();) RunMail(*config, a, *mails[i], &counters);
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double baseline_rate = mails.size() * 60.0 / seconds;
  json result = {{"config", json::parse(a.config_json, nullptr, false)},
                 {"mails", mails.size()},
                 {"parallel", a.parallel},
                 {"llama_server",
                  {{"seconds", seconds},
                   {"mails_per_minute", baseline_rate},
                   {"requests", counters.requests},
                   {"failed_requests", counters.failed},
                   {"prompt_tokens", counters.prompt_tokens},
                   {"completion_tokens", counters.completion_tokens},
                   {"errors", counters.errors}}}};
  if (!a.kolibri_summary.empty()) {
    std::ifstream in(a.kolibri_summary);
    std::stringstream ss;
    ss << in.rdbuf();
    const json k = json::parse(ss.str(), nullptr, false);
    if (!k.is_discarded()) {
      const double busy = k.value("seconds", 0.0) - k.value("load_seconds", 0.0);
      const double kolibri_rate = busy > 0 ? k.value("processed", 0) * 60.0 / busy : 0;
      result["kolibri"] = {{"seconds", busy},
                           {"load_seconds", k.value("load_seconds", 0.0)},
                           {"mails_per_minute", kolibri_rate},
                           {"processed", k["processed"]},
                           {"failed", k["failed"]},
                           {"step_tiers", k["step_tiers"]}};
      result["ratio"] = baseline_rate > 0 ? kolibri_rate / baseline_rate : 0;
    }
  }
  std::ofstream(a.out) << result.dump(2) << "\n";
  std::printf("%s\n", result.dump(2).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
