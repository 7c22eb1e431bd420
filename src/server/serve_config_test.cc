#include "server/serve_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace kolibri::server {
namespace {

class ServeConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text, const std::string& name = "serve.yaml") {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("serve_config_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  // The error message of loading `text`, "" when it loads.
  std::string ErrorOf(const std::string& text) {
    auto c = LoadServeConfig(Write(text));
    return c.ok() ? "" : c.status().message();
  }
  std::filesystem::path dir_;
};

TEST_F(ServeConfigTest, ReadsAFullConfiguration) {
  const std::string path = Write(R"(listen: {host: 0.0.0.0, port: 9000}
models:
  - name: small
    path: models/small.gguf
    context: 2048
    parallel: 2
    threads: 3
    batch: 256
    max_queue: 8
    kv_cache_type: q8_0
    prefix_cache: false
    lora:
      - {name: formal, path: formal.gguf, scale: 0.5}
  - name: other
    path: /abs/other.gguf
tasks:
  file: tasks.yaml
  model: other
  routers: {route: route.router}
  upstreams: {big: "http://10.0.0.5:8080/v1#qwen"}
  review_db: review.db
  audit_db: "postgresql://kolibri@db/kolibri"
  retention: 30d
auth:
  api_keys: [k1]
  api_key_file: keys.txt
  metrics_public: true
limits: {max_body_bytes: 65536, max_connections: 64, max_prompt_tokens: 100, max_tokens: 50, request_timeout_s: 2.5,
         rate_limit: 10, rate_burst: 20, read_timeout_s: 3, drain_timeout_s: 7}
admin: true
)");
  std::ofstream((dir_ / "keys.txt").string()) << "# keys\nk2\n\nk3\n";
  auto c = LoadServeConfig(path);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->host, "0.0.0.0");
  EXPECT_EQ(c->port, 9000);
  ASSERT_EQ(c->models.size(), 2u);
  EXPECT_EQ(c->models[0].path, (dir_ / "models/small.gguf").string());
  EXPECT_EQ(c->models[0].scheduler.context, 2048);
  EXPECT_EQ(c->models[0].scheduler.parallel, 2);
  EXPECT_EQ(c->models[0].scheduler.threads, 3);
  EXPECT_EQ(c->models[0].scheduler.batch, 256);
  EXPECT_EQ(c->models[0].scheduler.max_queue, 8);
  EXPECT_EQ(c->models[0].scheduler.kv_cache_type, "q8_0");
  EXPECT_FALSE(c->models[0].scheduler.prefix_cache);
  EXPECT_EQ(c->models[0].where, path + ":3");
  ASSERT_EQ(c->models[0].adapters.size(), 1u);
  EXPECT_EQ(c->models[0].adapters[0].name, "formal");
  EXPECT_EQ(c->models[0].adapters[0].path, (dir_ / "formal.gguf").string());
  EXPECT_FLOAT_EQ(c->models[0].adapters[0].scale, 0.5f);
  EXPECT_EQ(c->models[1].path, "/abs/other.gguf");
  EXPECT_EQ(c->models[1].scheduler.context, SchedulerOptions{}.context);
  EXPECT_EQ(c->tasks.model, "other");
  EXPECT_EQ(c->tasks.review_db, (dir_ / "review.db").string());
  EXPECT_EQ(c->tasks.audit_db, "postgresql://kolibri@db/kolibri");  // URIs stay as they are
  EXPECT_EQ(c->tasks.retention, "30d");
  EXPECT_EQ(c->tasks.routers.at("route"), (dir_ / "route.router").string());
  EXPECT_EQ(c->tasks.upstreams.at("big"), "http://10.0.0.5:8080/v1#qwen");
  EXPECT_EQ(c->api_keys, (std::vector<std::string>{"k1", "k2", "k3"}));
  EXPECT_TRUE(c->metrics_public);
  EXPECT_EQ(c->limits.max_body_bytes, 65536u);
  EXPECT_EQ(c->limits.max_connections, 64);
  EXPECT_EQ(c->limits.max_completion_tokens, 50);
  EXPECT_DOUBLE_EQ(c->limits.request_timeout_s, 2.5);
  EXPECT_DOUBLE_EQ(c->limits.drain_timeout_s, 7);
  EXPECT_TRUE(c->admin);
  EXPECT_TRUE(c->models[0] == c->models[0]);
  EXPECT_FALSE(c->models[0] == c->models[1]);
}

TEST_F(ServeConfigTest, ErrorsPointAtFileLineAndColumn) {
  struct Case {
    const char* text;
    const char* expected;  // a part of the message
  };
  for (const Case& c : std::vector<Case>{
           {"models:\n  - name: a\n    path: a.gguf\n    contxt: 5\n", "serve.yaml:4:5: unknown key 'contxt'"},
           {"models: []\n", "serve.yaml:1:9: 'models' must be a non-empty list"},
           {"listen: {port: 8080}\n", "'models' must be a non-empty list"},
           {"models:\n  - name: a\n", "serve.yaml:2:5: a model needs a 'path'"},
           {"models:\n  - {name: a, path: a.gguf}\n  - {name: a, path: b.gguf}\n", "serve.yaml:3:12: a second model named 'a'"},
           {"models:\n  - {name: a, path: a.gguf, kv_cache_type: q5}\n", "kv_cache_type must be f16, q8_0 or q4_0"},
           {"models:\n  - {name: a, path: a.gguf, parallel: 0}\n", "serve.yaml:2:39: parallel must be in [1, 256]"},
           {"models:\n  - {name: a, path: a.gguf}\ntasks: {file: t.yaml, model: b}\n", "tasks.model 'b' is not one"},
           {"models:\n  - {name: a, path: a.gguf}\nlimits: {rate_limit: -1}\n", "limits.rate_limit must be a number"},
           {"models:\n  - {name: a, path: a.gguf, lora: [{name: 'x:y', path: l.gguf}]}\n", "cannot hold ':'"},
           {"models:\n  - {name: a, path: a.gguf, lora: [{name: x}]}\n", "serve.yaml:2:36: a LoRA adapter needs a 'name' and a 'path'"},
           {"models:\n  - {name: a, path: a.gguf}\ntasks: {file: t.yaml, retention: forever}\n", "serve.yaml:3:34:"},
           {"models:\n  - {name: a, path: a.gguf}\nadmin: maybe\n", "serve.yaml:3:8: admin must be true or false"},
           {"models:\n  - {name: a, path: [a.gguf\n", "serve.yaml:3:1:"},
           {"models:\n  - {name: a, path: a.gguf}\nauth: {api_key_file: none.txt}\n", "API key file"},
       }) {
    const std::string error = ErrorOf(c.text);
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.text << "\n→ " << error;
  }
  auto missing = LoadServeConfig("/nonexistent/serve.yaml");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

TEST_F(ServeConfigTest, ModelFromJsonForTheAdminEndpoint) {
  auto m = ModelConfigFromJson(R"({"name":"x","path":"/m/x.gguf","context":512,"parallel":2})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->name, "x");
  EXPECT_EQ(m->path, "/m/x.gguf");
  EXPECT_EQ(m->scheduler.context, 512);
  EXPECT_FALSE(ModelConfigFromJson(R"({"name":"x"})").ok());
  EXPECT_FALSE(ModelConfigFromJson(R"({"name":"x","path":"p","bogus":1})").ok());
  EXPECT_FALSE(ModelConfigFromJson("not json [").ok());
  EXPECT_FALSE(ModelConfigFromJson(std::string(100000, '[')).ok());
  EXPECT_FALSE(ModelConfigFromJson("{\"name\":\"\xff\",\"path\":\"p\"}").ok());
}

}  // namespace
}  // namespace kolibri::server
