// Scheduler behaviour on the tiny generated model: limits, concurrency beyond `parallel`,
// prefix-cache reuse across sequences, eviction under a small KV budget, stop strings,
// cancellation and deadlines.
#include "kolibri/scheduler.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <vector>

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

std::vector<int32_t> Tokens(const std::string& text) {
  auto t = Tiny()->Tokenize(text, TokenizeOptions{});
  return t.ok() ? *t : std::vector<int32_t>{};
}

struct Outcome {
  CompletionResult result;
  std::string streamed;
  int events = 0;
};

// Submits and waits for completion.
Outcome RunOne(Scheduler& s, CompletionRequest req) {
  auto out = std::make_shared<Outcome>();
  std::promise<void> done;
  auto h = s.Submit(
      std::move(req), [out](const TokenEvent& e) { out->streamed += e.text; ++out->events; },
      [out, &done](const CompletionResult& r) {
        out->result = r;
        done.set_value();
      });
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  if (h.ok()) done.get_future().wait();
  return *out;
}

CompletionRequest Greedy(const std::string& prompt, int32_t max_tokens) {
  CompletionRequest r;
  r.prompt = Tokens(prompt);
  r.max_tokens = max_tokens;
  r.sampling.temperature = 0;
  r.ignore_eos = true;
  return r;
}

// Submits all requests at once and waits for every one of them.
std::vector<CompletionResult> RunAll(Scheduler& s, std::vector<CompletionRequest> requests) {
  std::mutex mu;
  std::condition_variable cv;
  size_t finished = 0;
  std::vector<CompletionResult> results(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    auto h = s.Submit(std::move(requests[i]), nullptr, [&, i](const CompletionResult& r) {
      std::lock_guard<std::mutex> lock(mu);
      results[i] = r;
      ++finished;
      cv.notify_all();
    });
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    if (!h.ok()) ++finished;
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return finished == results.size(); });
  return results;
}

std::string SystemPrompt(int task) {
  std::string s = "You are task " + std::to_string(task) + ". ";
  for (int i = 0; i < 40; ++i) s += "Rule " + std::to_string(i) + " for task " + std::to_string(task) + ". ";
  return s;
}

TEST(SchedulerTest, GeneratesExactlyMaxTokensAndStreamsTheText) {
  ASSERT_NE(Tiny(), nullptr);
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 1024, .parallel = 2});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Outcome o = RunOne(**s, Greedy("Hello there", 16));
  EXPECT_EQ(o.result.finish, FinishReason::kLength);
  EXPECT_EQ(o.result.completion_tokens, 16);
  EXPECT_EQ(o.result.prompt_tokens, 2);
  EXPECT_EQ(o.streamed, o.result.text);
  EXPECT_GE(o.result.time_to_first_token_ms, 0);
  EXPECT_GE(o.result.total_ms, o.result.time_to_first_token_ms);
}

TEST(SchedulerTest, RejectsBadRequestsAtSubmit) {
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 64, .parallel = 1});
  ASSERT_TRUE(s.ok());
  CompletionRequest empty;
  EXPECT_EQ((*s)->Submit(empty, nullptr, nullptr).status().code(), ErrorCode::kInvalidArgument);
  CompletionRequest zero = Greedy("hi", 0);
  EXPECT_EQ((*s)->Submit(zero, nullptr, nullptr).status().code(), ErrorCode::kInvalidArgument);
  CompletionRequest big;
  big.prompt.assign(1000, 1000);  // llama.cpp rounds the context up to 256 cells
  EXPECT_EQ((*s)->Submit(big, nullptr, nullptr).status().code(), ErrorCode::kOutOfRange);
  CompletionRequest bad_token = Greedy("hi", 4);
  bad_token.prompt.push_back(10'000'000);
  EXPECT_EQ((*s)->Submit(bad_token, nullptr, nullptr).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Scheduler::Create(Tiny(), SchedulerOptions{.context = 64, .parallel = 0}).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(SchedulerTest, FlashAttentionSettingIsChecked) {
  EXPECT_EQ(Scheduler::Create(Tiny(), SchedulerOptions{.context = 64, .parallel = 1, .flash_attn = "sometimes"})
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
  auto quantized_off =
      Scheduler::Create(Tiny(), SchedulerOptions{.context = 64, .parallel = 1, .kv_cache_type = "q8_0", .flash_attn = "off"});
  ASSERT_FALSE(quantized_off.ok());
  EXPECT_NE(quantized_off.status().message().find("needs flash attention"), std::string::npos);
  for (const char* fa : {"auto", "on", "off"}) {  // each decodes the same way
    auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 256, .parallel = 1, .flash_attn = fa});
    ASSERT_TRUE(s.ok()) << fa << ": " << s.status().ToString();
    Outcome o = RunOne(**s, Greedy("Hello there", 4));
    EXPECT_EQ(o.result.completion_tokens, 4) << fa;
  }
}

TEST(SchedulerTest, ManyConcurrentRequestsBeyondParallelAllFinish) {
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 2048, .parallel = 4});
  ASSERT_TRUE(s.ok());
  constexpr int kRequests = 12;
  std::vector<CompletionRequest> requests;
  for (int i = 0; i < kRequests; ++i) requests.push_back(Greedy("Request number " + std::to_string(i), 8 + i));
  std::vector<CompletionResult> results = RunAll(**s, std::move(requests));
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_EQ(results[static_cast<size_t>(i)].finish, FinishReason::kLength) << i;
    EXPECT_EQ(results[static_cast<size_t>(i)].completion_tokens, 8 + i) << i;
  }
  SchedulerStats st = (*s)->Stats();
  EXPECT_EQ(st.requests_done, static_cast<uint64_t>(kRequests));
  EXPECT_EQ(st.running, 0);
  EXPECT_LE(st.kv_used, st.kv_total);
}

TEST(SchedulerTest, SharedSystemPromptsAreComputedOnceForAllSequences) {
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 4096, .parallel = 2});
  ASSERT_TRUE(s.ok());
  const std::string sys_a = SystemPrompt(1), sys_b = SystemPrompt(2);
  const int32_t n_sys_a = static_cast<int32_t>(Tokens(sys_a).size());
  Outcome first = RunOne(**s, Greedy(sys_a + "User: hello", 4));
  EXPECT_EQ(first.result.cached_prompt_tokens, 0);
  Outcome other_task = RunOne(**s, Greedy(sys_b + "User: hello", 4));
  EXPECT_LT(other_task.result.cached_prompt_tokens, 10) << "different system prompts share little";
  // Task A's system prompt survived task B in between, whichever sequence computed it.
  Outcome again = RunOne(**s, Greedy(sys_a + "User: something else entirely", 4));
  EXPECT_GE(again.result.cached_prompt_tokens, n_sys_a - 2);
  EXPECT_LT(again.result.cached_prompt_tokens, again.result.prompt_tokens);
  // The identical prompt is served from the cache except its last token.
  Outcome same = RunOne(**s, Greedy(sys_b + "User: hello", 4));
  EXPECT_EQ(same.result.cached_prompt_tokens, same.result.prompt_tokens - 1);
  SchedulerStats st = (*s)->Stats();
  EXPECT_GT(st.prompt_tokens_cached, 0u);
}

// A short uncached tail after a deep cached prefix starts from the whole cached prefix,
// with flash attention on or off: Kolibri's patched llama.cpp tiles 2..63 query rows
// (patches/llama.cpp/0001-*), so nothing is gained by recomputing cached tokens.
TEST(SchedulerTest, ShortTailAfterDeepPrefixUsesTheWholeCachedPrefix) {
  const std::string sys = SystemPrompt(3) + SystemPrompt(4);
  const int32_t n_sys = static_cast<int32_t>(Tokens(sys).size());
  std::string user = "User:";
  int32_t tail = 0;
  for (int i = 0; tail < 50; ++i) {
    user += " w" + std::to_string(i);
    tail = static_cast<int32_t>(Tokens(sys + user).size()) - n_sys;
  }
  ASSERT_LT(tail, 64);
  ASSERT_GE(n_sys, 300) << "the test needs a deep prefix";
  for (const char* fa : {"auto", "off"}) {
    auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 4096, .parallel = 1, .flash_attn = fa});
    ASSERT_TRUE(s.ok());
    Outcome first = RunOne(**s, Greedy(sys + "User: hello", 2));
    ASSERT_EQ(first.result.finish, FinishReason::kLength);
    Outcome second = RunOne(**s, Greedy(sys + user, 2));
    EXPECT_GE(second.result.cached_prompt_tokens, n_sys - 2) << fa;
    EXPECT_EQ(second.result.completion_tokens, 2);
  }
}

TEST(SchedulerTest, ConcurrentRequestsWithOneNewSystemPromptComputeItOnce) {
  // Four requests arrive together with a system prompt nobody has cached yet: one computes
  // it, the others wait for it to land in the prefix cache instead of computing it too.
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 4096, .parallel = 4});
  ASSERT_TRUE(s.ok());
  const std::string sys = SystemPrompt(7);
  const int32_t n_sys = static_cast<int32_t>(Tokens(sys).size());
  std::vector<CompletionRequest> requests;
  for (int i = 0; i < 4; ++i) requests.push_back(Greedy(sys + "User: question " + std::to_string(i), 4));
  std::vector<CompletionResult> results = RunAll(**s, std::move(requests));
  int computed_whole = 0;
  for (const auto& r : results) {
    EXPECT_EQ(r.finish, FinishReason::kLength) << r.status.ToString();
    if (r.cached_prompt_tokens < n_sys - 2) ++computed_whole;
  }
  EXPECT_EQ(computed_whole, 1) << "the shared system prompt was computed more than once";
}

TEST(SchedulerTest, SmallKvBudgetEvictsOldPrefixesAndKeepsServing) {
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 512, .parallel = 2});
  ASSERT_TRUE(s.ok());
  for (int round = 0; round < 3; ++round) {
    for (int task = 0; task < 6; ++task) {  // 6 × ~300-token prompts do not fit 512 cells
      Outcome o = RunOne(**s, Greedy(SystemPrompt(task) + "Go", 8));
      EXPECT_EQ(o.result.finish, FinishReason::kLength) << o.result.status.ToString();
      SchedulerStats st = (*s)->Stats();
      EXPECT_LE(st.kv_used, st.kv_total);
    }
  }
}

TEST(SchedulerTest, StopStringsEndTheOutputBeforeThem) {
  SchedulerOptions o{.context = 1024, .parallel = 1};
  o.prefix_cache = false;  // identical computation for both runs
  auto s = Scheduler::Create(Tiny(), o);
  ASSERT_TRUE(s.ok());
  Outcome full = RunOne(**s, Greedy("Once upon a time", 24));
  ASSERT_GT(full.result.text.size(), 12u);
  // A stop string taken from the middle of what greedy decoding produces.
  std::string stop = full.result.text.substr(full.result.text.size() / 2, 3);
  size_t at = full.result.text.find(stop);
  CompletionRequest req = Greedy("Once upon a time", 24);
  req.stop = {stop};
  Outcome cut = RunOne(**s, req);
  EXPECT_EQ(cut.result.finish, FinishReason::kStop);
  EXPECT_EQ(cut.result.text, full.result.text.substr(0, at));
  EXPECT_EQ(cut.streamed, cut.result.text);
}

TEST(SchedulerTest, CancelAndDeadlineFinishEarly) {
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 4096, .parallel = 1});
  ASSERT_TRUE(s.ok());
  std::promise<CompletionResult> done;
  std::shared_ptr<RequestHandle> handle;
  std::atomic<int> tokens{0};
  auto h = (*s)->Submit(
      Greedy("Count forever", 3000),
      [&](const TokenEvent&) {
        if (++tokens == 5) handle->Cancel();
      },
      [&](const CompletionResult& r) { done.set_value(r); });
  ASSERT_TRUE(h.ok());
  handle = *h;
  CompletionResult r = done.get_future().get();
  EXPECT_EQ(r.finish, FinishReason::kCancelled);
  EXPECT_LT(r.completion_tokens, 100);

  CompletionRequest late = Greedy("Too late", 50);
  late.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  Outcome o = RunOne(**s, late);
  EXPECT_EQ(o.result.finish, FinishReason::kDeadline);
  EXPECT_EQ(o.result.completion_tokens, 0);
}

TEST(SchedulerTest, LogprobsAreNormalisedAndTopAlternativesSorted) {
  auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 1024, .parallel = 1});
  ASSERT_TRUE(s.ok());
  CompletionRequest req = Greedy("Hello", 4);
  req.top_logprobs = 3;
  std::vector<TokenEvent> events;
  std::promise<void> done;
  auto h = (*s)->Submit(req, [&](const TokenEvent& e) { if (e.token >= 0) events.push_back(e); },
                        [&](const CompletionResult&) { done.set_value(); });
  ASSERT_TRUE(h.ok());
  done.get_future().wait();
  ASSERT_EQ(events.size(), 4u);
  for (const auto& e : events) {
    EXPECT_LE(e.logprob, 0.0f);
    ASSERT_EQ(e.top.size(), 3u);
    EXPECT_EQ(e.top[0].token, e.token) << "greedy picks the most likely token";
    EXPECT_NEAR(e.top[0].logprob, e.logprob, 1e-4);
    EXPECT_GE(e.top[0].logprob, e.top[1].logprob);
    EXPECT_GE(e.top[1].logprob, e.top[2].logprob);
  }
}

TEST(SchedulerTest, ShutdownCancelsWhatIsStillRunning) {
  std::promise<CompletionResult> done;
  {
    auto s = Scheduler::Create(Tiny(), SchedulerOptions{.context = 8192, .parallel = 1});
    ASSERT_TRUE(s.ok());
    auto h = (*s)->Submit(Greedy("Long story", 5000), nullptr,
                          [&](const CompletionResult& r) { done.set_value(r); });
    ASSERT_TRUE(h.ok());
  }
  EXPECT_EQ(done.get_future().get().finish, FinishReason::kCancelled);
}

}  // namespace
}  // namespace kolibri
