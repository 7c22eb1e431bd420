// The support-mail worker end to end with the tiny test model (its text is noise, so these
// tests check structure and guarantees, never quality): records valid against the schema,
// labels inside the label sets, extracted strings verbatim in the mail (hostile mails
// included), replies only from the library, resume after kill -9 with every message id
// exactly once, and the bad-input inbox reported and counted.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "kolibri/run_state.h"
#include "kolibri/tasks/task_runner.h"
#include "kolibri/worker/reply_library.h"
#include "kolibri/worker/run_worker.h"
#include "net/http_server.h"
#include "testing/cli_runner.h"
#include "testing/test_models.h"

namespace kolibri::worker {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
const fs::path kExample = KOLIBRI_SUPPORT_MAIL_DIR;

// Ten mails: the hostile ones and a few ordinary ones (one with an attachment).
const char* const kMails[] = {"045-ignore-instructions-salt.eml", "046-fake-system-entkalken.eml",
                              "047-html-comment-invoice.eml",    "048-weiss-auf-weiss.eml",
                              "049-chat-template-tokens.eml",    "050-bot-bestellnummer.eml",
                              "051-json-and-template-injection.eml", "053-fake-reply-quote.eml",
                              "001-wo-bleibt-bestellung.eml",    "003-paket-beschaedigt.eml"};

std::vector<json> ReadJsonl(const fs::path& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

class WorkerRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TestDataDir()) / ("worker_run_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "inbox");
    for (const char* m : kMails) {
      ASSERT_TRUE(fs::exists(kExample / "inbox" / m)) << m;
      fs::copy_file(kExample / "inbox" / m, dir_ / "inbox" / m);
    }
    model_ = testing::TestModelPath("tiny");
    ASSERT_FALSE(model_.empty());
    auto c = LoadWorkerFile((kExample / "worker.yaml").string());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    config_ = std::move(c).value();
  }
  void TearDown() override { fs::remove_all(dir_); }


 public:
  WorkerRunOptions Options(const std::string& name) const {
    WorkerRunOptions o;
    o.input = (dir_ / "inbox").string();
    o.results_path = (dir_ / (name + ".jsonl")).string();
    o.state_path = (dir_ / (name + ".state")).string();
    o.pipeline.model = model_;
    o.pipeline.review_db = (dir_ / (name + ".review")).string();
    o.pipeline.skip_tiers = {"upstream"};
    o.pipeline.threads = 1;
    o.pipeline.context = 2048;
    o.parallel = 2;
    return o;
  }
  std::string CliArgs(const std::string& name) const {
    const WorkerRunOptions o = Options(name);
    return (kExample / "worker.yaml").string() + " --input " + o.input + " --out " + o.results_path + " --state " +
           o.state_path + " --model " + model_ + " --review-db " + o.pipeline.review_db +
           " --skip-tier upstream -t 1 --ctx 2048 --parallel 2";
  }

  fs::path dir_;
  std::string model_;
  WorkerConfig config_;
};

TEST_F(WorkerRunTest, HostileMailsStayInsideLabelsSchemaAndEvidence) {
  std::map<std::string, std::string> body_of;
  auto items = ReadMailSource((dir_ / "inbox").string());
  ASSERT_TRUE(items.ok());
  for (const auto& m : *items) body_of[m.id] = m.body_text.substr(0, static_cast<size_t>(config_.max_body_chars));
  std::vector<MailResult> results;
  WorkerRunHooks hooks;
  hooks.on_result = [&](const MailResult& r) { results.push_back(r); };
  auto summary = RunWorker(config_, Options("hostile"), hooks);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->processed, 10);
  EXPECT_EQ(summary->failed, 0);
  ASSERT_EQ(results.size(), 10u);
  auto library = ReplyLibrary::Load(config_.replies_dir);
  ASSERT_TRUE(library.ok());
  int64_t evidence_violations = 0, valid = 0;
  for (const MailResult& r : results) {
    SCOPED_TRACE(r.source);
    valid += r.record_valid ? 1 : 0;
    EXPECT_TRUE(r.record_valid) << json(r.record_errors).dump();
    for (const StepOutcome& s : r.steps) {
      const tasks::TaskDefinition* task = *config_.tasks.Find(s.task);
      if (task->kind == tasks::TaskKind::kClassify) {
        bool known = false;
        for (const auto& l : task->labels) known |= l.name == s.label;
        EXPECT_TRUE(known) << s.id << ": '" << s.label << "' is no label of " << s.task;
      } else {
        ASSERT_TRUE(s.record.is_object()) << "an extract step always has a valid record (all null at worst)";
        auto errors = tasks::CheckExtractedRecord(*task, s.record, body_of[r.message_id]);
        ASSERT_TRUE(errors.ok());
        evidence_violations += static_cast<int64_t>(errors->size());
        for (const auto& [k, v] : s.record.items()) {
          if (v.is_string()) {
            EXPECT_NE(body_of[r.message_id].find(v.get<std::string>()), std::string::npos) << k << ": " << v;
          }
        }
      }
    }
    ASSERT_EQ(r.replies.size(), 1u);
    const ReplyOutcome& reply = r.replies[0];
    if (reply.id.empty()) {
      EXPECT_FALSE(reply.reason.empty());
      EXPECT_EQ(r.status, "review");
    } else {
      EXPECT_NE(library->Find(reply.id), nullptr) << reply.id;
      for (const auto& [k, v] : reply.facts.items()) {
        if (v.is_string()) {
          EXPECT_NE(body_of[r.message_id].find(v.get<std::string>()), std::string::npos) << k;
        }
      }
    }
  }
  EXPECT_EQ(valid, 10);
  EXPECT_EQ(evidence_violations, 0);
  // Every line of the results file is one of these mails, once.
  const auto lines = ReadJsonl(Options("hostile").results_path);
  std::set<std::string> ids;
  for (const auto& l : lines) EXPECT_TRUE(ids.insert(l["message_id"].get<std::string>()).second);
  EXPECT_EQ(ids.size(), 10u);
  // A rerun does nothing new.
  auto again = RunWorker(config_, Options("hostile"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->processed, 0);
  EXPECT_EQ(again->skipped, 10);
  EXPECT_EQ(ReadJsonl(Options("hostile").results_path).size(), 10u);
}

// Starts `kolibri run ARGS` (stdout to `out`, stderr to `err`) and returns its pid.
pid_t StartKolibri(const std::string& args, const std::string& out, const std::string& err) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string cmd = "exec " + testing::KolibriBinary() + " run " + args + " >" + out + " 2>" + err + " </dev/null";
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Interrupts a run with `sig` once its first result is written, then reruns it to the end:
// every message id is in the results file and in the state database exactly once, and what
// the interrupted run finished is not processed again.
void InterruptThenResume(const WorkerRunTest& t, const fs::path& dir, const std::string& name,
                         std::string args, int sig) {
  // Five of the mails keep it quick.
  const fs::path inbox = dir / (name + "-inbox");
  fs::create_directories(inbox);
  for (size_t i = 5; i < std::size(kMails); ++i) fs::copy_file(kExample / "inbox" / kMails[i], inbox / kMails[i]);
  args = std::regex_replace(args, std::regex("--input \\S+"), "--input " + inbox.string());
  constexpr size_t kCount = std::size(kMails) - 5;
  const WorkerRunOptions o = t.Options(name);
  const std::string out = (dir / (name + ".out")).string();
  const pid_t pid = StartKolibri(args + " --json", out, (dir / (name + ".err")).string());
  ASSERT_GT(pid, 0);
  int status = 0;
  bool exited = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline && ReadJsonl(o.results_path).empty()) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!exited) {
    ::kill(pid, sig);
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  }
  const size_t before = ReadJsonl(o.results_path).size();
  ASSERT_GE(before, 1u) << "the run wrote nothing before it was stopped";
  if (sig == SIGKILL && !exited) {
    EXPECT_TRUE(WIFSIGNALED(status));
  } else if (sig == SIGINT && WIFEXITED(status)) {
    // Ctrl-C: the mails in flight finish, the summary says so and the exit status is not 0.
    std::ifstream in(out);
    const json summary = json::parse(in, nullptr, false);
    ASSERT_FALSE(summary.is_discarded()) << "no JSON summary after SIGINT";
    EXPECT_EQ(summary["interrupted"].get<bool>(), WEXITSTATUS(status) != 0);
    EXPECT_EQ(summary["processed"].get<size_t>(), before) << "what it says it did is what it wrote";
  }
  testing::CliResult r = testing::RunKolibri("run " + args + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json summary = json::parse(r.out);
  EXPECT_EQ(summary["processed"].get<size_t>() + summary["skipped"].get<size_t>(), kCount) << r.out;
  EXPECT_EQ(summary["skipped"].get<size_t>(), before) << "what was done stays done, nothing twice";
  std::map<std::string, int> count;
  for (const auto& l : ReadJsonl(o.results_path)) ++count[l["message_id"].get<std::string>()];
  EXPECT_EQ(count.size(), kCount);
  for (const auto& [id, n] : count) EXPECT_EQ(n, 1) << id;
  auto state = RunState::Open(o.state_path);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  auto done = (*state)->Done();
  ASSERT_TRUE(done.ok());
  std::map<std::string, int> stored;
  for (const auto& d : *done) ++stored[d.id];
  EXPECT_EQ(stored.size(), kCount);
  for (const auto& [id, n] : stored) EXPECT_EQ(n, 1) << id;
  for (const auto& [id, n] : count) EXPECT_TRUE(stored.count(id)) << id;
}

TEST_F(WorkerRunTest, ResumesAfterKillNineWithEveryMessageIdOnce) {
  InterruptThenResume(*this, dir_, "kill9", CliArgs("kill9"), SIGKILL);
}

TEST_F(WorkerRunTest, ResumesAfterCtrlCWithEveryMessageIdOnce) {
  InterruptThenResume(*this, dir_, "sigint", CliArgs("sigint"), SIGINT);
}

TEST_F(WorkerRunTest, BrokenInboxIsReportedCountedAndTheRestProcessed) {
  WorkerRunOptions o = Options("broken");
  o.input = (kExample / "inbox-broken").string();
  std::vector<ItemReport> reports;
  WorkerRunHooks hooks;
  hooks.on_item = [&](int64_t, const ItemReport& r) { reports.push_back(r); };
  auto summary = RunWorker(config_, o, hooks);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->items, 8);
  EXPECT_EQ(summary->processed + summary->failed, 8);
  EXPECT_GE(summary->failed, 2);  // at least the empty body and the binary file
  EXPECT_EQ(static_cast<int64_t>(summary->problems.size()), summary->failed);
  std::map<std::string, std::string> why;
  for (const auto& p : summary->problems) why[fs::path(p.source).filename().string()] = p.reason;
  EXPECT_EQ(why["empty-body.eml"], "empty body");
  EXPECT_TRUE(why.count("not-an-email.eml"));
  for (const auto& l : ReadJsonl(o.results_path)) {
    if (l["source"].get<std::string>().ends_with("missing-message-id.eml")) {
      EXPECT_EQ(l["derived_id"], true);
    }
  }
  EXPECT_EQ(reports.size(), 8u);
  // A missing model is an error naming the fix, not a crash.
  o.pipeline.model = (dir_ / "no-such-model.gguf").string();
  o.results_path = (dir_ / "broken2.jsonl").string();
  o.state_path = (dir_ / "broken2.state").string();
  o.input = (dir_ / "inbox").string();
  auto missing = RunWorker(config_, o);
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("--model"), std::string::npos);
}

TEST_F(WorkerRunTest, BadInputFailsClearlyAndKeepsStoredResults) {
  WorkerRunOptions o = Options("bad");
  o.limit = 2;
  ASSERT_TRUE(RunWorker(config_, o).ok());
  auto read_all = [&] {
    std::ifstream in(o.results_path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string stored = read_all();
  ASSERT_EQ(ReadJsonl(o.results_path).size(), 2u);
  const std::string args = CliArgs("bad");
  auto with_input = [&](const std::string& input) {
    return std::regex_replace(args, std::regex("--input \\S+"), "--input " + input);
  };
  // A missing inbox.
  testing::CliResult r = testing::RunKolibri("run " + with_input((dir_ / "no-such-inbox").string()));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("no-such-inbox does not exist"), std::string::npos) << r.err;
  EXPECT_EQ(read_all(), stored);
  // A missing model: named with the option that fixes it.
  r = testing::RunKolibri("run " + std::regex_replace(args, std::regex("--model \\S+"), "--model /nonexistent.gguf"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("--model"), std::string::npos) << r.err;
  EXPECT_EQ(read_all(), stored);
  // A worker file naming an unknown task: file:line:col and the reason.
  const fs::path broken = dir_ / "broken-worker.yaml";
  std::ofstream(broken) << "name: broken\ntasks_file: " << (kExample / "tasks.yaml").string()
                        << "\nmodels:\n  slm: {kind: gguf, path: m.gguf}\nsteps:\n  - id: category\n"
                           "    task: no_such_task\n    input: input.text\n    cascade: [{tier: slm}]\n";
  r = testing::RunKolibri("run " + broken.string() + " --input " + o.input + " --out " + o.results_path);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(broken.string() + ":7:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no_such_task"), std::string::npos) << r.err;
  EXPECT_EQ(read_all(), stored);
  // Broken and unreadable mails beside a done one and a new one: the bad ones are listed with
  // their reasons and make the exit status 4, the new one is processed, nothing is lost.
  const fs::path mixed = dir_ / "mixed";
  fs::create_directories(mixed);
  for (const char* m : {"empty-body.eml", "not-an-email.eml"}) fs::copy_file(kExample / "inbox-broken" / m, mixed / m);
  fs::create_symlink(dir_ / "gone.eml", mixed / "dangling.eml");
  auto done = ReadJsonl(o.results_path);
  for (const char* m : kMails) fs::copy_file(kExample / "inbox" / m, mixed / m);
  r = testing::RunKolibri("run " + with_input(mixed.string()) + " --json --limit 1");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("3 of 13 mails could not be processed"), std::string::npos) << r.err;
  const json summary = json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(summary["failed"], 3);
  EXPECT_EQ(summary["skipped"], 2);
  EXPECT_EQ(summary["processed"], 1);
  std::map<std::string, std::string> why;
  for (const auto& p : summary["problems"]) why[fs::path(p["source"].get<std::string>()).filename().string()] = p["reason"];
  EXPECT_EQ(why["empty-body.eml"], "empty body");
  EXPECT_TRUE(why.count("not-an-email.eml"));
  EXPECT_TRUE(why.count("dangling.eml"));
  EXPECT_EQ(read_all().substr(0, stored.size()), stored);
  EXPECT_EQ(ReadJsonl(o.results_path).size(), 3u);
}

TEST_F(WorkerRunTest, WatchProcessesMailArrivingInAMaildirOnce) {
  const fs::path maildir = dir_ / "Maildir";
  for (const char* sub : {"tmp", "new", "cur"}) fs::create_directories(maildir / sub);
  auto deliver = [&](const char* name) {  // as an MDA does: write in tmp/, rename into new/
    fs::copy_file(kExample / "inbox" / name, maildir / "tmp" / name);
    fs::rename(maildir / "tmp" / name, maildir / "new" / name);
  };
  deliver(kMails[8]);
  WorkerRunOptions o = Options("watch");
  o.input = maildir.string();
  o.watch_interval_s = 0.1;
  o.watch_for_s = 120;  // a bound for the test; it is stopped long before
  std::atomic<bool> stop{false};
  o.stop = &stop;
  std::atomic<int> results{0};
  WorkerRunHooks hooks;
  hooks.on_result = [&](const MailResult&) { ++results; };
  Result<RunSummary> summary = Status::Internal("not run");
  std::thread runner([&] { summary = RunWorker(config_, o, hooks); });
  auto wait_for = [&](int n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (results.load() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return results.load() >= n;
  };
  EXPECT_TRUE(wait_for(1));
  // A mail client files the first one under cur/ (same Message-ID): not processed again.
  fs::rename(maildir / "new" / kMails[8], maildir / "cur" / (std::string(kMails[8]) + ":2,S"));
  deliver(kMails[9]);
  deliver(kMails[0]);
  EXPECT_TRUE(wait_for(3));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a few more scans
  stop = true;
  runner.join();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(results.load(), 3);
  EXPECT_EQ(summary->processed, 3);
  EXPECT_FALSE(summary->interrupted);
  std::map<std::string, int> count;
  for (const auto& l : ReadJsonl(o.results_path)) ++count[l["message_id"].get<std::string>()];
  EXPECT_EQ(count.size(), 3u);
  for (const auto& [id, n] : count) EXPECT_EQ(n, 1) << id;
}

TEST_F(WorkerRunTest, WebhookGetsEveryResultExactlyOnceThroughFailuresAndReruns) {
  std::mutex mu;
  std::map<std::string, int> accepted;  // message id -> 2xx answers given
  int requests = 0;
  int fail_next = 2;                    // answer 503 to this many requests (-1: all)
  net::HttpServerOptions so;
  so.port = 0;
  so.workers = 2;
  net::HttpServer server(so);
  server.Handle("POST", "/hook", [&](const net::HttpRequest& req) {
    std::lock_guard<std::mutex> lock(mu);
    ++requests;
    net::HttpResponse r;
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || body.value("message_id", "") != req.Header("Idempotency-Key")) {
      r.status = 400;
      return r;
    }
    if (fail_next != 0) {
      if (fail_next > 0) --fail_next;
      r.status = 503;
      return r;
    }
    ++accepted[req.Header("Idempotency-Key")];
    r.body = "{}";
    return r;
  });
  ASSERT_TRUE(server.Start().ok());
  const fs::path inbox = dir_ / "hook-inbox";
  fs::create_directories(inbox);
  for (size_t i = 0; i < 3; ++i) fs::copy_file(kExample / "inbox" / kMails[i], inbox / kMails[i]);
  WorkerRunOptions o = Options("hook");
  o.input = inbox.string();
  o.webhook.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/hook";
  o.webhook.initial_backoff_s = 0.01;
  o.webhook.max_attempts = 3;
  // Two 503s, then the receiver takes everything: all three arrive once.
  auto first = RunWorker(config_, o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->delivered, 3);
  EXPECT_EQ(first->undelivered, 0);
  EXPECT_EQ(requests, 5);
  // Two new mails while the receiver is down: processed, kept pending, the exit would say so.
  for (size_t i = 3; i < 5; ++i) fs::copy_file(kExample / "inbox" / kMails[i], inbox / kMails[i]);
  fail_next = -1;
  auto second = RunWorker(config_, o);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->processed, 2);
  EXPECT_EQ(second->delivered, 0);
  EXPECT_EQ(second->undelivered, 2);
  EXPECT_NE(second->delivery_error.find("HTTP 503"), std::string::npos) << second->delivery_error;
  // Back up: a rerun processes nothing and delivers only the two pending results.
  fail_next = 0;
  auto third = RunWorker(config_, o);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->processed, 0);
  EXPECT_EQ(third->delivered, 2);
  EXPECT_EQ(third->undelivered, 0);
  server.Stop();
  EXPECT_EQ(accepted.size(), 5u);
  for (const auto& [id, n] : accepted) EXPECT_EQ(n, 1) << id;
}

}  // namespace
}  // namespace kolibri::worker
