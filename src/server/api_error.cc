#include "server/api_error.h"

namespace kolibri::server {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kOutOfRange:
    case ErrorCode::kCorrupt:
    case ErrorCode::kUnsupported:
    case ErrorCode::kFailedPrecondition: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kCancelled: return 499;
    case ErrorCode::kResourceExhausted:
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kDeadlineExceeded: return 504;
    case ErrorCode::kIoError:
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

int HttpStatusOf(const ApiError& error) {
  return error.http_status != 0 ? error.http_status : HttpStatusFor(error.status.code());
}

std::string_view ErrorTypeForHttpStatus(int http_status) {
  if (http_status == 401) return "authentication_error";
  if (http_status == 403) return "permission_error";
  if (http_status == 404) return "not_found_error";
  if (http_status >= 500) return "server_error";
  return "invalid_request_error";
}

nlohmann::json ErrorBody(const ApiError& error) {
  const int http_status = HttpStatusOf(error);
  nlohmann::json inner = {
      {"message", error.status.message()},
      {"type", ErrorTypeForHttpStatus(http_status)},
      {"param", error.param.empty() ? nlohmann::json(nullptr) : nlohmann::json(error.param)},
      {"code", error.code.empty() ? std::string(ErrorCodeName(error.status.code())) : error.code},
  };
  return {{"error", std::move(inner)}};
}

nlohmann::json ErrorBodyForHttpStatus(int http_status, std::string_view message) {
  nlohmann::json inner = {
      {"message", message},
      {"type", ErrorTypeForHttpStatus(http_status)},
      {"param", nullptr},
      {"code", http_status == 413 ? nlohmann::json("request_too_large") : nlohmann::json(nullptr)},
  };
  return {{"error", std::move(inner)}};
}

}  // namespace kolibri::server
