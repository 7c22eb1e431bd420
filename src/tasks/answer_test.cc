// Grounded answers without a model: the citation grammar (over a byte vocabulary), the
// citation re-check, answer task files and evaluation files.
#include <gtest/gtest.h>

#include "grammar/test_vocab.h"
#include "kolibri/grammar/grammar_matcher.h"
#include "kolibri/tasks/answer_eval.h"
#include "kolibri/tasks/task_runner.h"
#include "tasks/answer_grammar.h"

namespace kolibri::tasks {
namespace {

const std::vector<AnswerSource> kSources = {
    {"c1", "Refunds are paid within five days."},
    {"c2", "Parcels ship from \"Hamburg\" daily."},
};

std::shared_ptr<const grammar::CompiledGrammar> Compile(const std::vector<AnswerSource>& sources, int max_citations) {
  auto c = grammar::CompileGrammar(BuildAnswerGrammar(sources, {.max_citations = max_citations}),
                                   grammar::testing::ByteVocabulary());
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : nullptr;
}

bool Accepts(const std::shared_ptr<const grammar::CompiledGrammar>& g, const std::string& text) {
  grammar::GrammarMatcher m(g);
  return m.AcceptString(text) && m.CanEnd();
}

std::string Answer(const std::string& citations) {
  return R"({"status":"answered","answer":"Five days.","citations":[)" + citations + "]}";
}

TEST(AnswerGrammarTest, AQuoteMustComeFromTheChunkItNames) {
  auto g = Compile(kSources, 2);
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(Accepts(g, Answer(R"({"chunk":"c1","quote":"five days"})")));
  EXPECT_TRUE(Accepts(g, Answer(R"({"chunk":"c2","quote":"from \"Hamburg\""})")));  // escaped as JSON
  EXPECT_TRUE(Accepts(g, Answer(R"({"chunk":"c1","quote":"R"},{"chunk":"c2","quote":"daily."})")));
  EXPECT_FALSE(Accepts(g, Answer(R"({"chunk":"c1","quote":"Hamburg"})")));   // c2's text under c1's id
  EXPECT_FALSE(Accepts(g, Answer(R"({"chunk":"c3","quote":"five"})")));      // not a retrieved chunk
  EXPECT_FALSE(Accepts(g, Answer(R"({"chunk":"c1","quote":""})")));          // empty quote
  EXPECT_FALSE(Accepts(g, Answer(R"({"chunk":"c1","quote":"five  days"})")));  // not verbatim
  EXPECT_FALSE(Accepts(g, Answer("")));                                        // answered needs a citation
  EXPECT_FALSE(Accepts(g, Answer(R"({"chunk":"c1","quote":"R"},{"chunk":"c1","quote":"e"},{"chunk":"c1","quote":"f"})")));
  EXPECT_TRUE(Accepts(g, R"({"status":"not_in_sources","answer":"No idea.","citations":[]})"));
  EXPECT_FALSE(Accepts(g, R"({"status":"not_in_sources","answer":"x","citations":[{"chunk":"c1","quote":"R"}]})"));
  EXPECT_FALSE(Accepts(g, R"({"status":"maybe","answer":"x","citations":[]})"));
}

TEST(AnswerGrammarTest, WithoutSourcesOnlyNotInSourcesIsLegal) {
  auto g = Compile({}, 3);
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(Accepts(g, R"({"status":"not_in_sources","answer":"","citations":[]})"));
  EXPECT_FALSE(Accepts(g, Answer(R"({"chunk":"c1","quote":"R"})")));
}

std::vector<RetrievedChunk> Retrieved() {
  std::vector<RetrievedChunk> out(2);
  out[0].chunk_id = "c1";
  out[0].text = kSources[0].text;
  out[0].source_path = "/docs/refunds.md";
  out[1].chunk_id = "c2";
  out[1].text = kSources[1].text;
  out[1].source_path = "/docs/shipping.txt";
  return out;
}

TEST(CheckAnswerTest, EveryCitationIsCheckedAgainstItsChunk) {
  AnswerResult r;
  CheckAnswer(Answer(R"({"chunk":"c1","quote":"five days"},{"chunk":"c2","quote":"Hamburg"})"), Retrieved(), &r);
  EXPECT_TRUE(r.valid) << nlohmann::json(r.errors).dump();
  EXPECT_EQ(r.status, "answered");
  EXPECT_EQ(r.answer, "Five days.");
  ASSERT_EQ(r.citations.size(), 2u);
  EXPECT_EQ(r.citations[0].source_path, "/docs/refunds.md");
  EXPECT_EQ(r.citations[0].quote_offset, 24);
  EXPECT_EQ(r.citations[1].text, kSources[1].text);

  CheckAnswer(Answer(R"({"chunk":"c1","quote":"Hamburg"})"), Retrieved(), &r);
  EXPECT_FALSE(r.valid);
  ASSERT_EQ(r.citations.size(), 1u);
  EXPECT_FALSE(r.citations[0].valid);
  EXPECT_NE(r.citations[0].problem.find("not a verbatim part"), std::string::npos);

  CheckAnswer(Answer(R"({"chunk":"c9","quote":"five"})"), Retrieved(), &r);
  EXPECT_FALSE(r.valid);
  EXPECT_NE(r.errors[0].find("not among the retrieved"), std::string::npos);

  CheckAnswer(Answer(R"({"chunk":"c1","quote":""})"), Retrieved(), &r);
  EXPECT_FALSE(r.valid);
  CheckAnswer(Answer(""), Retrieved(), &r);
  EXPECT_FALSE(r.valid);
  CheckAnswer(R"({"status":"answered","answer":"x","citations":[],"extra":1})", Retrieved(), &r);
  EXPECT_FALSE(r.valid);
  CheckAnswer(R"({"status":"not_in_sources","answer":"x","citations":[{"chunk":"c1","quote":"R"}]})", Retrieved(),
              &r);
  EXPECT_FALSE(r.valid);
  CheckAnswer(R"({"status":"answered","answer":"x","citations":[)", Retrieved(), &r);
  EXPECT_FALSE(r.valid);
  CheckAnswer(R"({"status":"not_in_sources","answer":"x","citations":[]})", Retrieved(), &r);
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.status, "not_in_sources");
}

TEST(AnswerTaskFileTest, ReadsAnswerTasksAndRejectsMisplacedKeys) {
  auto f = ParseTaskFile(R"(- name: policy
  kind: answer
  index: policies.db
  k: 7
  max_citations: 2
  thresholds: {min_score: 0.5, min_similarity: 0.6}
  max_tokens: 128
)",
                         "t.yaml", "/srv/tasks");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  const TaskDefinition& t = f->tasks[0];
  EXPECT_EQ(t.kind, TaskKind::kAnswer);
  EXPECT_EQ(t.index, "/srv/tasks/policies.db");
  EXPECT_EQ(t.k, 7);
  EXPECT_EQ(t.max_citations, 2);
  EXPECT_DOUBLE_EQ(t.min_score, 0.5);
  EXPECT_DOUBLE_EQ(t.min_similarity, 0.6);
  EXPECT_EQ(TaskKindName(t.kind), "answer");

  auto error = [](const std::string& yaml) {
    auto r = ParseTaskFile(yaml, "t.yaml", "");
    EXPECT_FALSE(r.ok()) << yaml;
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_NE(error("- {name: a, kind: answer}").find("needs an index"), std::string::npos);
  EXPECT_NE(error("- {name: a, kind: answer, index: x.db, k: 0}").find("k"), std::string::npos);
  EXPECT_NE(error("- {name: a, kind: answer, index: x.db, labels: [a, b]}").find("labels"), std::string::npos);
  EXPECT_NE(error("- {name: a, kind: answer, index: x.db, schema: {type: object}}").find("schema"),
            std::string::npos);
  EXPECT_NE(error("- {name: a, kind: classify, labels: [a, b], index: x.db}").find("answer tasks"),
            std::string::npos);
  EXPECT_NE(error("- {name: a, kind: answer, index: x.db, thresholds: {min_similarity: 2}}").find("min_similarity"),
            std::string::npos);
}

TEST(AnswerEvalTest, ParsesCasesAndNamesTheBadLine) {
  auto cases = ParseAnswerEval(
      "{\"question\":\"When are refunds paid?\",\"answer\":\"five days\",\"passage\":\"paid within five\"}\n"
      "\n"
      "{\"question\":\"Who won the 1954 world cup?\",\"unanswerable\":true}\n",
      "e.jsonl");
  ASSERT_TRUE(cases.ok()) << cases.status().ToString();
  ASSERT_EQ(cases->size(), 2u);
  EXPECT_EQ((*cases)[0].passage, "paid within five");
  EXPECT_EQ((*cases)[1].line, 3);
  EXPECT_TRUE((*cases)[1].unanswerable);

  auto bad = [](const std::string& text) {
    auto r = ParseAnswerEval(text, "e.jsonl");
    EXPECT_FALSE(r.ok()) << text;
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_NE(bad("{\"question\":\"q\",\"passage\":\"p\"}\nnot json\n").find("e.jsonl:2"), std::string::npos);
  EXPECT_NE(bad("{\"question\":\"q\"}").find("unanswerable"), std::string::npos);
  EXPECT_NE(bad("{\"question\":\"q\",\"passage\":\"p\",\"unanswerable\":true}").find("e.jsonl:1"), std::string::npos);
  EXPECT_NE(bad("{\"passage\":\"p\"}").find("question"), std::string::npos);
  EXPECT_NE(bad("\n\n").find("no questions"), std::string::npos);
  EXPECT_EQ(LoadAnswerEval("/nonexistent/e.jsonl").status().code(), ErrorCode::kNotFound);

  RetrievedChunk c;
  c.chunk_id = "abc";
  c.text = "Refunds are paid\nwithin five   days.";
  EXPECT_TRUE(PassageMatches("abc", c));
  EXPECT_TRUE(PassageMatches("paid within five days", c));  // whitespace collapsed
  EXPECT_TRUE(PassageMatches("Before. Refunds are paid within five days. After.", c));
  EXPECT_FALSE(PassageMatches("paid within six days", c));
  EXPECT_FALSE(PassageMatches("", c));
}

}  // namespace
}  // namespace kolibri::tasks
