// RunServe: the `kolibri serve` process — loads the configured models (server::ModelRouter),
// tasks and embeddings, puts every request through the RequestGate, logs JSON lines on
// stderr, and handles signals:
//   SIGTERM/SIGINT  drain: /ready and new requests turn 503 at once, requests in flight
//                   (streams included) finish within limits.drain_timeout_s (then they are
//                   cancelled), the process exits 0. A second signal cancels at once.
//   SIGHUP          reload without dropping connections: re-reads the --config file (keys,
//                   rate limits, models added / replaced / removed — requests running on a
//                   replaced model finish on it) or, without one, the API key file. An
//                   invalid file is logged and the running configuration kept.
#pragma once

#include <string>

#include "kolibri/status.h"
#include "server/serve_config.h"

namespace kolibri::cli {

struct ServeRunOptions {
  server::ServeConfig config;
  std::string config_file;  // "" when the configuration came from flags
  int verbose = 0;          // llama.cpp log level
  bool log_content = false; // log request bodies (debugging only)
};

Status RunServe(ServeRunOptions options);

}  // namespace kolibri::cli
