// How failures look on the wire: the one place that maps ErrorCodes to HTTP statuses,
// and the OpenAI error body {"error":{"message","type","param","code"}} that OpenAI
// clients turn into their APIError types.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "kolibri/status.h"

namespace kolibri::server {

// A failed API request: what went wrong, and which request field it concerns ("" when
// none), e.g. {InvalidArgument("'max_tokens' must be at least 1"), "max_tokens"}.
struct ApiError {
  Status status;
  std::string param;
  std::string code;  // OpenAI's machine-readable code ("context_length_exceeded"); "" → the
                     // ErrorCode's name
  int http_status = 0;  // 0: HttpStatusFor(status.code()); set for statuses no ErrorCode
                        // means, e.g. 422 for an answer that failed schema validation
};

// 400 invalid/out of range/unsupported/no chat template, 404 not found, 409 already exists,
// 401/403 auth, 499 cancelled (client gone), 503 overloaded or unavailable, 504 deadline,
// 500 anything else.
int HttpStatusFor(ErrorCode code);
// error.http_status when set, else HttpStatusFor(error.status.code()).
int HttpStatusOf(const ApiError& error);

// OpenAI's error "type" for an HTTP status: invalid_request_error (4xx),
// authentication_error (401), permission_error (403), not_found_error (404),
// server_error (5xx).
std::string_view ErrorTypeForHttpStatus(int http_status);

// {"error":{"message","type","param"(null when empty),"code"}}.
nlohmann::json ErrorBody(const ApiError& error);
// The same shape for errors only an HTTP status is known for (404 route, 413 body).
nlohmann::json ErrorBodyForHttpStatus(int http_status, std::string_view message);

}  // namespace kolibri::server
