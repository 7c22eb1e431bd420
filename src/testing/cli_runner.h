// Test-only: runs the `kolibri` binary of this build and captures what it said.
#pragma once

#include <string>

namespace kolibri::testing {

struct CliResult {
  int exit_code = -1;      // -1 when the process did not exit normally
  bool signalled = false;  // killed by a signal (a crash)
  std::string out;
  std::string err;
};

struct CliOptions {
  std::string stdin_text;  // given on standard input (else /dev/null)
  std::string env;         // shell assignments put before the command, e.g. "HF_ENDPOINT=..."
};

// Runs `kolibri ARGS` through the shell (ARGS is shell text: quote as needed).
CliResult RunKolibri(const std::string& args, const CliOptions& options = {});

}  // namespace kolibri::testing
