// Data-driven cases (testdata/cases/*.json, in the JSON-Schema-Test-Suite format plus an
// "errors" list per invalid instance: instance "pointer", "keyword", and optionally the exact
// "message" and "schema_pointer"), and the API's contract: compile errors, limits, options.
#include "kolibri/json_schema_validator.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace kolibri {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path CasesDir() {
  const char* source = std::getenv("KOLIBRI_SOURCE_DIR");
  return fs::path(source != nullptr ? source : ".") / "src/schema/testdata/cases";
}


class ValidatorCases : public testing::TestWithParam<std::string> {};

TEST_P(ValidatorCases, MatchExpectedVerdictsAndErrors) {
  std::ifstream in(CasesDir() / GetParam());
  ASSERT_TRUE(in) << "cannot open " << CasesDir() / GetParam();
  const json groups = json::parse(in);
  for (const json& group : groups) {
    const std::string group_name = group["description"].get<std::string>();
    Result<JsonSchemaValidator> validator = JsonSchemaValidator::Compile(group["schema"]);
    ASSERT_TRUE(validator.ok()) << group_name << ": " << validator.status().ToString();
    for (const json& test : group["tests"]) {
      const std::string name = group_name + " / " + test["description"].get<std::string>();
      const bool expected = test["valid"].get<bool>();
      EXPECT_EQ(validator->IsValid(test["data"]), expected) << name;
      std::vector<ValidationError> errors = validator->Validate(test["data"]);
      EXPECT_EQ(errors.empty(), expected) << name << (errors.empty() ? "" : ": " + errors.front().ToString());
      if (!test.contains("errors")) continue;
      const json& want = test["errors"];
      ASSERT_EQ(errors.size(), want.size()) << name << (errors.empty() ? "" : ": first is " + errors.front().ToString());
      for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(errors[i].instance_pointer, want[i]["pointer"].get<std::string>()) << name;
        EXPECT_EQ(errors[i].keyword, want[i]["keyword"].get<std::string>()) << name;
        if (want[i].contains("message")) {
          EXPECT_EQ(errors[i].message, want[i]["message"].get<std::string>()) << name;
        }
        if (want[i].contains("schema_pointer")) {
          EXPECT_EQ(errors[i].schema_pointer, want[i]["schema_pointer"].get<std::string>()) << name;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Files, ValidatorCases,
                         testing::Values("applicators.json", "arrays.json", "formats.json", "objects.json",
                                         "refs.json", "scalars.json"),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param.substr(0, info.param.find('.'));
                         });

TEST(JsonSchemaValidator, EveryCaseFileIsListed) {
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(CasesDir())) files += entry.path().extension() == ".json";
  EXPECT_EQ(files, 6u) << "add new files in " << CasesDir() << " to INSTANTIATE_TEST_SUITE_P";
}

TEST(JsonSchemaValidator, UnresolvableRefNamesTheRefAndItsPointer) {
  Result<JsonSchemaValidator> v =
      JsonSchemaValidator::Compile(json::parse(R"({"properties": {"a": {"$ref": "#/$defs/missing"}}})"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(v.status().message().find("#/$defs/missing"), std::string::npos) << v.status().message();
  EXPECT_NE(v.status().message().find("/properties/a/$ref"), std::string::npos) << v.status().message();

  Result<JsonSchemaValidator> anchor = JsonSchemaValidator::Compile(json::parse(R"({"$ref": "#nowhere"})"));
  ASSERT_FALSE(anchor.ok());
  EXPECT_NE(anchor.status().message().find("no anchor 'nowhere'"), std::string::npos) << anchor.status().message();
}

TEST(JsonSchemaValidator, RemoteRefIsUnsupportedUnlessPreloaded) {
  const json schema = json::parse(R"({"properties": {"n": {"$ref": "http://localhost:1234/integer.json"}}})");
  Result<JsonSchemaValidator> remote = JsonSchemaValidator::Compile(schema);
  ASSERT_FALSE(remote.ok());
  EXPECT_EQ(remote.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(remote.status().message().find("ValidatorOptions::documents"), std::string::npos);

  ValidatorOptions options;
  options.documents["http://localhost:1234/integer.json"] = json::parse(R"({"type": "integer"})");
  Result<JsonSchemaValidator> preloaded = JsonSchemaValidator::Compile(schema, options);
  ASSERT_TRUE(preloaded.ok()) << preloaded.status().ToString();
  EXPECT_TRUE(preloaded->IsValid(json::parse(R"({"n": 1})")));
  std::vector<ValidationError> errors = preloaded->Validate(json::parse(R"({"n": "x"})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].schema_pointer, "http://localhost:1234/integer.json#/type");
}

TEST(JsonSchemaValidator, BadPatternsAreCompileErrorsNamingThePointer) {
  for (const char* text : {R"({"properties": {"a": {"pattern": "(unclosed"}}})",
                           R"({"patternProperties": {"\\p{L}": true}})",
                           R"({"pattern": "(?<=a)b"})"}) {
    Result<JsonSchemaValidator> v = JsonSchemaValidator::Compile(json::parse(text));
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.status().code(), ErrorCode::kInvalidArgument) << text;
    EXPECT_NE(v.status().message().find("pattern"), std::string::npos) << v.status().message();
  }
}

TEST(JsonSchemaValidator, MalformedKeywordsAreCompileErrors) {
  for (const char* text : {R"({"minLength": "3"})", R"({"multipleOf": 0})", R"({"type": "strng"})",
                           R"({"required": "id"})", R"({"anyOf": []})", R"({"properties": {"a": 3}})",
                           R"({"$schema": "http://json-schema.org/draft-03/schema#"})", R"(3)"}) {
    Result<JsonSchemaValidator> v = JsonSchemaValidator::Compile(json::parse(text));
    EXPECT_FALSE(v.ok()) << text;
  }
  Result<JsonSchemaValidator> v = JsonSchemaValidator::Compile(json::parse(R"({"items": {"maxItems": -1}})"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("'maxItems' at /items"), std::string::npos) << v.status().message();
}

TEST(JsonSchemaValidator, MaxErrorsBoundsTheReport) {
  const json schema = json::parse(R"({"items": {"type": "string"}})");
  const json instance = json::parse("[1, 2, 3, 4, 5]");
  ValidatorOptions options;
  options.max_errors = 2;
  EXPECT_EQ(JsonSchemaValidator::Compile(schema, options)->Validate(instance).size(), 2u);
  options.max_errors = 0;
  EXPECT_EQ(JsonSchemaValidator::Compile(schema, options)->Validate(instance).size(), 5u);
}

TEST(JsonSchemaValidator, LongStringsAreReportedNotMatched) {
  ValidatorOptions options;
  options.max_pattern_subject_length = 8;
  Result<JsonSchemaValidator> v = JsonSchemaValidator::Compile(json::parse(R"({"pattern": "a"})"), options);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->IsValid("aaaaaaaa"));
  std::vector<ValidationError> errors = v->Validate("aaaaaaaaa");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("too long to check"), std::string::npos) << errors[0].message;
}

TEST(JsonSchemaValidator, DefaultPatternLimitSurvivesBacktracking) {
  Result<JsonSchemaValidator> v = JsonSchemaValidator::Compile(json::parse(R"({"pattern": "^(a|b)*$"})"));
  ASSERT_TRUE(v.ok());
  const size_t limit = ValidatorOptions().max_pattern_subject_length;
  EXPECT_TRUE(v->IsValid(std::string(limit, 'a')));
  EXPECT_FALSE(v->IsValid(std::string(limit - 1, 'a') + "c"));
  EXPECT_FALSE(v->IsValid(std::string(limit + 1, 'a')));
}

TEST(JsonSchemaValidator, FormatsCanBeAnnotationsOnly) {
  ValidatorOptions options;
  options.validate_formats = false;
  Result<JsonSchemaValidator> v = JsonSchemaValidator::Compile(json::parse(R"({"format": "date"})"), options);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->IsValid("not a date"));
}

TEST(JsonSchemaValidator, DraftComesFromSchemaOrOptions) {
  EXPECT_EQ(JsonSchemaValidator::Compile(json::object())->draft(), Draft::k2020_12);
  ValidatorOptions options;
  options.default_draft = Draft::k6;
  EXPECT_EQ(JsonSchemaValidator::Compile(json::object(), options)->draft(), Draft::k6);
  EXPECT_EQ(JsonSchemaValidator::Compile(json{{"$schema", "http://json-schema.org/draft-04/schema#"}})->draft(),
            Draft::k4);
  EXPECT_EQ(DraftFromSchemaUri("https://json-schema.org/draft/2019-09/schema"), Draft::k2019_09);
  EXPECT_EQ(DraftFromSchemaUri("https://example.com/my-meta"), std::nullopt);
}

TEST(JsonSchemaValidator, InfiniteRecursionIsAnErrorNotACrash) {
  Result<JsonSchemaValidator> v = JsonSchemaValidator::Compile(json::parse(R"({"$ref": "#"})"));
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->IsValid(1));
  ASSERT_FALSE(v->Validate(1).empty());
}

TEST(JsonSchemaValidator, ErrorToStringShowsTheRootAsSlash) {
  ValidationError error{"", "/type", "type", "expected string, got integer"};
  EXPECT_EQ(error.ToString(), "/: expected string, got integer");
  error.instance_pointer = "/a/0";
  EXPECT_EQ(error.ToString(), "/a/0: expected string, got integer");
}

TEST(IsValidatorKeyword, FollowsTheDraft) {
  EXPECT_TRUE(IsValidatorKeyword("uniqueItems", Draft::k4));
  EXPECT_TRUE(IsValidatorKeyword("unevaluatedProperties", Draft::k2020_12));
  EXPECT_FALSE(IsValidatorKeyword("unevaluatedProperties", Draft::k7));
  EXPECT_TRUE(IsValidatorKeyword("prefixItems", Draft::k2020_12));
  EXPECT_FALSE(IsValidatorKeyword("prefixItems", Draft::k2019_09));
  EXPECT_FALSE(IsValidatorKeyword("if", Draft::k6));
  EXPECT_TRUE(IsValidatorKeyword("if", Draft::k7));
  EXPECT_FALSE(IsValidatorKeyword("title", Draft::k2020_12));
  EXPECT_FALSE(IsValidatorKeyword("x-custom", Draft::k2020_12));
  EXPECT_TRUE(IsValidatorFormat("date-time"));
  EXPECT_FALSE(IsValidatorFormat("currency"));
}

}  // namespace
}  // namespace kolibri
