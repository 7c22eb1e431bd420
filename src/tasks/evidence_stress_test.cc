// Evidence-bound fields under a noisy model: over 2000 sampled extractions from random
// inputs, every evidence string the grammar let through occurs verbatim in its input.
// TaskRunner re-checks evidence after decoding and reports violations as validation
// errors, so a grammar leak shows up as an error containing "does not occur".
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kolibri/tasks/task_runner.h"
#include "testing/test_models.h"

namespace kolibri::tasks {
namespace {

std::string RandomInput(std::mt19937& rng) {
  static const char* kWords[] = {"order", "refund", "AB-", "Zürich", "naïve", "€", "invoice", "\"quoted\"",
                                 "back\\slash", "日本", "12", "x", "ticket", "", "  ", "\n", "ß", "🙂"};
  std::uniform_int_distribution<int> n(1, 8), w(0, 17), d(0, 99999);
  std::string s;
  const int words = n(rng);
  for (int i = 0; i < words; ++i) {
    s += kWords[w(rng)];
    if (d(rng) % 3 == 0) s += std::to_string(d(rng));
    s += ' ';
  }
  return s;
}

TEST(EvidenceStressTest, SampledEvidenceAlwaysComesFromTheInput) {
  // A 32k vocabulary (phi-3's) keeps the per-token cost of logits and masks low.
  auto model = Model::Load(testing::TestModelPath("tiny", "f16", "phi-3"), ModelOptions{});
  ASSERT_TRUE(model.ok());
  auto sched = Scheduler::Create(*model, SchedulerOptions{.context = 2048, .parallel = 8, .threads = 1});
  ASSERT_TRUE(sched.ok());
  auto file = ParseTaskFile(R"(- name: evidence
  kind: extract
  schema:
    type: object
    properties:
      id: {type: string, x-kolibri-evidence: true, maxLength: 10}
      who: {type: [string, "null"], x-kolibri-evidence: true, maxLength: 8}
      tags: {type: array, items: {type: string, x-kolibri-evidence: true, maxLength: 6}, maxItems: 1}
    required: [id, who, tags]
    additionalProperties: false
  max_attempts: 1
  max_tokens: 32
  temperature: 1.5
)", "stress.yaml", "");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const TaskDefinition& task = file->tasks[0];
  TaskRunner runner(**sched);
  constexpr int kCases = 2000;
  constexpr int kThreads = 16;
  std::atomic<int> next{0}, strings{0}, nonempty{0}, leaks{0}, failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t) {
    pool.emplace_back([&, t] {
      std::mt19937 rng(static_cast<uint32_t>(1000 + t));
      for (int i = next++; i < kCases; i = next++) {
        const std::string input = RandomInput(rng);
        RunOptions run;
        run.seed = static_cast<uint32_t>(i);
        auto r = runner.Extract(task, input, run);
        if (!r.ok()) {
          if (r.status().code() != ErrorCode::kInvalidArgument) failures++;  // blank inputs are refused
          continue;
        }
        for (const auto& e : r->validation_errors) {
          if (e.find("does not occur") != std::string::npos) leaks++;
        }
        if (!r->record.is_object()) continue;
        auto count = [&](const nlohmann::ordered_json& v) {
          if (!v.is_string()) return;
          strings++;
          if (!v.get<std::string>().empty()) nonempty++;
          if (input.find(v.get<std::string>()) == std::string::npos) leaks++;
        };
        count(r->record["id"]);
        count(r->record["who"]);
        for (const auto& tag : r->record["tags"]) count(tag);
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(leaks.load(), 0);
  EXPECT_GT(strings.load(), kCases);  // at least one evidence string per case on average
  EXPECT_GT(nonempty.load(), kCases / 4);  // and not only empty ones
  std::printf("evidence strings checked: %d (%d non-empty), leaks: %d\n", strings.load(), nonempty.load(),
              leaks.load());
}

}  // namespace
}  // namespace kolibri::tasks
