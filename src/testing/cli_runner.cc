#include "testing/cli_runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "testing/test_models.h"

namespace kolibri::testing {

CliResult RunKolibri(const std::string& args, const CliOptions& options) {
  static std::atomic<int> counter{0};
  const std::string base = TestDataDir() + "/cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  std::string cmd = options.env + " " + KolibriBinary() + " " + args + " 2>" + base + ".err";
  if (!options.stdin_text.empty()) {
    std::ofstream(base + ".in") << options.stdin_text;
    cmd += " <" + base + ".in";
  } else {
    cmd += " </dev/null";
  }
  CliResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.signalled = WIFSIGNALED(status);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(base + ".err");
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  std::remove((base + ".err").c_str());
  std::remove((base + ".in").c_str());
  return r;
}

}  // namespace kolibri::testing
