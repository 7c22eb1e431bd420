// Agreement with the MaskBench_* suites of jsonschemabench (in the shared data directory):
// every instance a suite marks valid must validate and every instance it marks invalid must
// be rejected — the validator's half of MaskBench's "zero false accepts". Deliberate
// disagreements are listed in testdata/maskbench_known_disagreements.json with the reason;
// any other disagreement fails the test. Writes schema_maskbench.json next to
// schema_conformance.json. Skips without the shared data.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "kolibri/json_schema_validator.h"

namespace kolibri {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path SharedDir() {
  if (const char* dir = std::getenv("KOLIBRI_SHARED_DIR")) return dir;
  if (const char* source = std::getenv("KOLIBRI_SOURCE_DIR")) return fs::path(source) / ".." / "shared";
  return "../shared";
}

fs::path ResultsDir() {
  if (const char* dir = std::getenv("KOLIBRI_RESULTS_DIR")) return dir;
  if (const char* data = std::getenv("KOLIBRI_TEST_DATA")) return fs::path(data).parent_path();
  return fs::current_path();
}

// "<schema id> / <test index>" → reason.
std::map<std::string, std::string> KnownDisagreements() {
  std::map<std::string, std::string> known;
  const char* source = std::getenv("KOLIBRI_SOURCE_DIR");
  if (source == nullptr) return known;
  std::ifstream in(fs::path(source) / "src/schema/testdata/maskbench_known_disagreements.json");
  if (!in) return known;
  for (const json& entry : json::parse(in)["disagreements"]) {
    known[entry["case"].get<std::string>()] = entry["reason"].get<std::string>();
  }
  return known;
}

TEST(MaskBenchAgreement, ValidInstancesPassInvalidOnesFail) {
  const fs::path dir = SharedDir() / "data" / "jsonschemabench";
  if (!fs::exists(dir)) GTEST_SKIP() << "jsonschemabench data not found at " << dir << " (set KOLIBRI_SHARED_DIR)";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with("MaskBench_") && entry.path().extension() == ".jsonl") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no MaskBench_*.jsonl in " << dir;
  const std::map<std::string, std::string> known = KnownDisagreements();
  json report = json::object();
  int all_agreed = 0, all_total = 0;
  for (const fs::path& file : files) {
    int agreed = 0, total = 0, schemas = 0, compile_failures = 0;
    json disagreements = json::array();
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      json entry = json::parse(line);
      json schema = entry["schema"].is_string() ? json::parse(entry["schema"].get<std::string>()) : entry["schema"];
      std::string id = entry["id"].get<std::string>();
      ++schemas;
      Result<JsonSchemaValidator> validator = JsonSchemaValidator::Compile(schema);
      if (!validator.ok()) ++compile_failures;
      for (size_t i = 0; i < entry["tests"].size(); ++i) {
        const json& test = entry["tests"][i];
        std::string name = id + " / " + std::to_string(i);
        ++total;
        bool expected = test["valid"].get<bool>();
        bool verdict = validator.ok() && validator->IsValid(test["data"]);
        if (validator.ok()) {
          EXPECT_EQ(verdict, validator->Validate(test["data"]).empty()) << name;
        }
        if (verdict == expected) {
          ++agreed;
          continue;
        }
        std::string detail = !validator.ok() ? "compile: " + validator.status().message()
                             : expected      ? validator->Validate(test["data"]).front().ToString()
                                             : "accepted an instance the suite marks invalid";
        disagreements.push_back({{"case", name}, {"expected_valid", expected}, {"detail", detail}});
        EXPECT_TRUE(known.contains(name)) << file.filename() << ": " << name << " (" << test["description"]
                                          << "): expected " << (expected ? "valid" : "invalid") << "; " << detail;
      }
    }
    std::printf("%s: %d/%d agree (%d schemas, %d fail to compile)\n", file.filename().c_str(), agreed, total,
                schemas, compile_failures);
    report[file.stem().string()] = {{"agreed", agreed},         {"total", total},
                                    {"schemas", schemas},       {"compile_failures", compile_failures},
                                    {"disagreements", disagreements}};
    all_agreed += agreed;
    all_total += total;
  }
  report["total"] = {{"agreed", all_agreed}, {"total", all_total}};
  std::printf("all: %d/%d agree\n", all_agreed, all_total);
  std::ofstream(ResultsDir() / "schema_maskbench.json") << report.dump(2) << "\n";
}

}  // namespace
}  // namespace kolibri
