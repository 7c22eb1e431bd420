// `kolibri eval` end to end on two tiny generated models (their text is noise: the test
// checks the report's content and structure, never quality): the JSON holds every measure per
// candidate, the strict bars of the example worker name no candidate and say so, lenient
// bars name the smaller one, and the HTML renders in headless Chromium (skipped, with a
// message, where chromium is not installed; scripts/bootstrap.sh installs it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "testing/cli_runner.h"
#include "testing/test_models.h"

namespace kolibri::worker {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
const fs::path kExample = KOLIBRI_SUPPORT_MAIL_DIR;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class WorkerEvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TestDataDir()) / ("worker_eval_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    a_ = testing::TestModelPath("tiny", "f16");
    b_ = testing::TestModelPath("tiny", "q8_0");
    ASSERT_FALSE(a_.empty());
    ASSERT_FALSE(b_.empty());
  }
  void TearDown() override { fs::remove_all(dir_); }

  testing::CliResult Eval(const fs::path& worker, const std::string& name, int limit) const {
    return testing::RunKolibri("eval " + worker.string() + " --data " + (kExample / "gold.jsonl").string() +
                               " --model " + a_ + " --model " + b_ + " --limit " + std::to_string(limit) +
                               " --skip-tier upstream -t 1 --ctx 2048 --parallel 2 --html " +
                               (dir_ / (name + ".html")).string() + " --json-out " + (dir_ / (name + ".json")).string());
  }

  fs::path dir_;
  std::string a_, b_;
};

TEST_F(WorkerEvalTest, StrictBarsNameNoCandidateAndTheReportHoldsEveryMeasure) {
  testing::CliResult r = Eval(kExample / "worker.yaml", "strict", 3);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("No candidate meets the quality bar"), std::string::npos) << r.out;
  const json j = json::parse(Slurp(dir_ / "strict.json"));
  EXPECT_EQ(j["mails"], 3);
  EXPECT_TRUE(j["recommended"].is_null());
  ASSERT_EQ(j["candidates"].size(), 2u);
  for (const json& c : j["candidates"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    EXPECT_EQ(c["failed"], 0);
    EXPECT_FALSE(c["meets_bar"].get<bool>());
    EXPECT_EQ(c["record_valid_rate"], 1.0);
    EXPECT_EQ(c["evidence_violations"], 0) << "outputs never break the evidence rule";
    EXPECT_GT(c["planner_bytes"].get<uint64_t>(), 0u);
    EXPECT_GT(c["peak_rss_bytes"].get<uint64_t>(), 0u);
    EXPECT_GT(c["tokens"]["prompt"].get<uint64_t>(), 0u);
    EXPECT_EQ(c["latency_ms"]["all"].size(), 3u);
    EXPECT_LE(c["latency_ms"]["p50"].get<double>(), c["latency_ms"]["p95"].get<double>());
    // Every bar of the worker's quality section is checked (nine step bars + escalation).
    EXPECT_EQ(c["bars"].size(), 10u);
    bool missed = false;
    for (const json& b : c["bars"]) missed |= !b["ok"].get<bool>();
    EXPECT_TRUE(missed);
    ASSERT_EQ(c["classify"].size(), 5u);  // language, category, priority, team, reply
    for (const json& m : c["classify"]) {
      int64_t total = 0;
      for (const auto& [g, row] : m["confusion"].items()) {
        for (const auto& [p, k] : row.items()) total += k.get<int64_t>();
      }
      EXPECT_EQ(total, 3) << m["step"];
      EXPECT_GE(m["accuracy"].get<double>(), 0.0);
      EXPECT_LE(m["accuracy"].get<double>(), 1.0);
    }
    ASSERT_EQ(c["extract"].size(), 1u);
    EXPECT_EQ(c["extract"][0]["n"], 3);
    EXPECT_EQ(c["extract"][0]["fields"].size(), 8u);  // the ticket's fields
  }
  const std::string html = Slurp(dir_ / "strict.html");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg")) << "no external resources";

  // Headless Chromium parses and lays it out; the DOM keeps the tables and charts.
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "chromium is not installed (scripts/bootstrap.sh installs it): the HTML render check is skipped";
  }
  const std::string dom = (dir_ / "dom.html").string();
  const std::string png = (dir_ / "shot.png").string();
  const std::string flags = "--headless --no-sandbox --disable-gpu --user-data-dir=" + (dir_ / "chromium").string();
  ASSERT_EQ(std::system(("timeout 90 chromium " + flags + " --dump-dom file://" + (dir_ / "strict.html").string() + " >" +
                         dom + " 2>/dev/null").c_str()), 0);
  const std::string rendered = Slurp(dom);
  for (const char* id : {"id=\"summary\"", "id=\"bars\"", "id=\"quality-vs-memory\"", "id=\"latency\"",
                         "id=\"confusion-0\"", "id=\"recommendation\""}) {
    EXPECT_NE(rendered.find(id), std::string::npos) << id;
  }
  EXPECT_NE(rendered.find("<svg"), std::string::npos);
  ASSERT_EQ(std::system(("timeout 90 chromium " + flags + " --screenshot=" + png + " --window-size=1200,2400 file://" +
                         (dir_ / "strict.html").string() + " >/dev/null 2>&1").c_str()), 0);
  EXPECT_GT(fs::file_size(png), 10000u) << "a screenshot with content";
}

TEST_F(WorkerEvalTest, LenientBarsNameTheSmallestCandidate) {
  // The example worker with bars any model meets: the smaller candidate is named.
  std::string text = Slurp(kExample / "worker.yaml");
  const std::string base = kExample.string() + "/";
  for (const char* key : {"tasks_file: ", "schema: ", "replies: ", "dir: ", "data: ", "db: ", "results: ", "state: "}) {
    text = std::regex_replace(text, std::regex(std::string("(") + key + ")([a-z])"), "$1" + base + "$2");
  }
  text = text.substr(0, text.find("\nquality:")) +
         "\nquality:\n  language: {gold: language, min_accuracy: 0.0}\n"
         "  fields: {gold: fields, max_evidence_violations: 0}\n";
  const fs::path worker = dir_ / "lenient.yaml";
  std::ofstream(worker) << text;
  testing::CliResult r = Eval(worker, "lenient", 2);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const json j = json::parse(Slurp(dir_ / "lenient.json"));
  ASSERT_EQ(j["candidates"].size(), 2u);
  const json& a = j["candidates"][0];
  const json& b = j["candidates"][1];
  EXPECT_TRUE(a["meets_bar"].get<bool>());
  EXPECT_TRUE(b["meets_bar"].get<bool>());
  const json& smaller = a["planner_bytes"].get<uint64_t>() <= b["planner_bytes"].get<uint64_t>() ? a : b;
  EXPECT_EQ(j["recommended"], smaller["model"]);
  EXPECT_NE(j["recommendation"].get<std::string>().find("is the smallest candidate"), std::string::npos);
}

}  // namespace
}  // namespace kolibri::worker
