// Test-only: runs the `kolibri` binary of this build with a shell argument string and
// captures its exit code, stdout and stderr (stderr goes through a file in TestDataDir()).
// Not thread-safe across callers that share `stderr_name`.
#pragma once

#include <string>

namespace kolibri::testing {

struct CliResult {
  int exit_code = -1;      // -1 when the process did not exit normally
  bool signalled = false;  // killed by a signal (a crash)
  std::string out;
  std::string err;
};

// `args` is appended to the binary path as is (quote paths with spaces yourself).
CliResult RunKolibri(const std::string& args, const std::string& stderr_name = "cli_stderr.txt");

}  // namespace kolibri::testing
