// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#ifdef _WIN32
#include <process.h>
#define getpid _getpid
#else
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace berth::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

struct Result {
  int status;
  std::string out;
  std::string err;
};

Result RunCli(std::vector<std::string> argv) {
  std::ostringstream out, err;
  const int status = Main(argv, out, err);
  return {status, out.str(), err.str()};
}

// OneErrorLine: exactly one line on stderr, starting "berth: ".
void ExpectOneErrorLine(const Result& r) {
  EXPECT_THAT(r.err, StartsWith("berth: "));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(InspectCommandTest, SelfIsAliveWithStartTokenAndName) {
  const std::string pid = absl::StrCat(getpid());
  Result r = RunCli({"inspect", pid});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, MatchesRegex(pid + " alive [0-9]+ .+\n"));
}

TEST(InspectCommandTest, JsonHasTheDocumentedKeys) {
  const std::string pid = absl::StrCat(getpid());
  Result r = RunCli({"inspect", "--json", pid});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, MatchesRegex("\\{\"pid\": " + pid +
                                  ", \"state\": \"alive\", \"start\": "
                                  "\"[0-9]+\", \"name\": \".+\"\\}\n"));
}

#ifndef _WIN32
TEST(InspectCommandTest, ReapedChildIsDeadWithoutStart) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  int wstatus;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  Result r = RunCli({"inspect", absl::StrCat(child)});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out, absl::StrCat(child, " dead - -\n"));
  r = RunCli({"inspect", "--json", absl::StrCat(child)});
  EXPECT_EQ(r.out, absl::StrCat("{\"pid\": ", child, ", \"state\": \"dead\"}\n"));
}
#endif

TEST(InspectCommandTest, OneLinePerPidInOrder) {
  const std::string pid = absl::StrCat(getpid());
  Result r = RunCli({"inspect", pid, "1", pid});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], StartsWith(pid + " "));
  EXPECT_THAT(lines[1], StartsWith("1 "));
  EXPECT_THAT(lines[2], StartsWith(pid + " "));
}

TEST(InspectCommandTest, MalformedPidIsAUsageError) {
  for (const char* bad : {"abc", "-1", "99999999999", "0", "12x"}) {
    Result r = RunCli({"inspect", "1", bad});
    EXPECT_EQ(r.status, kExitUsage) << bad;
    EXPECT_EQ(r.out, "") << "nothing is inspected when any PID is bad";
    ExpectOneErrorLine(r);
    EXPECT_THAT(r.err, HasSubstr(bad));
  }
}

TEST(InspectCommandTest, UsageErrors) {
  for (std::vector<std::string> argv :
       {std::vector<std::string>{"inspect"},
        std::vector<std::string>{"inspect", "--bogus", "1"},
        std::vector<std::string>{"nosuchcommand"}}) {
    Result r = RunCli(argv);
    EXPECT_EQ(r.status, kExitUsage);
    ExpectOneErrorLine(r);
  }
}

TEST(InspectCommandTest, HelpSaysWhatItDoes) {
  Result r = RunCli({"inspect", "--help"});
  EXPECT_EQ(r.status, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("Usage: berth inspect PID"));
  r = RunCli({"--help"});
  EXPECT_EQ(r.status, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("inspect PID"));
}

}  // namespace
}  // namespace berth::cli
