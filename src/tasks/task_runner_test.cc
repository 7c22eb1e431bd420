// TaskRunner with the tiny random-weight model: structure and bookkeeping, never content.
#include "kolibri/tasks/task_runner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "testing/test_models.h"

namespace kolibri::tasks {
namespace {

std::shared_ptr<Model> Tiny() { return testing::SharedTestModel("tiny"); }

Scheduler& Sched() {
  static std::unique_ptr<Scheduler> s = [] {
    auto r = Scheduler::Create(Tiny(), SchedulerOptions{.context = 1024, .parallel = 2, .threads = 1});
    return r.ok() ? std::move(*r) : nullptr;
  }();
  return *s;
}

TaskDefinition Task(const std::string& yaml) {
  auto f = ParseTaskFile(yaml, "test.yaml", "");
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? f->tasks[0] : TaskDefinition{};
}

constexpr const char* kInput = "Hello, my order AB-1234 arrived broken. Please refund it. Jane Roe";

TEST(TaskRunnerTest, ExtractGivesAValidRecordWithEvidenceFromTheInput) {
  ASSERT_NE(Tiny(), nullptr);
  TaskDefinition t = Task(R"(- name: ticket
  kind: extract
  instructions: Extract the ticket.
  schema:
    type: object
    properties:
      order_id: {type: string, x-kolibri-evidence: true, maxLength: 12}
      priority: {enum: [low, normal, high]}
      refund: {type: boolean}
    required: [order_id, priority, refund]
    additionalProperties: false
  max_tokens: 64
)");
  TaskRunner runner(Sched());
  auto r = runner.Extract(t, kInput);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->valid) << r->ToJson().dump();
  EXPECT_EQ(r->attempts, 1);
  EXPECT_EQ(r->repairs, 0);
  EXPECT_EQ(r->stopped_by, "valid");
  const std::string id = r->record["order_id"];
  EXPECT_NE(std::string(kInput).find(id), std::string::npos) << id;
  EXPECT_GT(r->tokens.prompt, 20);
  EXPECT_GT(r->tokens.generated, 0);
  EXPECT_GT(r->total_ms, 0);
  EXPECT_EQ(r->ToJson()["attempt_log"].size(), 1u);
}

TEST(TaskRunnerTest, RepairLoopReasksWithTheErrorsOnTheCachedPrefix) {
  // "not" is post-checked: the grammar lets the record through, the validator never does.
  TaskDefinition t = Task(R"(- name: impossible
  kind: extract
  schema: {type: object, properties: {n: {enum: [1, 2]}}, required: [n], additionalProperties: false,
           not: {required: [n]}}
  max_attempts: 3
  max_tokens: 16
)");
  TaskRunner runner(Sched());
  auto r = runner.Extract(t, kInput);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->valid);
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(r->repairs, 2);
  EXPECT_EQ(r->stopped_by, "max_attempts");
  ASSERT_EQ(r->attempt_log.size(), 3u);
  EXPECT_FALSE(r->attempt_log[0].errors.empty());
  EXPECT_EQ(r->validation_errors.size(), 3 * r->attempt_log[0].errors.size());
  // Attempt 2 extends attempt 1's conversation: its prompt prefix comes from the cache.
  EXPECT_GT(r->attempt_log[1].tokens.prompt, r->attempt_log[0].tokens.prompt);
  EXPECT_GE(r->attempt_log[1].tokens.cached, r->attempt_log[0].tokens.prompt - 2);
  EXPECT_GT(r->attempt_log[2].tokens.cached, r->attempt_log[1].tokens.cached);

  // A budget that leaves fewer tokens than the shortest record ({"n":1}) after attempt 1.
  t.token_budget = r->attempt_log[0].tokens.generated + 3;
  r = runner.Extract(t, kInput);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->attempts, 1);
  EXPECT_EQ(r->stopped_by, "token_budget");
  EXPECT_LE(r->tokens.generated, t.token_budget);
}

TEST(TaskRunnerTest, BadInputs) {
  TaskDefinition t = Task("- {name: e, kind: extract, schema: {type: object, properties: {a: {type: boolean}}, "
                          "required: [a]}, max_tokens: 16}");
  TaskRunner runner(Sched());
  EXPECT_EQ(runner.Extract(t, "").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(runner.Extract(t, " \n\t").status().code(), ErrorCode::kInvalidArgument);
  std::string huge;
  for (int i = 0; i < 600; ++i) huge += "lorem ipsum " + std::to_string(i) + " ";
  auto too_long = runner.Extract(t, huge);
  ASSERT_EQ(too_long.status().code(), ErrorCode::kOutOfRange);
  EXPECT_NE(too_long.status().message().find("truncate: true"), std::string::npos) << too_long.status().ToString();
  t.truncate = true;
  auto cut = runner.Extract(t, huge);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_TRUE(cut->truncated);
  EXPECT_LE(cut->tokens.prompt + 16, 1024);
  t.max_tokens = 4;  // the shortest record, {"a":true}, is 10 bytes
  auto small = runner.Extract(t, kInput);
  ASSERT_EQ(small.status().code(), ErrorCode::kOutOfRange);
  EXPECT_NE(small.status().message().find("too small for its schema"), std::string::npos);
  TaskDefinition c = Task("- {name: c, kind: classify, labels: [x, y]}");
  EXPECT_EQ(runner.Extract(c, kInput).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(runner.Classify(t, kInput).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(runner.Classify(c, "").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(runner.Classify(c, huge).status().code(), ErrorCode::kOutOfRange);
}

constexpr const char* kIntents = R"(- name: intent
  kind: classify
  instructions: Which banking intent is this?
  labels:
    - {name: card_arrival, description: the card has not arrived}
    - {name: card_linking, description: linking a card to the app}
    - {name: card_payment_fee_charged, description: a fee on a card payment}
    - {name: cash_withdrawal_charge, description: a fee on a cash withdrawal}
    - {name: exchange_rate, description: the exchange rate used}
    - {name: bill, description: a bill}
    - {name: billing, description: billing questions}
  thresholds: {min_confidence: 0.5}
)";

TEST(TaskRunnerTest, ClassifyGivesADistributionOverAllLabels) {
  TaskDefinition t = Task(kIntents);
  TaskRunner runner(Sched());
  auto r = runner.Classify(t, "My new card still has not arrived, where is it?");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->distribution.size(), 7u);
  double sum = 0, best = 0;
  for (const auto& d : r->distribution) {
    sum += d.probability;
    best = std::max(best, d.probability);
    EXPECT_TRUE(std::isfinite(d.score));
  }
  EXPECT_NEAR(sum, 1.0, 1e-9);
  EXPECT_DOUBLE_EQ(r->probability, best);
  EXPECT_GE(r->margin, 0);
  EXPECT_GT(r->entropy, 0);
  EXPECT_LE(r->entropy, std::log(7.0) + 1e-9);
  EXPECT_EQ(r->confident, r->probability >= 0.5);
  EXPECT_GT(r->tokens.generated, 0);  // "card_*" and "bill*" need a pass after the prompt
  EXPECT_EQ(r->passes, 1);

  // The same prompt again: the prefix cache serves it; scores agree.
  auto again = runner.Classify(t, "My new card still has not arrived, where is it?");
  ASSERT_TRUE(again.ok());
  EXPECT_GT(again->tokens.cached, 0);
  EXPECT_EQ(again->top, r->top);

  // A higher temperature flattens the distribution.
  t.calibration.temperature = 4;
  auto flat = runner.Classify(t, "My new card still has not arrived, where is it?");
  ASSERT_TRUE(flat.ok());
  EXPECT_GT(flat->entropy, r->entropy);

  // Full scoring evaluates every token of every label.
  t.scoring = LabelScoring::kFull;
  auto full = runner.Classify(t, "My new card still has not arrived, where is it?");
  ASSERT_TRUE(full.ok());
  EXPECT_GT(full->tokens.generated, r->tokens.generated);
  auto scores = runner.ScoreLabels(t, "My new card still has not arrived, where is it?");
  ASSERT_TRUE(scores.ok());
  ASSERT_EQ(scores->size(), 7u);
  for (double s : *scores) EXPECT_LT(s, 0);
}

}  // namespace
}  // namespace kolibri::tasks
