#include "server/json_log.h"

#include <chrono>
#include <ctime>
#include <string>

namespace kolibri::server {
namespace {

std::string NowUtc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

void JsonLog::Write(std::string_view level, std::string_view message, const nlohmann::json& fields) {
  nlohmann::json line = {{"ts", NowUtc()}, {"level", level}, {"msg", message}};
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  }
  // Replace invalid UTF-8 instead of throwing: a message can quote client-sent bytes.
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

void JsonLog::Access(const net::AccessLogEntry& e) {
  nlohmann::json fields = {{"request_id", e.request_id}, {"method", e.method}, {"path", e.path},
                           {"status", e.status},         {"ms", e.ms},         {"remote", e.remote_addr}};
  if (e.streamed) fields["streamed"] = true;
  if (e.client_gone) fields["client_gone"] = true;
  Write("info", "request", fields);
}

}  // namespace kolibri::server
