#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "kolibri/worker/worker_config.h"

namespace kolibri::worker {
namespace {

namespace fs = std::filesystem;
const fs::path kExample = KOLIBRI_SUPPORT_MAIL_DIR;

TEST(WorkerFileTest, TheExampleWorkerLoads) {
  auto c = LoadWorkerFile((kExample / "worker.yaml").string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "nordlicht-support-mail");
  EXPECT_EQ(c->tasks.tasks.size(), 6u);
  ASSERT_EQ(c->steps.size(), 7u);
  EXPECT_EQ(c->steps[0].id, "language");
  EXPECT_EQ(c->steps[0].input.text, "mail.body_text");
  ASSERT_EQ(c->steps[1].cascade.size(), 4u);
  EXPECT_EQ(c->steps[1].cascade[0].model, "router");
  EXPECT_DOUBLE_EQ(c->steps[1].cascade[0].threshold, 0.9);
  EXPECT_DOUBLE_EQ(c->steps[1].cascade[3].threshold, -1);
  EXPECT_EQ(c->steps[2].context.at(0).second.step, "category");
  EXPECT_EQ(c->steps[6].kind, StepKind::kRenderReply);
  EXPECT_EQ(c->steps[6].fields.text, "steps.fields.record");
  EXPECT_EQ(c->models.at("slm").kind, ModelKind::kGguf);
  EXPECT_EQ(c->models.at("router").train->labels.at("triage_category"), "category");
  EXPECT_EQ(c->record.size(), 7u);
  EXPECT_FALSE(c->schema.empty());
  ASSERT_EQ(c->quality.size(), 6u);
  EXPECT_DOUBLE_EQ(c->quality[1].min_macro_f1, 0.75);
  EXPECT_DOUBLE_EQ(c->max_escalation_rate, 0.3);
  const auto* fields = *c->tasks.Find("ticket_extract");
  EXPECT_EQ(fields->kind, tasks::TaskKind::kExtract);
  EXPECT_NE(fields->schema.find("x-kolibri-evidence"), std::string::npos);
  EXPECT_EQ(fields->max_attempts, 2);
}

// Writes the example worker with `from` replaced by `to` next to the example's files and
// returns the load error.
std::string ErrorAfter(const std::string& from, const std::string& to) {
  std::ifstream in(kExample / "worker.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at == std::string::npos) return "";
  text.replace(at, from.size(), to);
  const fs::path dir = fs::temp_directory_path() / ("kolibri_worker_file_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const char* f : {"tasks.yaml", "ticket.schema.json"}) fs::copy_file(kExample / f, dir / f, fs::copy_options::overwrite_existing);
  fs::create_directories(dir / "replies");
  std::ofstream(dir / "worker.yaml") << text;
  auto c = LoadWorkerFile((dir / "worker.yaml").string());
  fs::remove_all(dir);
  return c.ok() ? "" : c.status().ToString();
}

TEST(WorkerFileTest, ErrorsPointAtLineAndColumn) {
  std::string e = ErrorAfter("task: triage_priority", "task: triage_urgency");
  EXPECT_NE(e.find("worker.yaml:70:11: unknown task 'triage_urgency'"), std::string::npos) << e;
  e = ErrorAfter("{tier: slm, threshold: 0.65}", "{tier: slm, threshold: 1.65}");
  EXPECT_NE(e.find("worker.yaml:75:"), std::string::npos) << e;
  EXPECT_NE(e.find("threshold must be between 0 and 1"), std::string::npos) << e;
  e = ErrorAfter("    input: mail.body_text        # evidence", "    inptu: mail.body_text        # evidence");
  EXPECT_NE(e.find("worker.yaml:89:5: unknown key 'inptu'"), std::string::npos) << e;
  e = ErrorAfter("context: {category: steps.category.label}", "context: {category: steps.team.label}");
  EXPECT_NE(e.find("worker.yaml:72:"), std::string::npos) << e;
  EXPECT_NE(e.find("not an earlier step"), std::string::npos) << e;
  e = ErrorAfter("{tier: slm, threshold: 0.65}", "{tier: gpt, threshold: 0.65}");
  EXPECT_NE(e.find("worker.yaml:75:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown model alias 'gpt'"), std::string::npos) << e;
  e = ErrorAfter("tasks_file: tasks.yaml", "tasks_file: nothing.yaml");
  EXPECT_NE(e.find("not_found"), std::string::npos) << e;
  e = ErrorAfter("  max_escalation_rate: 0.30", "  max_escalation_rate: 0.30\n  tone: {gold: x}");
  EXPECT_NE(e.find("quality bar for unknown step 'tone'"), std::string::npos) << e;
  EXPECT_EQ(LoadWorkerFile("/nonexistent/worker.yaml").status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace kolibri::worker
