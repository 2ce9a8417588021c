// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
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

using ::testing::EndsWith;
using ::testing::HasSubstr;
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

// IsNumber: one or more ASCII digits. (A matcher of its own: gtest's regular
// expressions on Windows know no [0-9], and POSIX ones no \d.)
bool IsNumber(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), absl::ascii_isdigit);
}

TEST(InspectCommandTest, SelfIsAliveWithStartTokenAndName) {
  const std::string pid = absl::StrCat(getpid());
  Result r = RunCli({"inspect", pid});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  // PID alive START NAME
  ASSERT_THAT(r.out, EndsWith("\n"));
  const std::vector<std::string> fields =
      absl::StrSplit(absl::StripSuffix(r.out, "\n"), absl::MaxSplits(' ', 3));
  ASSERT_EQ(fields.size(), 4u) << r.out;
  EXPECT_EQ(fields[0], pid);
  EXPECT_EQ(fields[1], "alive");
  EXPECT_TRUE(IsNumber(fields[2])) << r.out;
  EXPECT_FALSE(fields[3].empty()) << r.out;
}

TEST(InspectCommandTest, JsonHasTheDocumentedKeys) {
  const std::string pid = absl::StrCat(getpid());
  Result r = RunCli({"inspect", "--json", pid});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  absl::string_view out = r.out;
  const std::string head =
      absl::StrCat("{\"pid\": ", pid, ", \"state\": \"alive\", \"start\": \"");
  ASSERT_TRUE(absl::ConsumePrefix(&out, head)) << r.out;
  const size_t digits = out.find('"');
  ASSERT_NE(digits, absl::string_view::npos) << r.out;
  EXPECT_TRUE(IsNumber(out.substr(0, digits))) << r.out;
  out.remove_prefix(digits);
  ASSERT_TRUE(absl::ConsumePrefix(&out, "\", \"name\": \"")) << r.out;
  ASSERT_TRUE(absl::ConsumeSuffix(&out, "\"}\n")) << r.out;
  EXPECT_FALSE(out.empty()) << r.out;
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
