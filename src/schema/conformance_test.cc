// Conformance against the official JSON-Schema-Test-Suite as Debian packages it
// (json-schema-test-suite: drafts 3, 4, 6 and 7). Runs every mandatory and optional case of
// drafts 4, 6 and 7, writes per-draft pass rates to schema_conformance.json (in
// $KOLIBRI_RESULTS_DIR, else the build directory), and fails when a mandatory case fails that
// testdata/conformance_known_failures.json does not list, or when a draft's mandatory pass
// rate drops under kMinMandatoryPassRate. Skips when the package is absent.
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

// Just under the measured rate (100 % for drafts 4, 6 and 7 with json-schema-test-suite 2.0.0).
constexpr double kMinMandatoryPassRate = 0.995;

fs::path SuiteDir() {
  if (const char* dir = std::getenv("KOLIBRI_JSON_SCHEMA_TEST_SUITE")) return dir;
  return "/usr/share/json-schema-test-suite";
}

json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// Every file under remotes/, as the suite expects to find it at http://localhost:1234/.
std::map<std::string, json> Remotes(const fs::path& dir) {
  std::map<std::string, json> documents;
  if (!fs::exists(dir)) return documents;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    documents["http://localhost:1234/" + fs::relative(entry.path(), dir).generic_string()] = ReadJson(entry.path());
  }
  return documents;
}

struct Tally {
  int passed = 0;
  int total = 0;
  std::vector<std::string> failures;
  double Rate() const { return total == 0 ? 1.0 : static_cast<double>(passed) / total; }
};

// Runs one suite file; case names are "<file>: <group> / <test>".
void RunFile(const fs::path& path, const std::string& name, Draft draft,
             const std::map<std::string, json>& remotes, Tally* tally) {
  ValidatorOptions options;
  options.default_draft = draft;
  options.documents = remotes;
  options.max_errors = 0;
  for (const json& group : ReadJson(path)) {
    Result<JsonSchemaValidator> validator = JsonSchemaValidator::Compile(group["schema"], options);
    for (const json& test : group["tests"]) {
      std::string id = name + ": " + group["description"].get<std::string>() + " / " +
                       test["description"].get<std::string>();
      ++tally->total;
      if (!validator.ok()) {
        tally->failures.push_back(id + " (compile: " + validator.status().message() + ")");
        continue;
      }
      bool expected = test["valid"].get<bool>();
      bool fast = validator->IsValid(test["data"]);
      bool full = validator->Validate(test["data"]).empty();
      // Both modes must agree, whatever the suite expects.
      EXPECT_EQ(fast, full) << id;
      if (fast == expected && full == expected) {
        ++tally->passed;
      } else {
        tally->failures.push_back(id);
      }
    }
  }
}

std::vector<fs::path> SortedJsonFiles(const fs::path& dir, bool recursive) {
  std::vector<fs::path> files;
  if (!fs::exists(dir)) return files;
  if (recursive) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    }
  } else {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

fs::path ResultsDir() {
  if (const char* dir = std::getenv("KOLIBRI_RESULTS_DIR")) return dir;
  if (const char* data = std::getenv("KOLIBRI_TEST_DATA")) return fs::path(data).parent_path();
  return fs::current_path();
}

std::set<std::string> KnownFailures(const std::string& draft_dir) {
  std::set<std::string> known;
  const char* source = std::getenv("KOLIBRI_SOURCE_DIR");
  if (source == nullptr) return known;
  fs::path path = fs::path(source) / "src/schema/testdata/conformance_known_failures.json";
  if (!fs::exists(path)) return known;
  json all = ReadJson(path);
  if (!all.contains(draft_dir)) return known;
  for (const json& entry : all[draft_dir]) known.insert(entry["case"].get<std::string>());
  return known;
}

TEST(JsonSchemaConformance, Drafts4To7) {
  const fs::path suite = SuiteDir();
  if (!fs::exists(suite / "tests")) {
    GTEST_SKIP() << "json-schema-test-suite not found at " << suite
                 << " (apt-get install json-schema-test-suite, or set KOLIBRI_JSON_SCHEMA_TEST_SUITE)";
  }
  const std::map<std::string, json> remotes = Remotes(suite / "remotes");
  const std::vector<std::pair<std::string, Draft>> drafts = {
      {"draft4", Draft::k4}, {"draft6", Draft::k6}, {"draft7", Draft::k7}};
  json report = json::object();
  for (const auto& [dir, draft] : drafts) {
    Tally mandatory, optional;
    for (const fs::path& file : SortedJsonFiles(suite / "tests" / dir, false)) {
      RunFile(file, file.filename().string(), draft, remotes, &mandatory);
    }
    for (const fs::path& file : SortedJsonFiles(suite / "tests" / dir / "optional", true)) {
      RunFile(file, fs::relative(file, suite / "tests" / dir).generic_string(), draft, remotes, &optional);
    }
    report[dir] = {
        {"mandatory", {{"passed", mandatory.passed}, {"total", mandatory.total}, {"rate", mandatory.Rate()}}},
        {"optional", {{"passed", optional.passed}, {"total", optional.total}, {"rate", optional.Rate()}}},
        {"mandatory_failures", mandatory.failures},
        {"optional_failures", optional.failures},
    };
    std::printf("%s: mandatory %d/%d (%.2f%%), optional %d/%d (%.2f%%)\n", dir.c_str(), mandatory.passed,
                mandatory.total, 100 * mandatory.Rate(), optional.passed, optional.total, 100 * optional.Rate());
    EXPECT_GE(mandatory.Rate(), kMinMandatoryPassRate) << dir;
    const std::set<std::string> known = KnownFailures(dir);
    for (const std::string& failure : mandatory.failures) {
      EXPECT_TRUE(known.contains(failure)) << dir << " regression (not in conformance_known_failures.json): "
                                           << failure;
    }
    for (const std::string& failure : optional.failures) std::printf("  optional failure: %s/%s\n", dir.c_str(), failure.c_str());
  }
  report["suite"] = suite.string();
  std::ofstream(ResultsDir() / "schema_conformance.json") << report.dump(2) << "\n";
}

}  // namespace
}  // namespace kolibri
