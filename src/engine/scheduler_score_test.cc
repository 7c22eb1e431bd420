// Scheduler::SubmitScore with a random-weight model: branch passes must give the same
// log-probabilities as scoring each token from a prompt's own last logits, whatever the
// pass split, alongside generation requests on the same context.
#include <gtest/gtest.h>

#include <cmath>
#include <future>
#include <string>
#include <vector>

#include "kolibri/scheduler.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

std::shared_ptr<Model> Tiny() { return testing::SharedTestModel("tiny"); }

std::vector<int32_t> Tok(const std::string& text) {
  TokenizeOptions o;
  o.add_special = false;
  auto t = Tiny()->Tokenize(text, o);
  EXPECT_TRUE(t.ok());
  return *t;
}

std::vector<std::vector<int32_t>> Labels() {
  std::vector<std::vector<int32_t>> out;
  for (const char* l : {"card_arrival", "card_linking", "card_payment_fee_charged", "cash_withdrawal_charge",
                        "balance_not_updated_after_bank_transfer", "billing", "bill", "exchange_rate"}) {
    auto t = Tok(l);
    t.push_back(Tiny()->eos_token());
    out.push_back(t);
  }
  return out;
}

// Reference: each token scored as the only continuation of prompt + the tokens before it.
std::vector<float> Reference(Scheduler& s, const std::vector<int32_t>& prompt, const std::vector<int32_t>& cont) {
  std::vector<float> out;
  std::vector<int32_t> p = prompt;
  for (int32_t t : cont) {
    ScoreRequest r;
    r.prompt = p;
    r.continuations = {{t}};
    auto res = s.Score(r);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->passes, 0);
    out.push_back(res->token_logprobs[0][0]);
    p.push_back(t);
  }
  return out;
}

TEST(SchedulerScoreTest, BranchPassesMatchPerTokenScoring) {
  ASSERT_NE(Tiny(), nullptr);
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 2048, .parallel = 2, .threads = 1, .score_branches = 3});
  ASSERT_TRUE(s.ok());
  auto prompt = Tok("Which intent is this: my card has not arrived yet?");
  ScoreRequest req;
  req.prompt = prompt;
  req.continuations = Labels();
  auto full = (*s)->Score(req);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_GE(full->passes, 3);  // 8 branches, 3 per pass
  double sum = 0;
  for (float x : full->restricted_logprob) sum += std::exp(x);
  EXPECT_NEAR(sum, 1.0, 1e-4);
  for (size_t c = 0; c < req.continuations.size(); ++c) {
    auto ref = Reference(**s, prompt, req.continuations[c]);
    ASSERT_EQ(ref.size(), full->token_logprobs[c].size());
    for (size_t k = 0; k < ref.size(); ++k) EXPECT_NEAR(full->token_logprobs[c][k], ref[k], 2e-2) << c << " " << k;
  }
  // Skipping forced tokens changes nothing restricted, and decodes fewer tokens.
  req.skip_unbranched = true;
  auto fast = (*s)->Score(req);
  ASSERT_TRUE(fast.ok());
  EXPECT_LT(fast->branch_tokens, full->branch_tokens);
  EXPECT_GT(fast->cached_prompt_tokens, 0);  // the prompt came from the prefix cache
  for (size_t c = 0; c < req.continuations.size(); ++c) {
    EXPECT_NEAR(fast->restricted_logprob[c], full->restricted_logprob[c], 2e-2) << c;
  }
}

TEST(SchedulerScoreTest, ComposesWithGenerationOnTheSameContext) {
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 2048, .parallel = 4, .threads = 1});
  ASSERT_TRUE(s.ok());
  std::vector<std::promise<CompletionResult>> gen(2);
  for (auto& g : gen) {
    CompletionRequest req;
    req.prompt = Tok("Once upon a time");
    req.max_tokens = 24;
    req.ignore_eos = true;
    ASSERT_TRUE((*s)->Submit(req, nullptr, [&g](const CompletionResult& r) { g.set_value(r); }).ok());
  }
  std::vector<std::promise<ScoreResult>> sc(3);
  for (size_t i = 0; i < sc.size(); ++i) {
    ScoreRequest req;
    req.prompt = Tok("Route this mail number " + std::to_string(i));
    req.continuations = Labels();
    auto& p = sc[i];
    ASSERT_TRUE((*s)->SubmitScore(req, [&p](const ScoreResult& r) { p.set_value(r); }).ok());
  }
  for (auto& g : gen) EXPECT_EQ(g.get_future().get().completion_tokens, 24);
  for (auto& p : sc) {
    ScoreResult r = p.get_future().get();
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(r.logprob.size(), 8u);
    for (float x : r.logprob) EXPECT_TRUE(std::isfinite(x) && x < 0);
  }
  EXPECT_EQ((*s)->Stats().running, 0);
}

TEST(SchedulerScoreTest, RejectsBadRequests) {
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 256, .parallel = 1, .threads = 1});
  ASSERT_TRUE(s.ok());
  ScoreRequest req;
  req.prompt = Tok("hello");
  EXPECT_EQ((*s)->Score(req).status().code(), ErrorCode::kInvalidArgument);  // no continuations
  req.continuations = {{}};
  EXPECT_EQ((*s)->Score(req).status().code(), ErrorCode::kInvalidArgument);
  req.continuations = {{Tiny()->vocab_size()}};
  EXPECT_EQ((*s)->Score(req).status().code(), ErrorCode::kInvalidArgument);
  req.continuations = {std::vector<int32_t>(300, 1)};
  EXPECT_EQ((*s)->Score(req).status().code(), ErrorCode::kOutOfRange);
  auto no_branches = Scheduler::Create(Tiny(), SchedulerOptions{.context = 256, .parallel = 1, .threads = 1, .score_branches = 0});
  ASSERT_TRUE(no_branches.ok());
  req.continuations = {{1, 2}, {3, 4}};
  EXPECT_EQ((*no_branches)->Score(req).status().code(), ErrorCode::kFailedPrecondition);
  req.continuations = {{1}, {3}};  // first tokens only: the prompt's logits suffice
  EXPECT_TRUE((*no_branches)->Score(req).ok());
}

}  // namespace
}  // namespace kolibri
