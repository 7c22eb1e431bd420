// The cascade end to end with a generated model as the small model, a tier-0 classifier
// trained here, a stand-in upstream OpenAI endpoint (healthy, garbage, down) and the review
// queue and audit log in memory. Thresholds steer which tier answers.
#include "kolibri/cascade.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "kolibri/scheduler.h"
#include "testing/test_models.h"

namespace kolibri {
namespace {

constexpr const char* kTasks = R"(tasks:
  - name: route
    kind: classify
    instructions: Which team handles this mail?
    labels:
      - {name: billing, description: invoices and payments}
      - {name: shipping, description: parcels and delivery}
      - {name: account, description: login and passwords}
    escalation: [big, human]
  - name: order
    kind: extract
    instructions: Extract the order number.
    schema: {type: object, properties: {order: {type: string, x-kolibri-evidence: true}},
             required: [order], additionalProperties: false}
    max_tokens: 40
    escalation: [big, human]
)";

class CascadeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto model = testing::SharedTestModel("tiny");
    ASSERT_NE(model, nullptr);
    auto s = Scheduler::Create(model, SchedulerOptions{.context = 4096, .parallel = 2});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    scheduler_ = s->release();
    runner_ = new tasks::TaskRunner(*scheduler_);
    std::vector<LabelledText> data;
    const char* billing[] = {"invoice wrong", "charged twice", "payment failed", "refund my payment", "bill too high"};
    const char* shipping[] = {"parcel late", "where is my parcel", "delivery missing", "package damaged", "courier lost it"};
    const char* account[] = {"cannot login", "reset password", "account locked", "forgot my password", "login broken"};
    for (int rep = 0; rep < 6; ++rep) {
      for (auto* t : billing) data.push_back({t, "billing"});
      for (auto* t : shipping) data.push_back({t, "shipping"});
      for (auto* t : account) data.push_back({t, "account"});
    }
    auto t0 = Tier0Classifier::Train(data, Tier0TrainOptions{.features = {.hash_bits = 12}});
    ASSERT_TRUE(t0.ok()) << t0.status().ToString();
    tier0_ = new Tier0Classifier(std::move(*t0));
  }
  static void TearDownTestSuite() {
    delete runner_;
    delete scheduler_;
    delete tier0_;
  }

  void SetUp() override {
    auto f = tasks::ParseTaskFile(kTasks, "cascade_test.yaml", ".");
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    file_ = *f;
    auto q = ReviewQueue::Open(":memory:");
    ASSERT_TRUE(q.ok());
    review_ = std::move(*q);
    auto a = AuditLog::Open(":memory:");
    ASSERT_TRUE(a.ok());
    audit_ = std::move(*a);
    server_.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      ++calls_;
      auto body = nlohmann::json::parse(req.body);
      last_request_ = body;
      if (mode_ == "garbage") {
        res.set_content("{\"choices\": [{\"message\": {\"content\": \"I think it is billing?\"}}]}", "application/json");
        return;
      }
      if (mode_ == "500") {
        res.status = 500;
        return;
      }
      std::string content;
      if (body["response_format"]["json_schema"]["schema"]["properties"].contains("label")) {
        content = R"({"label":"account"})";
      } else {
        content = R"({"order":"AB-1234"})";
      }
      nlohmann::json answer = {{"choices", {{{"message", {{"role", "assistant"}, {"content", content}}},
                                              {"logprobs", {{"content", {{{"logprob", -0.1}}, {{"logprob", -0.2}}}}}}}}}};
      res.set_content(answer.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    server_.wait_until_ready();
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }

  CascadeResources Resources(double tier0_threshold, double slm_threshold) {
    CascadeResources r;
    r.tier0 = tier0_;
    r.tier0_threshold = tier0_threshold;
    r.slm = runner_;
    r.slm_model = "tiny";
    r.slm_threshold = slm_threshold;
    r.upstreams["big"] = UpstreamEndpoint{.base_url = "http://127.0.0.1:" + std::to_string(port_) + "/v1",
                                          .model = "big-model", .api_key = "secret", .timeout_s = 5,
                                          .retries = 1, .backoff_s = 0.01};
    r.review = review_.get();
    r.audit = audit_.get();
    return r;
  }
  const tasks::TaskDefinition& Task(const std::string& name) { return **file_.Find(name); }

  static Scheduler* scheduler_;
  static tasks::TaskRunner* runner_;
  static Tier0Classifier* tier0_;
  tasks::TaskFile file_;
  std::unique_ptr<ReviewQueue> review_;
  std::unique_ptr<AuditLog> audit_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::string mode_ = "ok";
  std::atomic<int> calls_{0};
  nlohmann::json last_request_;
};

Scheduler* CascadeTest::scheduler_ = nullptr;
tasks::TaskRunner* CascadeTest::runner_ = nullptr;
Tier0Classifier* CascadeTest::tier0_ = nullptr;

TEST_F(CascadeTest, ConfidentTierZeroAnswersAlone) {
  Cascade c(Resources(0.0, 2.0));
  auto r = c.Run(Task("route"), "where is my parcel");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->answered);
  EXPECT_EQ(r->tier, "tier0");
  EXPECT_EQ(r->label, "shipping");
  ASSERT_EQ(r->trail.size(), 1u);
  EXPECT_EQ(calls_, 0);
  auto entries = audit_->List({.request_id = r->request_id});
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].outcome, "answered");
  EXPECT_EQ((*entries)[0].input_hash, AuditInputHash("where is my parcel"));
  EXPECT_EQ((*entries)[0].task_version, r->task_version);
  EXPECT_EQ(r->audit_id, (*entries)[0].id);
}

TEST_F(CascadeTest, UnsureTiersEscalateToTheUpstream) {
  Cascade c(Resources(2.0, 2.0));  // thresholds nobody reaches
  auto r = c.Run(Task("route"), "where is my parcel");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->answered);
  EXPECT_EQ(r->tier, "big");
  EXPECT_EQ(r->label, "account");
  EXPECT_NEAR(r->confidence, std::exp(-0.3), 1e-9);
  ASSERT_EQ(r->trail.size(), 3u);
  EXPECT_EQ(r->trail[0].outcome, "escalated");
  EXPECT_EQ(r->trail[1].tier, "slm");
  EXPECT_EQ(r->trail[1].outcome, "escalated");
  EXPECT_EQ(last_request_["model"], "big-model");
  EXPECT_EQ(audit_->List({.request_id = r->request_id})->size(), 3u);
  EXPECT_EQ(review_->List({})->size(), 0u);
}

TEST_F(CascadeTest, GarbageOrDownUpstreamEndsInTheReviewQueue) {
  Cascade c(Resources(2.0, 2.0));
  mode_ = "garbage";
  auto r = c.Run(Task("route"), "my invoice is wrong", {.idempotency_key = "mail-1"});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->answered);
  EXPECT_EQ(r->tier, "human");
  EXPECT_EQ(calls_, 2);  // one retry
  EXPECT_EQ(r->trail[2].outcome, "error");
  EXPECT_NE(r->trail[2].detail.find("not one of the task's labels"), std::string::npos) << r->trail[2].detail;
  ASSERT_GT(r->review_id, 0);
  auto item = review_->Get(r->review_id);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->input_text, "my invoice is wrong");
  EXPECT_NE(item->proposed_json, "null");  // the best guess so far travels with it
  // The same mail again (a retry) does not create a second item.
  auto again = c.Run(Task("route"), "my invoice is wrong", {.idempotency_key = "mail-1"});
  EXPECT_EQ(again->review_id, r->review_id);
  EXPECT_EQ(review_->List({})->size(), 1u);

  mode_ = "500";
  auto down = c.Run(Task("route"), "reset password please");
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(down->tier, "human");
  server_.stop();
  auto gone = c.Run(Task("route"), "account locked again");
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->tier, "human");
  EXPECT_EQ(review_->List({})->size(), 3u);
  auto entries = audit_->List({.request_id = gone->request_id});
  ASSERT_EQ(entries->size(), 4u);
  EXPECT_EQ((*entries)[2].outcome, "error");
  EXPECT_EQ((*entries)[3].tier, "human");
}

TEST_F(CascadeTest, ExtractionGoesThroughTheSmallModelOrUpstream) {
  Cascade c(Resources(-1, -1));
  auto r = c.Run(Task("order"), "Hello, order AB-1234 never arrived.");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->trail.empty());
  EXPECT_EQ(r->trail[0].tier, "slm");
  if (r->tier == "slm") {
    // The small model's record passed validation and the evidence rule.
    const std::string order = r->record["order"];
    EXPECT_NE(std::string("Hello, order AB-1234 never arrived.").find(order), std::string::npos);
  }
  // Forced past the small model: the upstream record is checked the same way.
  auto up = c.Run(Task("order"), "Hello, order AB-1234 never arrived.", {.tiers = {"big", "human"}});
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->tier, "big");
  EXPECT_EQ(up->record["order"], "AB-1234");
  // An upstream record with text absent from the input is refused.
  auto absent = c.Run(Task("order"), "Hello, my parcel never arrived.", {.tiers = {"big", "human"}});
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(absent->tier, "human");
  EXPECT_NE(absent->trail[0].detail.find("invalid"), std::string::npos) << absent->trail[0].detail;
}

TEST_F(CascadeTest, BadConfigurationIsAnError) {
  Cascade c(Resources(-1, -1));
  EXPECT_EQ(c.Run(Task("route"), "").status().code(), ErrorCode::kInvalidArgument);
  auto unknown = c.Run(Task("route"), "hi", {.tiers = {"nowhere"}});
  EXPECT_EQ(unknown.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("nowhere"), std::string::npos);
  EXPECT_FALSE(c.Run(Task("order"), "hi", {.tiers = {"tier0"}}).ok());
}

}  // namespace
}  // namespace kolibri
