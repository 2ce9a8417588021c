// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth wait / stop / url through cli::Main, against servers that `berth
// run` started in copies of this program (see main). No fork, so Windows
// runs these too.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "api/lease.h"
#include "cli/commands.h"
#include "cli/internal/cli_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/process.h"

namespace berth::cli {
namespace {

using ::testing::HasSubstr;
using testing::IsOneErrorLine;
using testing::NewDir;
using testing::ReportValues;
using testing::Result;
using testing::RunCli;
using ::testing::StartsWith;

constexpr char kRange[] = "25000-25299";

class ControlTest : public ::testing::Test {
 protected:
  Result Run(std::vector<std::string> argv) {
    argv.insert(argv.begin() + 1, {"--registry", reg_, "--scope", "none"});
    return RunCli(argv);
  }
  testing::Server Start(const std::string& app, int listen_after_ms,
                        bool ignore_term = false) {
    return testing::StartServer(
        {"--registry", reg_, "--scope", "none", "--range", kRange, app},
        listen_after_ms, ignore_term, {"$PORT"});
  }

  const std::string reg_ = NewDir("reg");
};

TEST_F(ControlTest, WaitUrlStopAndWaitFree) {
  testing::Server server = Start("web", 300);
  ASSERT_NE(server.report, "");
  const std::string port = ReportValues(server.report, "PORT").at(0);

  Result r = Run({"wait", "web", "--timeout", "30"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(Run({"wait", port}).status, kExitOk);

  r = Run({"url", "web"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("http://web.localhost:", port, "\n"));

  r = Run({"stop", "web"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("stopped web: pid ", server.process->pid(),
                                " (port ", port, ") exited after TERM\n"));
  EXPECT_EQ(server.process->Wait(), 143);  // 128 + SIGTERM, passed on

  r = Run({"wait", "web", "--free", "--timeout", "30"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  r = Run({"stop", "web"});
  EXPECT_EQ(r.status, kExitFailure);
  EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("has no live holder"));
  r = Run({"url", "web"});
  EXPECT_EQ(r.status, kExitFailure);
  EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
}

TEST_F(ControlTest, WaitGivesUpAtTheTimeoutInOneLine) {
  testing::Server server = Start("mute", -1);
  ASSERT_NE(server.report, "");
  const absl::Time start = absl::Now();
  Result r = Run({"wait", "mute", "--timeout", "0.3"});
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
  EXPECT_EQ(r.status, kExitFailure);
  EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
  EXPECT_THAT(r.err, StartsWith("berth: wait: gave up after 0.3 s: nothing "
                                "listens on port "));
  r = Run({"wait", "mute", "--free", "--timeout", "0"});
  EXPECT_EQ(r.status, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("is still held"));
  r = Run({"wait", "nobody", "--timeout", "0"});
  EXPECT_EQ(r.status, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("app \"nobody\" has no live holder"));
}

TEST_F(ControlTest, StopKillAfterEndsAServerThatIgnoresTerm) {
  testing::Server server = Start("stubborn", -1, /*ignore_term=*/true);
  ASSERT_NE(server.report, "");
  const std::string port = ReportValues(server.report, "PORT").at(0);
#ifdef _WIN32
  std::printf("note: Windows has no signal to ignore; only KILL is checked\n");
#else
  Result r = Run({"stop", "stubborn", "--timeout", "0.3"});
  EXPECT_EQ(r.status, kExitFailure);
  EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("still runs 0.3 s after TERM"));
  EXPECT_THAT(r.err, HasSubstr("--kill-after"));
#endif
  Result killed = Run({"stop", "stubborn", "--timeout", "0.3", "--kill-after"});
  EXPECT_EQ(killed.status, kExitOk) << killed.err;
#ifndef _WIN32
  EXPECT_EQ(killed.out,
            absl::StrCat("stopped stubborn: pid ", server.process->pid(),
                         " (port ", port, ") exited after KILL\n"));
#endif
  const int code = server.process->Wait();
  EXPECT_TRUE(code == 137 || code == 143) << code;
}

TEST_F(ControlTest, StopWithAnotherSignal) {
  testing::Server server = Start("hup", -1);
  ASSERT_NE(server.report, "");
  Result r = Run({"stop", "hup", "--signal", "sighup"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("exited after HUP\n"));
#ifndef _WIN32
  EXPECT_EQ(server.process->Wait(), 129);  // 128 + SIGHUP
#endif
}

TEST_F(ControlTest, StopRefusesTheProcessThatRunsIt) {
  Options options;
  options.registry_dir = reg_;
  options.scope = "none";
  auto lease = Acquire("mine", options);
  ASSERT_TRUE(lease.ok()) << lease.status();
  Result r = Run({"stop", "mine"});
  EXPECT_EQ(r.status, kExitFailure);
  EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("berth release"));
}

TEST_F(ControlTest, UrlMakesDnsLabelsOrSaysItCannot) {
  Options options;
  options.registry_dir = reg_;
  options.scope = "none";
  auto a = Acquire("My_App.v2", options);
  ASSERT_TRUE(a.ok());
  auto b = Acquire("api", options);
  ASSERT_TRUE(b.ok());
  Result r = Run({"url", "My_App.v2", "api"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("http://my-app-v2.localhost:", a->port(),
                                "\nhttp://api.localhost:", b->port(), "\n"));
  r = Run({"url", "api", "caf\xc3\xa9\xc2\x9b"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_EQ(r.out, "") << "names are checked before anything is printed";
  EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("cannot be made a DNS label"));
  EXPECT_THAT(r.err, HasSubstr("\\u009b"));
}

TEST_F(ControlTest, BadInputIsExit2InOneLineAndTouchesNothing) {
  const std::vector<std::vector<std::string>> bad = {
      {"wait", "0"},
      {"wait", "70000"},
      {"wait", "web", "--timeout", "-1"},
      {"wait", "web", "--timeout", "abc"},
      {"wait", "web", "--timeout", "100000"},
      {"wait", "a\x1b[2Jb"},
      {"stop", "web", "--signal", "STOP"},
      {"stop", "web", "--signal", "9"},
      {"stop", "web", "--timeout", "x"},
      {"stop", ""},
      {"url", "---"},
      {"url", ""},
  };
  for (const auto& argv : bad) {
    Result r = Run(argv);
    const std::string what = absl::StrJoin(argv, " ");
    EXPECT_EQ(r.status, kExitUsage) << what << ": " << r.err;
    EXPECT_TRUE(IsOneErrorLine(r.err)) << what << ": " << r.err;
    EXPECT_EQ(r.out, "");
  }
  Result list = RunCli({"list", "--registry", reg_});
  EXPECT_EQ(list.out, "no ports held\n");
}

}  // namespace
}  // namespace berth::cli
