// TaskRunner::Answer with the tiny random-weight model over a small ingested index: the
// output is always the answer shape with citations that check out (never content), the
// evidence floor forces not_in_sources, bad input is refused.
#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"
#include "kolibri/ingest.h"
#include "kolibri/tasks/answer_eval.h"
#include "kolibri/tasks/task_runner.h"
#include "testing/test_models.h"

namespace kolibri::tasks {
namespace {

Scheduler* Sched() {
  static std::unique_ptr<Scheduler> s = []() -> std::unique_ptr<Scheduler> {
    auto model = kolibri::testing::SharedTestModel("tiny");
    if (model == nullptr) return nullptr;
    auto r = Scheduler::Create(model, SchedulerOptions{.context = 2048, .parallel = 1, .threads = 1});
    return r.ok() ? std::move(*r) : nullptr;
  }();
  return s.get();
}

class AnswerRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(Sched(), nullptr);
    dir_.Write("docs/refunds.md",
               "# Refunds\n\nRefunds are paid within five business days to the original card. "
               "Gift cards are never refunded.\n");
    dir_.Write("docs/shipping.txt", "Shipping\n\nParcels ship from \"Hamburg\" every weekday by courier.\n");
    dir_.Write("docs/returns.md", "# Returns\n\nReturns are accepted for 30 days — the label is free.\n");
    index_ = dir_.path() + "/index.db";
    auto store = DocumentStore::Open(index_);
    ASSERT_TRUE(store.ok());
    IngestSink sink;
    sink.is_current = [&](const std::string& p, const std::string& h) { return (*store)->IsCurrent(p, h); };
    sink.replace = [&](const std::string& p, const std::string& h, const std::vector<Document>& d) {
      return (*store)->ReplaceSource(p, h, d);
    };
    ASSERT_TRUE(IngestPaths({dir_.path() + "/docs"}, IngestOptions{}, sink).ok());
    task_.name = "policy";
    task_.kind = TaskKind::kAnswer;
    task_.index = index_;
    task_.k = 3;
    task_.max_tokens = 96;
  }
  kolibri::testing::TempDir dir_;
  std::string index_;
  TaskDefinition task_;
};

TEST_F(AnswerRunnerTest, EveryAnswerHasTheShapeAndVerifiedCitations) {
  TaskRunner runner(*Sched());
  int answered = 0;
  for (const char* q : {"When are refunds paid?", "Where do parcels ship from?", "Are returns free?",
                        "refunds card gift", "courier weekday Hamburg"}) {
    auto r = runner.Answer(task_, q);
    ASSERT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    EXPECT_TRUE(r->valid) << q << ": " << r->ToJson().dump();
    EXPECT_FALSE(r->forced) << q;
    EXPECT_EQ(r->retrieval, "bm25");
    EXPECT_FALSE(r->sources.empty());
    EXPECT_GT(r->tokens.generated, 0);
    EXPECT_TRUE(r->status == "answered" || r->status == "not_in_sources") << r->output;
    answered += r->status == "answered";
    if (r->status == "answered") {
      EXPECT_FALSE(r->citations.empty());
    }
    EXPECT_LE(r->citations.size(), 3u);
    for (const AnswerCitation& c : r->citations) {
      EXPECT_TRUE(c.valid) << c.problem;
      EXPECT_FALSE(c.quote.empty());
      EXPECT_NE(c.text.find(c.quote), std::string::npos);
      EXPECT_TRUE(std::any_of(r->sources.begin(), r->sources.end(),
                              [&](const RetrievedChunk& s) { return s.chunk_id == c.chunk; }));
      EXPECT_NE(c.source_path.find(dir_.path()), std::string::npos);
    }
    const nlohmann::json j = r->ToJson();
    EXPECT_EQ(j["status"], r->status);
    EXPECT_EQ(j["citations"].size(), r->citations.size());
  }
  RecordProperty("answered", answered);
}

TEST_F(AnswerRunnerTest, NoEvidenceForcesNotInSourcesWithoutGenerating) {
  TaskRunner runner(*Sched());
  auto r = runner.Answer(task_, "zebra xylophone quasar");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->forced);
  EXPECT_TRUE(r->valid);
  EXPECT_EQ(r->status, "not_in_sources");
  EXPECT_TRUE(r->citations.empty());
  EXPECT_EQ(r->tokens.generated, 0);
  // A floor above every BM25 score forces it too.
  TaskDefinition strict = task_;
  strict.min_score = 1e9;
  auto s = runner.Answer(strict, "When are refunds paid?");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->forced);
  EXPECT_FALSE(s->retrieved.empty());
  EXPECT_TRUE(s->sources.empty());
}

TEST_F(AnswerRunnerTest, BadInputIsRefused) {
  TaskRunner runner(*Sched());
  EXPECT_EQ(runner.Answer(task_, "  \n").status().code(), ErrorCode::kInvalidArgument);
  TaskDefinition extract = task_;
  extract.kind = TaskKind::kExtract;
  EXPECT_EQ(runner.Answer(extract, "refunds").status().code(), ErrorCode::kInvalidArgument);
  TaskDefinition missing = task_;
  missing.index = dir_.path() + "/missing.db";
  EXPECT_EQ(runner.Answer(missing, "refunds").status().code(), ErrorCode::kNotFound);
  TaskDefinition tiny_budget = task_;
  tiny_budget.max_tokens = 8;
  EXPECT_EQ(runner.Answer(tiny_budget, "refunds").status().code(), ErrorCode::kOutOfRange);
}

TEST_F(AnswerRunnerTest, EvaluationCountsRecallAbstentionsAndCitations) {
  TaskRunner runner(*Sched());
  auto cases = ParseAnswerEval(
      "{\"question\":\"When are refunds paid?\",\"passage\":\"within five business days\"}\n"
      "{\"question\":\"courier weekday\",\"passage\":\"Parcels ship from\"}\n"
      "{\"question\":\"zebra xylophone quasar\",\"unanswerable\":true}\n",
      "e.jsonl");
  ASSERT_TRUE(cases.ok());
  auto report = EvaluateAnswers(runner, task_, *cases);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->cases, 3);
  EXPECT_EQ(report->with_passage, 2);
  EXPECT_EQ(report->passage_found, 2);  // both gold passages share terms with their question
  EXPECT_EQ(report->abstained_unanswerable, 1);
  EXPECT_EQ(report->forced_abstentions, 1);
  EXPECT_EQ(report->valid_citations, report->citations);
  EXPECT_EQ(report->valid_outputs, 3);
  const nlohmann::json j = report->ToJson();
  EXPECT_DOUBLE_EQ(j["recall_at_k"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["citation_validity"].get<double>(), 1.0);
}

}  // namespace
}  // namespace kolibri::tasks
