// `kolibri ask` through the binary with the tiny random-weight model: the JSON answer with
// each citation's source and text, --eval metrics, and one-line errors with their exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "ingest/ingest_test_util.h"
#include "testing/cli_runner.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

using kolibri::testing::RunKolibri;

class AskCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = kolibri::testing::TestModelPath("tiny");
    ASSERT_FALSE(model_.empty());
    dir_.Write("docs/refunds.md", "# Refunds\n\nRefunds are paid within five business days to the original card.\n");
    dir_.Write("docs/shipping.txt", "Shipping\n\nParcels ship from Hamburg every weekday by courier.\n");
    index_ = dir_.path() + "/index.db";
    auto add = RunKolibri("index add --index " + index_ + " " + dir_.path() + "/docs");
    ASSERT_EQ(add.exit_code, 0) << add.out << add.err;
  }
  std::string Ask(const std::string& args) const {
    return "ask --index " + index_ + " --model " + model_ + " --threads 1 --max-tokens 64 " + args;
  }
  kolibri::testing::TempDir dir_;
  std::string model_;
  std::string index_;
};

TEST_F(AskCommandTest, JsonAnswerCarriesEachCitationsSourceAndText) {
  auto r = RunKolibri(Ask("--json 'When are refunds paid?'"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_TRUE(j["valid"].get<bool>());
  EXPECT_TRUE(j["status"] == "answered" || j["status"] == "not_in_sources") << r.out;
  EXPECT_EQ(j["sources"][0]["source_path"], dir_.path() + "/docs/refunds.md");
  for (const auto& c : j["citations"]) {
    EXPECT_TRUE(c["valid"].get<bool>());
    EXPECT_EQ(c["source_path"], dir_.path() + "/docs/refunds.md");
    EXPECT_NE(c["text"].get<std::string>().find(c["quote"].get<std::string>()), std::string::npos);
  }

  auto plain = RunKolibri(Ask("'zebra quasar'"));
  ASSERT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  EXPECT_EQ(plain.out.rfind("not_in_sources: ", 0), 0u) << plain.out;
  EXPECT_NE(plain.err.find("not_in_sources forced"), std::string::npos) << plain.err;
}

TEST_F(AskCommandTest, EvalPrintsRecallAccuracyAndCitationValidity) {
  const std::string eval = dir_.Write(
      "eval.jsonl",
      "{\"question\":\"When are refunds paid?\",\"passage\":\"paid within five business days\"}\n"
      "{\"question\":\"Where do parcels ship from?\",\"answer\":\"Hamburg\",\"passage\":\"ship from Hamburg\"}\n"
      "{\"question\":\"zebra quasar\",\"unanswerable\":true}\n");
  auto r = RunKolibri(Ask("--eval " + eval + " --json"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["cases"], 3);
  EXPECT_DOUBLE_EQ(j["recall_at_k"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["abstain_accuracy"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["citation_validity"].get<double>(), 1.0);
  EXPECT_EQ(j["valid_outputs"], 3);

  auto text = RunKolibri(Ask("--eval " + eval));
  ASSERT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("recall@5             1.000"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("citation validity    1.0000"), std::string::npos) << text.out;

  const std::string bad = dir_.Write("bad.jsonl", "{\"question\":\"q\",\"passage\":\"p\"}\n{\"question\":\"q\"}\n");
  auto b = RunKolibri(Ask("--eval " + bad));
  EXPECT_EQ(b.exit_code, 2) << b.err;
  EXPECT_NE(b.err.find("bad.jsonl:2"), std::string::npos) << b.err;
}

TEST_F(AskCommandTest, BadInputGetsOneLineAndItsExitCode) {
  auto expect = [](const kolibri::testing::CliResult& r, int code, const std::string& words) {
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_NE(r.err.find(words), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;  // one line
  };
  expect(RunKolibri("ask --index " + dir_.path() + "/none.db --model " + model_ + " 'q'"), 3, "does not exist");
  expect(RunKolibri(Ask("'   '")), 2, "question is empty");
  expect(RunKolibri(Ask("'q' --eval x.jsonl")), 2, "not both");
  expect(RunKolibri(Ask("-k 0 'q'")), 2, "--k");
  expect(RunKolibri("ask --index " + index_ + " --model " + dir_.path() + "/none.gguf 'q'"), 3, "does not exist");
  const std::string junk = dir_.Write("junk.db", std::string(4096, 'z'));
  expect(RunKolibri("ask --index " + junk + " --model " + model_ + " 'q'"), 4, "damaged");
  const std::string encoder = kolibri::testing::TestModelPath("bert-tiny", "f16", "bert-bge");
  ASSERT_FALSE(encoder.empty());
  expect(RunKolibri("ask --index " + index_ + " --model " + encoder + " 'refunds'"), 4, "cannot write answers");
}

}  // namespace
}  // namespace kolibri
