// `kolibri index` end to end through the binary: per-file reports, exit codes, JSON output.
#include <sys/wait.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ingest/ingest_test_util.h"

namespace {

struct CliRun {
  int code = -1;
  std::string out;
};

CliRun Kolibri(const std::string& args) {
  const char* bin = std::getenv("KOLIBRI_BIN");
  CliRun r;
  FILE* p = ::popen((std::string(bin != nullptr ? bin : "kolibri") + " " + args + " 2>&1").c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(IndexCommandTest, AddSearchListRemove) {
  kolibri::testing::TempDir dir;
  dir.Write("docs/refunds.md", "# Refunds\n\nRefunds are paid within five business days.\n");
  dir.Write("docs/blob.txt", std::string("\0\0\0binary", 9));
  const std::string db = dir.path() + "/index.db";
  CliRun add = Kolibri("index add --index " + db + " " + dir.path() + "/docs " + dir.path() + "/missing");
  EXPECT_EQ(add.code, 1) << add.out;
  EXPECT_NE(add.out.find("blob.txt: binary file"), std::string::npos) << add.out;
  EXPECT_NE(add.out.find("missing: no such file or folder"), std::string::npos) << add.out;
  EXPECT_NE(add.out.find("1 added, 0 unchanged, 2 failed"), std::string::npos) << add.out;

  CliRun search = Kolibri("index search --index " + db + " 'refunds paid' -k 3 --json");
  ASSERT_EQ(search.code, 0) << search.out;
  const nlohmann::json hits = nlohmann::json::parse(search.out);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]["title"], "Refunds");
  EXPECT_EQ(hits[0]["source_path"], dir.path() + "/docs/refunds.md");
  EXPECT_EQ(hits[0]["begin"], 0);

  CliRun ls = Kolibri("index ls --index " + db + " --json");
  ASSERT_EQ(ls.code, 0) << ls.out;
  EXPECT_EQ(nlohmann::json::parse(ls.out).size(), 1u);

  EXPECT_EQ(Kolibri("index rm --index " + db + " " + dir.path() + "/docs").code, 0);
  EXPECT_EQ(Kolibri("index rm --index " + db + " " + dir.path() + "/docs").code, 3);
  EXPECT_EQ(Kolibri("index ls --index " + dir.path() + "/nope.db").code, 3);
  const std::string bad = dir.Write("bad.db", std::string(4096, 'z'));
  CliRun corrupt = Kolibri("index search --index " + bad + " x");
  EXPECT_EQ(corrupt.code, 4) << corrupt.out;
  EXPECT_EQ(Kolibri("index search --index " + db + " x -k 0").code, 2);
}

}  // namespace
