// JsonLog: the server's log as JSON lines — one object per line,
// {"ts":"2026-11-24T19:31:54.123Z","level":"info","msg":"...", <fields>}.
//
// What may be logged: request ids, methods, paths, statuses, latencies, counts, model
// names, error messages the server wrote itself. Never request or response bodies (mail
// and document contents, prompts), API keys or Authorization headers — except bodies when
// the operator asked for them with `kolibri serve --log-content` (a debugging switch).
//
// Thread safety: Write may be called from any thread; each line is written whole.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>
#include <mutex>
#include <string_view>

#include "net/http_server.h"

namespace kolibri::server {

class JsonLog {
 public:
  explicit JsonLog(FILE* out) : out_(out) {}
  void Write(std::string_view level, std::string_view message, const nlohmann::json& fields = nlohmann::json::object());
  void Info(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
    Write("info", message, fields);
  }
  void Warn(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
    Write("warn", message, fields);
  }
  // One access-log line: request_id, method, path, status, ms, remote, streamed,
  // client_gone.
  void Access(const net::AccessLogEntry& entry);

 private:
  FILE* out_;
  std::mutex mu_;
};

}  // namespace kolibri::server
