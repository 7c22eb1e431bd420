// Test support: a Scheduler that "generates" without a model context, so the HTTP API can
// be tested before and independently of the real scheduler. Each request gets a thread
// that emits max_tokens tokens (" w0", " w1", …) `token_delay` apart, honours Cancel and
// reports what it was asked. With `scripted` set, the n-th submission emits scripted[n]
// (the last one once they run out) as a single token and stops.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kolibri/scheduler.h"

namespace kolibri::server {

class FakeScheduler final : public Scheduler {
 public:
  FakeScheduler(std::shared_ptr<Model> model, SchedulerOptions options)
      : model_(std::move(model)), options_(options) {}
  ~FakeScheduler() override {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

  std::chrono::milliseconds token_delay{2};
  std::atomic<bool> refuse_with_queue_full{false};
  std::atomic<int> cancelled{0};
  std::atomic<int> submitted{0};
  std::vector<std::string> scripted;  // set before the first Submit

  CompletionRequest last_request() {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_;
  }

  Result<std::shared_ptr<RequestHandle>> Submit(CompletionRequest request, TokenCallback on_token,
                                                DoneCallback on_done) override {
    if (request.prompt.empty()) return Status::InvalidArgument("empty prompt");
    if (static_cast<int64_t>(request.prompt.size()) + 1 > options_.context) {
      return Status::OutOfRange("prompt does not fit the context");
    }
    if (refuse_with_queue_full) return Status::ResourceExhausted("queue full");
    const int n = submitted++;
    std::string script;
    if (!scripted.empty()) script = scripted[std::min<size_t>(static_cast<size_t>(n), scripted.size() - 1)];
    auto handle = std::make_shared<Handle>();
    std::lock_guard<std::mutex> lock(mutex_);
    last_ = request;
    threads_.emplace_back([this, handle, script, request = std::move(request), on_token = std::move(on_token),
                           on_done = std::move(on_done)] {
      auto start = std::chrono::steady_clock::now();
      CompletionResult result;
      result.prompt_tokens = static_cast<int32_t>(request.prompt.size());
      result.cached_prompt_tokens = result.prompt_tokens / 2;
      result.finish = FinishReason::kLength;
      if (!script.empty()) {
        TokenEvent e;
        e.text = script;
        result.text = script;
        result.completion_tokens = 1;
        result.finish = FinishReason::kStop;
        on_token(e);
        on_done(result);
        return;
      }
      for (int32_t i = 0; i < request.max_tokens; ++i) {
        std::this_thread::sleep_for(token_delay);
        if (handle->cancelled) {
          result.finish = FinishReason::kCancelled;
          ++cancelled;
          break;
        }
        if (request.deadline && std::chrono::steady_clock::now() > *request.deadline) {
          result.finish = FinishReason::kDeadline;
          break;
        }
        TokenEvent e;
        e.token = request.prompt[static_cast<size_t>(i) % request.prompt.size()];
        e.text = " w" + std::to_string(i);
        e.logprob = -0.5f;
        for (int32_t k = 0; k < request.top_logprobs; ++k) e.top.push_back({e.token, "alt", -0.5f - k});
        result.text += e.text;
        ++result.completion_tokens;
        if (i == 0) result.time_to_first_token_ms = Ms(start);
        on_token(e);
      }
      result.total_ms = Ms(start);
      on_done(result);
    });
    return std::shared_ptr<RequestHandle>(handle);
  }
  SchedulerStats Stats() const override { return SchedulerStats{}; }
  const Model& model() const override { return *model_; }
  const SchedulerOptions& options() const override { return options_; }

 private:
  struct Handle final : RequestHandle {
    std::atomic<bool> cancelled{false};
    void Cancel() override { cancelled = true; }
  };
  static double Ms(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
  std::shared_ptr<Model> model_;
  SchedulerOptions options_;
  std::mutex mutex_;
  CompletionRequest last_;
  std::vector<std::thread> threads_;
};

}  // namespace kolibri::server
