// MaskBench (grammar side): for each schema the compiler accepts, every valid instance —
// written compactly, declared properties first in schema order — must be accepted by the
// matcher. Invalid instances the grammar accepts are written to
// $KOLIBRI_TEST_DATA/maskbench_false_accepts.json for the validator to reject.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "grammar/test_vocab.h"
#include "kolibri/grammar/grammar_matcher.h"
#include "kolibri/grammar/json_schema_converter.h"

namespace kolibri::grammar {
namespace {

std::string SharedDir() {
  if (const char* env = std::getenv("KOLIBRI_SHARED_DIR")) return env;
  const char* src = std::getenv("KOLIBRI_SOURCE_DIR");
  return std::string(src != nullptr ? src : ".") + "/../shared";
}

TEST(MaskBenchTest, ValidInstancesAccepted) {
  const std::string dir = SharedDir() + "/data/jsonschemabench";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no shared data at " << dir;
  nlohmann::json false_accepts = nlohmann::json::array();
  nlohmann::json summary;
  size_t total_false_rejects = 0;
  for (const char* name : {"MaskBench_BFCL", "MaskBench_Handwritten", "MaskBench_JME", "MaskBench_MCPspec",
                           "MaskBench_Synthesized"}) {
    std::ifstream in(dir + "/" + name + ".jsonl");
    size_t schemas = 0, compiled = 0, valid = 0, accepted_valid = 0, invalid = 0, accepted_invalid = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      auto row = nlohmann::ordered_json::parse(line);
      ++schemas;
      auto sg = JsonSchemaValueToGrammar(row["schema"]);
      if (!sg.ok()) continue;
      auto cg = CompileGrammar(sg->grammar, testing::ByteVocabulary());
      if (!cg.ok()) continue;
      ++compiled;
      for (const auto& t : row["tests"]) {
        const std::string text = SerializeInSchemaOrder(t["data"], row["schema"]);
        GrammarMatcher m(*cg);
        const bool ok = m.AcceptString(text) && m.CanEnd();
        if (t["valid"] == true) {
          ++valid;
          accepted_valid += ok;
          EXPECT_TRUE(ok) << name << " " << row["id"] << " rejects valid " << text;
        } else {
          ++invalid;
          accepted_invalid += ok;
          if (ok) false_accepts.push_back({{"file", name}, {"id", row["id"]}, {"instance", text}});
        }
      }
    }
    total_false_rejects += valid - accepted_valid;
    summary[name] = {{"schemas", schemas}, {"compiled", compiled}, {"valid", valid}, {"valid_accepted", accepted_valid},
                     {"invalid", invalid}, {"invalid_accepted_by_grammar", accepted_invalid}};
  }
  std::printf("%s\n", summary.dump(1).c_str());
  if (const char* out = std::getenv("KOLIBRI_TEST_DATA")) {
    std::filesystem::create_directories(out);
    std::ofstream(std::string(out) + "/maskbench_false_accepts.json") << false_accepts.dump(1);
    std::ofstream(std::string(out) + "/maskbench_summary.json") << summary.dump(1);
  }
  EXPECT_EQ(total_false_rejects, 0u);
}

}  // namespace
}  // namespace kolibri::grammar
