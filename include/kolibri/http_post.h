// A blocking HTTP(S) POST for upstream calls (OpenAI-compatible model endpoints, webhooks),
// over libcurl so TLS works. Module `net`.
#pragma once

#include <string>
#include <vector>

#include "kolibri/status.h"

namespace kolibri {

struct HttpPostOptions {
  double timeout_s = 30;          // whole request
  double connect_timeout_s = 5;
  std::vector<std::string> headers;  // "Name: value" lines, e.g. "Authorization: Bearer ..."
  std::string content_type = "application/json";
};

struct HttpPostResponse {
  long status = 0;
  std::string body;
};

// Any HTTP status is a response (the caller judges it). Errors: InvalidArgument for a URL
// that is not http(s), DeadlineExceeded on timeout, Unavailable when the server cannot be
// reached or the connection breaks.
Result<HttpPostResponse> HttpPost(const std::string& url, const std::string& body, const HttpPostOptions& options);

}  // namespace kolibri
