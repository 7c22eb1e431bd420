#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kolibri/tasks/task.h"

namespace kolibri::tasks {
namespace {

constexpr const char* kGood = R"(tasks:
  - name: ticket
    kind: extract
    model: qwen2.5-0.5b
    instructions: Extract the ticket fields.
    schema:
      type: object
      properties:
        order_id: {type: string, x-kolibri-evidence: true}
        priority: {enum: [low, high]}
        count: {type: integer, minimum: 1}
      required: [order_id, priority]
    max_attempts: 2
    max_tokens: 64
    escalation: [big-model, human]
  - name: intent
    kind: classify
    labels:
      - name: billing
        description: invoices
        examples: ["charged twice"]
      - shipping
    thresholds: {min_confidence: 0.7}
    calibration: {temperature: 1.5}
    scoring: full
)";

TEST(TaskFileTest, ParsesBothKinds) {
  auto f = ParseTaskFile(kGood, "t.yaml", "");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->tasks.size(), 2u);
  const TaskDefinition& e = f->tasks[0];
  EXPECT_EQ(e.kind, TaskKind::kExtract);
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.max_attempts, 2);
  EXPECT_EQ(e.token_budget, 128);  // max_tokens * max_attempts by default
  EXPECT_EQ(e.escalation, (std::vector<std::string>{"big-model", "human"}));
  // Inline YAML becomes compact JSON in the written order, with numbers and booleans typed.
  EXPECT_EQ(e.schema.rfind(R"({"type":"object","properties":{"order_id")", 0), 0u) << e.schema;
  EXPECT_NE(e.schema.find(R"("x-kolibri-evidence":true)"), std::string::npos);
  EXPECT_NE(e.schema.find(R"("minimum":1)"), std::string::npos);
  const TaskDefinition& c = f->tasks[1];
  ASSERT_EQ(c.labels.size(), 2u);
  EXPECT_EQ(c.labels[0].examples.size(), 1u);
  EXPECT_EQ(c.labels[1].name, "shipping");
  EXPECT_DOUBLE_EQ(c.min_confidence, 0.7);
  EXPECT_DOUBLE_EQ(c.calibration.temperature, 1.5);
  EXPECT_EQ(c.scoring, LabelScoring::kFull);
  EXPECT_TRUE(f->Find("intent").ok());
  EXPECT_EQ(f->Find("nope").status().code(), ErrorCode::kNotFound);
}

struct BadCase {
  const char* name;
  const char* yaml;
  const char* where;    // expected "file:line:col" prefix
  const char* message;  // expected substring
};

TEST(TaskFileTest, BadFilesPointAtTheLine) {
  const BadCase cases[] = {
      {"unknown key", "- name: a\n  kind: classify\n  labelz: [x, y]\n", "t.yaml:3:3", "unknown key 'labelz'"},
      {"missing schema", "- name: a\n  kind: extract\n", "t.yaml:1:3", "needs a schema"},
      {"duplicate label", "- name: a\n  kind: classify\n  labels: [x, y, x]\n", "t.yaml:3:18",
       "duplicate label 'x'"},
      {"one label", "- name: a\n  kind: classify\n  labels: [only]\n", "t.yaml:3:11", "at least two labels"},
      {"wrong type", "- name: a\n  kind: classify\n  labels: [x, y]\n  max_tokens: lots\n", "t.yaml:4:15",
       "max_tokens must be an integer"},
      {"range", "- name: a\n  kind: classify\n  labels: [x, y]\n  thresholds: {min_confidence: 2}\n", "t.yaml:4:32",
       "between 0 and 1"},
      {"bad kind", "- name: a\n  kind: summarize\n", "t.yaml:2:9", "kind must be extract, classify or answer"},
      {"schema not JSON", "- name: a\n  kind: extract\n  schema: '{nope'\n", "t.yaml:3:11", "not valid JSON"},
      {"schema not compilable", "- name: a\n  kind: extract\n  schema: {type: object, properties: {x: {$ref: '#/nowhere'}}}\n",
       "t.yaml:3:11", "schema"},
      {"schema admits nothing", "- name: a\n  kind: extract\n  schema: {type: string, minLength: 5, maxLength: 2}\n",
       "t.yaml:3:11", "grammar"},
      {"duplicate task", "- {name: a, kind: classify, labels: [x, y]}\n- {name: a, kind: classify, labels: [x, y]}\n",
       "t.yaml:2:3", "duplicate task name 'a'"},
      {"labels on extract", "- name: a\n  kind: extract\n  labels: [x, y]\n", "t.yaml:3:11", "not labels"},
      {"bad yaml", "- name: a\n  kind: [classify\n", "t.yaml:", "end of sequence"},
  };
  for (const auto& c : cases) {
    auto f = ParseTaskFile(c.yaml, "t.yaml", "");
    ASSERT_FALSE(f.ok()) << c.name;
    EXPECT_EQ(f.status().code(), ErrorCode::kInvalidArgument) << c.name;
    const std::string& m = f.status().message();
    EXPECT_EQ(m.rfind(c.where, 0), 0u) << c.name << ": " << m;
    EXPECT_NE(m.find(c.message), std::string::npos) << c.name << ": " << m;
  }
  EXPECT_FALSE(ParseTaskFile("", "t.yaml", "").ok());
  EXPECT_FALSE(ParseTaskFile("tasks: []", "t.yaml", "").ok());
}

TEST(TaskFileTest, SchemaFilesResolveNextToTheTaskFileAndCalibrationPersists) {
  const auto dir = std::filesystem::temp_directory_path() / ("kolibri_task_file_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "schemas");
  std::ofstream(dir / "schemas" / "s.json") << R"({"type": "object", "properties": {"a": {"type": "string"}}})";
  const std::string path = (dir / "tasks.yaml").string();
  std::ofstream(path) << "- {name: e, kind: extract, schema: schemas/s.json}\n"
                         "- {name: c, kind: classify, labels: [x, y], calibration: {temperature: 2}}\n"
                         "- {name: m, kind: extract, schema: schemas/missing.json}\n";
  auto bad = LoadTaskFile(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("tasks.yaml:3:"), std::string::npos) << bad.status().ToString();
  std::ofstream(path) << "- {name: e, kind: extract, schema: schemas/s.json}\n"
                         "- {name: c, kind: classify, labels: [x, y], calibration: {temperature: 2}}\n";
  auto f = LoadTaskFile(path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->tasks[0].schema, R"({"type":"object","properties":{"a":{"type":"string"}}})");
  EXPECT_EQ(f->tasks[0].schema_source, (dir / "schemas" / "s.json").string());
  EXPECT_DOUBLE_EQ(f->tasks[1].calibration.temperature, 2.0);
  Calibration cal;
  cal.temperature = 0.75;
  cal.examples = 40;
  ASSERT_TRUE(SaveCalibration(path, "c", cal).ok());
  auto again = LoadTaskFile(path);
  ASSERT_TRUE(again.ok());
  EXPECT_DOUBLE_EQ(again->tasks[1].calibration.temperature, 0.75);  // the sidecar wins
  EXPECT_EQ(again->tasks[1].calibration.examples, 40);
  std::ofstream(CalibrationSidecarPath(path)) << "{\"c\": {\"temperature\": -1}}";
  EXPECT_EQ(LoadTaskFile(path).status().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(LoadTaskFile((dir / "none.yaml").string()).status().code(), ErrorCode::kNotFound);
  std::filesystem::remove_all(dir);
}

TEST(TaskFileTest, SchemaFileFragmentsNameASubschema) {
  const auto dir = std::filesystem::temp_directory_path() / ("kolibri_task_frag_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "s.json") << R"({"type": "object", "$defs": {"f": {"type": "object", "properties": {"a": {"type": "string"}}}}})";
  auto f = ParseTaskFile("- {name: e, kind: extract, schema: 's.json#/$defs/f'}\n", "t.yaml", dir.string());
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->tasks[0].schema, R"({"type":"object","properties":{"a":{"type":"string"}}})");
  EXPECT_EQ(f->tasks[0].schema_source, (dir / "s.json").string() + "#/$defs/f");
  auto missing = ParseTaskFile("- {name: e, kind: extract, schema: 's.json#/$defs/g'}\n", "t.yaml", dir.string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("t.yaml:1:"), std::string::npos) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("nothing at '#/$defs/g'"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kolibri::tasks
