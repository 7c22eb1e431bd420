// `kolibri schema check|validate` run as the real binary: keyword report in text and JSON,
// strict vs lenient, pointer-located validation errors, and bad input answered with one
// line naming the place and the documented exit code.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <string>

#include "testing/cli_runner.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

using RunResult = testing::CliResult;

RunResult Kolibri(const std::string& args) { return testing::RunKolibri(args); }

std::string Write(const std::string& name, const std::string& bytes) {
  const std::string path = testing::TestDataDir() + "/schema-cli-" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

void ExpectOneLineError(const RunResult& r, int code, const std::string& needle) {
  EXPECT_FALSE(r.signalled) << r.err;
  EXPECT_EQ(r.exit_code, code) << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "more than one line:\n" << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

const char kOrderSchema[] = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "order",
  "type": "object",
  "properties": {
    "id": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{4}$"},
    "items": {"type": "array", "items": {"$ref": "#/$defs/item"}, "minItems": 1, "uniqueItems": true},
    "note": {"type": "string", "x-kubernetes-preserve": true}
  },
  "required": ["id", "items"],
  "$defs": {"item": {"type": "object", "properties": {"qty": {"type": "integer", "minimum": 1}},
                     "required": ["qty"]}}
})";

TEST(SchemaCommandTest, CheckListsHandlingPerKeywordWithPointer) {
  const std::string schema = Write("order.json", kOrderSchema);
  RunResult t = Kolibri("schema check " + schema);
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("/properties/id/pattern"), std::string::npos) << t.out;
  const size_t unique = t.out.find("/properties/items/uniqueItems ");
  ASSERT_NE(unique, std::string::npos) << t.out;
  EXPECT_EQ(t.out.substr(unique, t.out.find('\n', unique) - unique).find("checked after generation: "), 40u) << t.out;
  EXPECT_NE(t.out.find("x-kubernetes-preserve"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("annotation (ignored)"), std::string::npos) << t.out;

  RunResult j = Kolibri("schema check --json " + schema);
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto report = nlohmann::json::parse(j.out);
  EXPECT_TRUE(report["accepted"].get<bool>());
  EXPECT_EQ(report["mode"], "strict");
  std::map<std::string, std::string> handling;
  for (const auto& k : report["keywords"]) {
    handling[k["pointer"].get<std::string>() + "/" + k["keyword"].get<std::string>()] = k["handling"];
  }
  EXPECT_EQ(handling["/properties/id/pattern"], "enforced");
  EXPECT_EQ(handling["/type"], "enforced");
  EXPECT_EQ(handling["/properties/items/uniqueItems"], "post_checked");
  EXPECT_EQ(handling["/$defs/item/required"], "enforced");
  EXPECT_EQ(handling["/properties/note/x-kubernetes-preserve"], "annotation");
  EXPECT_EQ(handling["/title"], "annotation");
  EXPECT_GT(report["grammar"]["automaton_nodes"].get<int>(), 0);
}

TEST(SchemaCommandTest, StrictRejectsWhatLenientRelaxes) {
  const std::string schema =
      Write("remote.json", R"({"type":"object","properties":{"a":{"$ref":"https://example.com/a.json"}}})");
  RunResult strict = Kolibri("schema check " + schema);
  EXPECT_EQ(strict.exit_code, 4) << strict.err;
  EXPECT_NE(strict.out.find("/properties/a/$ref"), std::string::npos) << strict.out;
  EXPECT_NE(strict.out.find("rejected"), std::string::npos) << strict.out;
  ExpectOneLineError(strict, 4, "'$ref' at '/properties/a'");

  RunResult lenient = Kolibri("schema check --lenient --json " + schema);
  ASSERT_EQ(lenient.exit_code, 0) << lenient.err;
  const auto report = nlohmann::json::parse(lenient.out);
  EXPECT_EQ(report["counts"]["relaxed"], 1);
  EXPECT_TRUE(report["accepted"].get<bool>());
}

TEST(SchemaCommandTest, ValidateReportsPointerLocatedErrors) {
  const std::string schema = Write("order.json", kOrderSchema);
  const std::string good = Write("good.json", R"({"id":"AB1234","items":[{"qty":2}]})");
  RunResult ok = Kolibri("schema validate " + schema + " " + good);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("valid"), std::string::npos);

  const std::string bad = Write("bad.json", R"({"id":"ab","items":[{"qty":0},{"qty":0}]})");
  RunResult r = Kolibri("schema validate " + schema + " " + bad);
  ExpectOneLineError(r, 1, "does not match");
  EXPECT_NE(r.out.find("/id:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/items/0/qty:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/items:"), std::string::npos) << r.out;  // uniqueItems

  RunResult j = Kolibri("schema validate --json " + schema + " " + bad);
  EXPECT_EQ(j.exit_code, 1);
  const auto report = nlohmann::json::parse(j.out);
  EXPECT_FALSE(report["valid"].get<bool>());
  ASSERT_GE(report["errors"].size(), 3u);
  EXPECT_EQ(report["errors"][0]["instance_pointer"], "/id");
}

TEST(SchemaCommandTest, BadInputNamesThePlace) {
  ExpectOneLineError(Kolibri("schema check /nonexistent/schema.json"), 3, "does not exist");
  ExpectOneLineError(Kolibri("schema check " + Write("broken.json", "{\n  \"type\": \"object\",\n  oops\n}")), 2,
                     "broken.json:3:3: not valid JSON");
  ExpectOneLineError(Kolibri("schema check " + Write("ref.json", R"({"properties":{"a":{"$ref":"#/$defs/missing"}}})")),
                     2, "unresolvable $ref '#/$defs/missing' at '/properties/a'");
  ExpectOneLineError(Kolibri("schema check " + Write("regex.json", R"({"properties":{"a":{"type":"string","pattern":"[a-"}}})")),
                     2, "pattern at '/properties/a'");
  ExpectOneLineError(Kolibri("schema check " + Write("empty.json", R"({"type":"array","minItems":3,"maxItems":1})")), 2,
                     "admits no value (minItems > maxItems)");
  ExpectOneLineError(Kolibri("schema check " + Write("type.json", R"({"type":"strin"})")), 2, "unknown type 'strin'");
  const std::string schema = Write("order.json", kOrderSchema);
  ExpectOneLineError(Kolibri("schema validate " + schema + " " + Write("inst.json", "[1,")), 2, "not valid JSON");
  ExpectOneLineError(Kolibri("schema frobnicate"), 2, "subcommand");
}

TEST(SchemaCommandTest, EnormousSchemaFailsFastWithResourceError) {
  // 400 nested levels: beyond the converter's nesting limit.
  std::string deep;
  for (int i = 0; i < 400; ++i) deep += R"({"type":"array","items":)";
  deep += "true";
  for (int i = 0; i < 400; ++i) deep += "}";
  const auto t0 = std::chrono::steady_clock::now();
  ExpectOneLineError(Kolibri("schema check " + Write("deep.json", deep)), 5, "nested deeper than");
  // A chain of expanded repetitions blows the expression limit.
  std::string wide = R"({"type":"object","properties":{)";
  for (int i = 0; i < 3000; ++i) {
    wide += (i ? "," : "") + std::string("\"p") + std::to_string(i) +
            R"(":{"type":"array","minItems":30,"maxItems":32,"items":{"type":"string","minLength":30,"maxLength":32,"pattern":"^(a|b|c|d){1,30}$"}})";
  }
  wide += "}}";
  RunResult r = Kolibri("schema check " + Write("wide.json", wide));
  EXPECT_FALSE(r.signalled);
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 5) << r.err;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 60.0);
}

}  // namespace
}  // namespace kolibri
