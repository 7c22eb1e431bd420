// Constrained decoding through the scheduler with a random-weight model: every output
// must be valid however noisy the model, forced text is jumped over, and a token budget
// still ends in a complete match.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <future>
#include <set>
#include <string>

#include "kolibri/grammar/compiled_grammar.h"
#include "kolibri/grammar/constraints.h"
#include "kolibri/grammar/json_schema_converter.h"
#include "kolibri/scheduler.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

std::shared_ptr<Model> Tiny() {
  static std::shared_ptr<Model> model = [] {
    auto m = Model::Load(testing::TestModelPath("tiny"), ModelOptions{});
    return m.ok() ? *m : nullptr;
  }();
  return model;
}

std::shared_ptr<const grammar::CompiledGrammar> Compile(const std::string& schema,
                                                       const std::string& evidence = "") {
  grammar::SchemaCompileOptions o;
  o.evidence_text = evidence;
  auto g = grammar::JsonSchemaToGrammar(schema, o);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  auto c = grammar::CompileGrammar(g->grammar, Tiny()->GrammarVocabulary());
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

CompletionResult RunReq(Scheduler& s, CompletionRequest req) {
  std::promise<CompletionResult> done;
  auto h = s.Submit(std::move(req), nullptr, [&](const CompletionResult& r) { done.set_value(r); });
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return done.get_future().get();
}

const char* kTicket = R"({
  "type": "object",
  "properties": {
    "category": {"enum": ["billing", "technical", "account", "shipping"]},
    "priority": {"enum": ["low", "normal", "high", "urgent"]},
    "order_id": {"type": ["string", "null"], "pattern": "^[A-Z]{2}-[0-9]{4}$"},
    "items": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 99}, "maxItems": 3},
    "refund": {"type": "boolean"}
  },
  "required": ["category", "priority", "order_id", "items", "refund"],
  "additionalProperties": false
})";

void ExpectValidTicket(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << text;
  ASSERT_TRUE(j.is_object()) << text;
  EXPECT_EQ(j.size(), 5u) << text;
  static const std::set<std::string> cats{"billing", "technical", "account", "shipping"};
  static const std::set<std::string> pris{"low", "normal", "high", "urgent"};
  EXPECT_TRUE(cats.count(j["category"].get<std::string>())) << text;
  EXPECT_TRUE(pris.count(j["priority"].get<std::string>())) << text;
  if (!j["order_id"].is_null()) {
    std::string id = j["order_id"];
    ASSERT_EQ(id.size(), 7u) << text;
    EXPECT_TRUE(std::isupper(id[0]) && std::isupper(id[1]) && id[2] == '-') << text;
  }
  ASSERT_TRUE(j["items"].is_array()) << text;
  EXPECT_LE(j["items"].size(), 3u) << text;
  for (const auto& x : j["items"]) EXPECT_TRUE(x.is_number_integer() && x >= 1 && x <= 99) << text;
  EXPECT_TRUE(j["refund"].is_boolean()) << text;
}

TEST(ConstrainedTest, EverySampledOutputMatchesTheSchema) {
  ASSERT_NE(Tiny(), nullptr);
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 4096, .parallel = 4});
  ASSERT_TRUE(s.ok());
  auto g = Compile(kTicket);
  auto prompt = Tiny()->Tokenize("Classify this mail: my invoice is wrong", TokenizeOptions{});
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    CompletionRequest req;
    req.prompt = *prompt;
    req.max_tokens = 200;
    req.sampling.temperature = 1.5f;
    req.sampling.top_k = 0;
    req.sampling.top_p = 1;
    req.sampling.min_p = 0;
    req.sampling.seed = seed;
    req.grammar = g;
    CompletionResult r = RunReq(**s, req);
    EXPECT_EQ(r.finish, FinishReason::kStop) << r.status.ToString() << " " << r.text;
    EXPECT_TRUE(r.grammar_complete);
    ExpectValidTicket(r.text);
  }
}

TEST(ConstrainedTest, JumpForwardAppendsForcedTokens) {
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 4096, .parallel = 1});
  ASSERT_TRUE(s.ok());
  auto g = Compile(kTicket);
  CompletionRequest req;
  req.prompt = *Tiny()->Tokenize("Ticket:", TokenizeOptions{});
  req.max_tokens = 200;
  req.sampling.temperature = 0;
  req.grammar = g;
  CompletionResult with = RunReq(**s, req);
  req.jump_forward = false;
  CompletionResult without = RunReq(**s, req);
  ExpectValidTicket(with.text);
  ExpectValidTicket(without.text);
  EXPECT_GT(with.forced_tokens, 5) << with.text;
  EXPECT_EQ(without.forced_tokens, 0);
  EXPECT_GT(with.masks, 0);
}

TEST(ConstrainedTest, TightBudgetStillEndsInACompleteMatch) {
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 4096, .parallel = 2});
  ASSERT_TRUE(s.ok());
  const char* schema = R"({"type":"object","properties":{"summary":{"type":"string"},
    "tags":{"type":"array","items":{"type":"string"}}},"required":["summary","tags"]})";
  auto g = Compile(schema);
  const int32_t min_bytes = g->MinBytesFromStart();
  ASSERT_EQ(min_bytes, 24);  // {"summary":"","tags":[]}
  {
    CompletionRequest req;
    req.prompt = *Tiny()->Tokenize("Summarise:", TokenizeOptions{});
    req.max_tokens = min_bytes - 1;
    req.grammar = g;
    auto h = (*s)->Submit(req, nullptr, nullptr);
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.status().code(), ErrorCode::kOutOfRange) << h.status().ToString();
    EXPECT_NE(h.status().message().find("at least 24 tokens"), std::string::npos) << h.status().ToString();
  }
  for (int32_t budget : {min_bytes, min_bytes + 4, 40, 64}) {
    for (uint32_t seed = 1; seed <= 5; ++seed) {
      CompletionRequest req;
      req.prompt = *Tiny()->Tokenize("Summarise:", TokenizeOptions{});
      req.max_tokens = budget;
      req.sampling.temperature = 1.2f;
      req.sampling.seed = seed;
      req.grammar = g;
      CompletionResult r = RunReq(**s, req);
      EXPECT_LE(r.completion_tokens, budget);
      EXPECT_TRUE(r.grammar_complete) << "budget " << budget << ": " << r.text;
      auto j = nlohmann::json::parse(r.text, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << "budget " << budget << ": " << r.text;
      EXPECT_TRUE(j.contains("summary") && j.contains("tags")) << r.text;
    }
  }
}

TEST(ConstrainedTest, EvidenceFieldsOnlyCopyTheInput) {
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 4096, .parallel = 4});
  ASSERT_TRUE(s.ok());
  const std::string mail = "Hello, my order AB-1234 never arrived. Regards, Jana Novak";
  auto g = Compile(R"({"type":"object","properties":{
      "order":{"type":"string","x-kolibri-evidence":true},
      "name":{"type":"string","x-kolibri-evidence":true}},
      "required":["order","name"],"additionalProperties":false})", mail);
  for (uint32_t seed = 1; seed <= 24; ++seed) {
    CompletionRequest req;
    req.prompt = *Tiny()->Tokenize(mail, TokenizeOptions{});
    req.max_tokens = 80;
    req.sampling.temperature = 1.5f;
    req.sampling.seed = seed;
    req.grammar = g;
    CompletionResult r = RunReq(**s, req);
    auto j = nlohmann::json::parse(r.text, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.text;
    EXPECT_NE(mail.find(j["order"].get<std::string>()), std::string::npos) << r.text;
    EXPECT_NE(mail.find(j["name"].get<std::string>()), std::string::npos) << r.text;
  }
}

TEST(ConstrainedTest, GrammarForAnotherVocabularyIsRejected) {
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 1024, .parallel = 1});
  ASSERT_TRUE(s.ok());
  grammar::Vocabulary v;
  v.token_bytes = {"a", "b"};
  v.special = {false, false};
  auto other = grammar::CompileGrammar(*grammar::LabelsToGrammar({"a"}), grammar::VocabularyIndex::Build(v));
  ASSERT_TRUE(other.ok());
  CompletionRequest req;
  req.prompt = {1, 2, 3};
  req.grammar = *other;
  EXPECT_EQ((*s)->Submit(req, nullptr, nullptr).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kolibri
