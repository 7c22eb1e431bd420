// Test-only: runs the `kolibri` binary of this build and captures what it said.
#pragma once

#include <string>

namespace kolibri::testing {

struct CliResult {
  int exit_code = -1;  // -1 when the process did not exit normally
  std::string out;
  std::string err;
};

// Runs `kolibri ARGS` through the shell (ARGS is shell text: quote as needed), with
// `stdin_text` on standard input when not empty.
CliResult RunKolibri(const std::string& args, const std::string& stdin_text = "");

}  // namespace kolibri::testing
