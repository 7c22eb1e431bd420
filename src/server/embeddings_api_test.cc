// POST /v1/embeddings over real HTTP with the generated bert-tiny encoder.
#include "server/embeddings_api.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "net/http_client.h"
#include "server/api_server.h"
#include "testing/test_models.h"

namespace kolibri::server {
namespace {

class EmbeddingsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto model = testing::SharedTestModel("bert-tiny", "f16", "bert-bge");
    ASSERT_NE(model, nullptr);
    auto e = Embedder::Create(model, EmbedderOptions{.context = 64, .max_sequences = 4});
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    embedder_ = std::move(e).value();
    api_ = std::make_unique<EmbeddingsApi>(*embedder_, "bert-tiny", 8);
    net::HttpServerOptions ho;
    ho.port = 0;
    ho.error_body = &ApiServer::TransportErrorBody;
    http_ = std::make_unique<net::HttpServer>(ho);
    api_->RegisterRoutes(*http_);
    ASSERT_TRUE(http_->Start().ok());
  }
  void TearDown() override { http_.reset(); }
  net::HttpResult Post(const std::string& body) {
    net::HttpClientOptions o;
    o.port = http_->port();
    net::HttpClient client(o);
    auto r = client.Post("/v1/embeddings", body);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : net::HttpResult{};
  }
  std::unique_ptr<Embedder> embedder_;
  std::unique_ptr<EmbeddingsApi> api_;
  std::unique_ptr<net::HttpServer> http_;
};

TEST_F(EmbeddingsApiTest, OpenAiShapeForOneAndManyTexts) {
  auto one = Post(R"({"model":"x","input":"where is my parcel"})");
  ASSERT_EQ(one.status, 200) << one.body;
  auto j = nlohmann::json::parse(one.body);
  EXPECT_EQ(j["object"], "list");
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["object"], "embedding");
  ASSERT_EQ(j["data"][0]["embedding"].size(), 64u);
  double norm = 0;
  for (double x : j["data"][0]["embedding"]) norm += x * x;
  EXPECT_NEAR(norm, 1.0, 1e-3);
  EXPECT_GT(j["usage"]["prompt_tokens"].get<int>(), 2);
  auto many = Post(R"({"input":["a","where is my parcel","c"],"encoding_format":"float"})");
  ASSERT_EQ(many.status, 200) << many.body;
  auto m = nlohmann::json::parse(many.body);
  ASSERT_EQ(m["data"].size(), 3u);
  EXPECT_EQ(m["data"][2]["index"], 2);
  EXPECT_EQ(m["data"][1]["embedding"], j["data"][0]["embedding"]);  // same text, same vector
}

TEST_F(EmbeddingsApiTest, BadInputIs400) {
  for (const char* body : {"{not json", R"({"model":"x"})", R"({"input":""})", R"({"input":[]})", R"({"input":[1,2]})",
                           R"({"input":5})", R"({"input":"x","encoding_format":"base64"})",
                           R"({"input":["1","2","3","4","5","6","7","8","9"]})"}) {
    auto r = Post(body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_TRUE(nlohmann::json::parse(r.body, nullptr, false).contains("error")) << r.body;
  }
  std::string longer = R"({"input":")";
  for (int i = 0; i < 200; ++i) longer += "word ";
  longer += "\"}";
  auto r = Post(longer);
  EXPECT_EQ(r.status, 400) << r.body;
}

}  // namespace
}  // namespace kolibri::server
