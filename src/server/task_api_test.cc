// POST /v1/tasks/{name} over real HTTP: the cascade with the generated tiny model as the
// small model and an in-memory review queue and audit log.
#include "server/task_api.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "kolibri/scheduler.h"
#include "net/http_client.h"
#include "server/api_server.h"
#include "testing/test_models.h"

namespace kolibri::server {
namespace {

constexpr const char* kTasks = R"(tasks:
  - name: route
    kind: classify
    instructions: Which team handles this mail?
    labels: [billing, shipping, account]
    thresholds: {min_confidence: 0.0}
  - name: order
    kind: extract
    instructions: Extract the order number.
    schema: {type: object, properties: {order: {type: string, x-kolibri-evidence: true}},
             required: [order], additionalProperties: false}
    max_tokens: 40
)";

class TaskApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto model = testing::SharedTestModel("tiny");
    ASSERT_NE(model, nullptr);
    auto s = Scheduler::Create(model, SchedulerOptions{.context = 4096, .parallel = 2});
    ASSERT_TRUE(s.ok());
    scheduler_ = std::move(*s);
    runner_ = std::make_unique<tasks::TaskRunner>(*scheduler_);
    auto f = tasks::ParseTaskFile(kTasks, "task_api_test.yaml", ".");
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    file_ = *f;
    auto q = ReviewQueue::Open(":memory:");
    ASSERT_TRUE(q.ok());
    review_ = std::move(q).value();
    auto a = AuditLog::Open(":memory:");
    ASSERT_TRUE(a.ok());
    audit_ = std::move(a).value();
    CascadeResources r;
    r.slm = runner_.get();
    r.slm_model = "tiny";
    r.review = review_.get();
    r.audit = audit_.get();
    cascade_ = std::make_unique<Cascade>(r);
    api_ = std::make_unique<TaskApi>(file_, *cascade_, TaskApiOptions{.metrics = &metrics_});
    net::HttpServerOptions ho;
    ho.port = 0;
    ho.error_body = &ApiServer::TransportErrorBody;
    http_ = std::make_unique<net::HttpServer>(ho);
    api_->RegisterRoutes(*http_);
    ASSERT_TRUE(http_->Start().ok());
  }
  void TearDown() override { http_->Stop(); }
  net::HttpResult Post(const std::string& path, const std::string& body,
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
    net::HttpClientOptions o;
    o.port = http_->port();
    o.headers = std::move(headers);
    net::HttpClient client(o);
    auto r = client.Post(path, body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : net::HttpResult{};
  }

  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<tasks::TaskRunner> runner_;
  tasks::TaskFile file_;
  std::unique_ptr<ReviewQueue> review_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Cascade> cascade_;
  MetricsRegistry metrics_;
  std::unique_ptr<TaskApi> api_;
  std::unique_ptr<net::HttpServer> http_;
};

TEST_F(TaskApiTest, ClassifyAndExtractAnswerWithTierConfidenceAndAudit) {
  auto r = Post("/v1/tasks/route", R"({"input":"my invoice is wrong"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["task"], "route");
  EXPECT_EQ(j["tier"], "slm");
  EXPECT_TRUE(j["answered"].get<bool>());
  EXPECT_TRUE(j["label"] == "billing" || j["label"] == "shipping" || j["label"] == "account") << r.body;
  EXPECT_GT(j["audit_id"].get<int64_t>(), 0);
  EXPECT_GE(j["confidence"].get<double>(), 0.0);
  auto e = Post("/v1/tasks/order", R"({"input":"Order AB-1234 is late"})");
  ASSERT_EQ(e.status, 200) << e.body;
  auto ej = nlohmann::json::parse(e.body);
  if (ej["tier"] == "slm") {
    EXPECT_NE(std::string("Order AB-1234 is late").find(ej["record"]["order"].get<std::string>()), std::string::npos);
  } else {
    EXPECT_EQ(ej["tier"], "human");  // no valid record: queued, never invented
  }
}

TEST_F(TaskApiTest, RetriesWithAnIdempotencyKeyCreateOneReviewItem) {
  const std::string body = R"({"input":"please call me back","tiers":["human"],"idempotency_key":"mail-42"})";
  auto a = Post("/v1/tasks/route", body);
  auto b = Post("/v1/tasks/route", body);
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(nlohmann::json::parse(a.body)["review_id"], nlohmann::json::parse(b.body)["review_id"]);
  EXPECT_EQ(review_->List({})->size(), 1u);
  EXPECT_EQ(metrics_.Value("kolibri_cascade_tier_outcomes_total",
                           {{"task", "route"}, {"tier", "human"}, {"outcome", "queued"}}),
            2);
}

TEST_F(TaskApiTest, TheIdempotencyKeyHeaderMakesRetriesSafe) {
  const std::string body = R"({"input":"please call me back","tiers":["human"]})";
  auto a = Post("/v1/tasks/route", body, {{"Idempotency-Key", "lb-retry-7"}});
  auto b = Post("/v1/tasks/route", body, {{"Idempotency-Key", "lb-retry-7"}});
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(nlohmann::json::parse(a.body)["review_id"], nlohmann::json::parse(b.body)["review_id"]);
  EXPECT_EQ(review_->List({})->size(), 1u);
  auto c = Post("/v1/tasks/route", body, {{"Idempotency-Key", "lb-retry-8"}});  // another request
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(review_->List({})->size(), 2u);
}

TEST_F(TaskApiTest, BadRequestsGetClearErrors) {
  EXPECT_EQ(Post("/v1/tasks/route", "{not json").status, 400);
  EXPECT_EQ(Post("/v1/tasks/route", R"({"text":"x"})").status, 400);
  EXPECT_EQ(Post("/v1/tasks/route", R"({"input":""})").status, 400);
  EXPECT_EQ(Post("/v1/tasks/route", R"({"input":5})").status, 400);
  auto tier = Post("/v1/tasks/route", R"({"input":"x","tiers":["nowhere"]})");
  EXPECT_EQ(tier.status, 400);
  EXPECT_NE(tier.body.find("nowhere"), std::string::npos);
  EXPECT_EQ(Post("/v1/tasks/unknown", R"({"input":"x"})").status, 404);
  EXPECT_EQ(Post("/v1/tasks/../route", R"({"input":"x"})").status, 404);
  EXPECT_EQ(Post("/v1/tasks/%2e%2e%2froute", R"({"input":"x"})").status, 404);
  EXPECT_EQ(Post("/v1/tasks/route/../../../etc/passwd", R"({"input":"x"})").status, 404);
  EXPECT_EQ(Post("/v1/tasks/route%00", R"({"input":"x"})").status, 404);
  EXPECT_EQ(Post("/v1/tasks/route", "{\"input\":\"\xed\xa0\x80\"}").status, 400);  // a UTF-16 surrogate
  std::string deep(100000, '[');
  EXPECT_EQ(Post("/v1/tasks/route", deep).status, 400);
}

}  // namespace
}  // namespace kolibri::server
