// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth run through cli::Main. A run that starts its program happens in a
// copy of this program (`--cli`, see main), since berth may exec; the
// program is another copy (`--serve`) that reports what it was given. No
// fork, so Windows runs these too.

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/lease.h"
#include "cli/commands.h"
#include "cli/internal/cli_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::IsOneErrorLine;
using testing::NewDir;
using testing::ReportValues;
using testing::Result;
using testing::RunCli;

constexpr char kRange[] = "24700-24999";
constexpr char kMissing[] = "/no/such/dir/no-such-program";

TEST(RunCommandTest, SeveralAppsGetPortsInTheEnvironmentAndArguments) {
  const std::string reg = NewDir("reg");
  testing::Server server = testing::StartServer(
      {"--registry", reg, "--scope", "none", "--range", kRange, "web", "api",
       "hmr"},
      -1, false,
      {"$PORT", "$BERTH_PORT", "$BERTH_APP", "$WEB_PORT", "$API_PORT",
       "$HMR_PORT", "{port}", "{port:api}", "x{port:hmr}y"});
  ASSERT_NE(server.report, "") << "the program never started";
  const std::string& r = server.report;
  const std::vector<std::string> web = ReportValues(r, "WEB_PORT");
  const std::vector<std::string> api = ReportValues(r, "API_PORT");
  const std::vector<std::string> hmr = ReportValues(r, "HMR_PORT");
  ASSERT_EQ(web.size(), 1u) << r;
  ASSERT_EQ(api.size(), 1u) << r;
  ASSERT_EQ(hmr.size(), 1u) << r;
  EXPECT_NE(web[0], api[0]);
  EXPECT_NE(api[0], hmr[0]);
  EXPECT_THAT(ReportValues(r, "PORT"), ElementsAre(web[0]));
  EXPECT_THAT(ReportValues(r, "BERTH_PORT"), ElementsAre(web[0]));
  EXPECT_THAT(ReportValues(r, "BERTH_APP"), ElementsAre("web"));
  EXPECT_THAT(ReportValues(r, "arg"),
              ElementsAre(web[0], api[0], absl::StrCat("x", hmr[0], "y")));

  // All three are held by the run (berth, or the program it became).
  Result list = RunCli({"list", "--registry", reg, "--json"});
  const std::string pid = absl::StrCat(server.process->pid());
  for (const auto& [app, port] :
       {std::pair<std::string, std::string>{"web", web[0]},
        {"api", api[0]},
        {"hmr", hmr[0]}}) {
    EXPECT_THAT(list.out, HasSubstr(absl::StrCat("{\"app\": \"", app,
                                                 "\", \"port\": ", port,
                                                 ", \"pid\": ", pid)))
        << list.out;
  }
  server.process->Kill();
  server.process->Wait();
}

TEST(RunCommandTest, AWantedPortThatIsTakenIsExplained) {
  const std::string reg = NewDir("reg");
  Options options;
  options.registry_dir = reg;
  options.scope = "none";
  options.range = *ParseRange(kRange);
  auto taken = Acquire("holder", options);
  ASSERT_TRUE(taken.ok()) << taken.status();
  // A program that cannot start: run returns (127) instead of exec'ing, so
  // this can run here.
  Result r =
      RunCli({"run", "--registry", reg, "--scope", "none", "--range", kRange,
              "--port", absl::StrCat(taken->port()), "other", "--", kMissing});
  EXPECT_EQ(r.status, 127);
  EXPECT_THAT(r.err,
              HasSubstr(absl::StrCat("berth: run: wanted port ", taken->port(),
                                     " is held by holder")));
  EXPECT_THAT(r.err, HasSubstr("no-such-program: command not found\n"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 2) << r.err;
  // Nothing stays held for a program that did not start.
  Result list = RunCli({"list", "--registry", reg});
  EXPECT_FALSE(absl::StrContains(list.out, "other")) << list.out;
}

TEST(RunCommandTest, DashDashBeforeTheAppsEndsTheOptions) {
  const std::string reg = NewDir("reg");
  Result r = RunCli({"run", "--registry", reg, "--scope", "none", "--range",
                     kRange, "--", "-x", "--", kMissing});
  EXPECT_EQ(r.status, 127) << r.err;
  EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("command not found"));
}

TEST(RunCommandTest, BadInputIsExit2InOneLine) {
  const std::string reg = NewDir("reg");
  const std::vector<std::vector<std::string>> bad = {
      {"run", "web"},
      {"run", "web", "--"},
      {"run", "--", "--", "x"},
      {"run", "web", "--", "x", "{port:nope}"},
      {"run", "web", "--host", "::1", "--", "x"},
      {"run", "web", "web", "--", "x"},
      {"run", "my-api", "my_api", "--", "x"},
      {"run", "web", "--port", "0", "--", "x"},
      {"run", "web", "--range", "1-2-3", "--", "x"},
      {"run", "a\nb", "--", "x"},
  };
  for (std::vector<std::string> argv : bad) {
    argv.insert(argv.begin() + 1, {"--registry", reg});
    Result r = RunCli(argv);
    const std::string what = absl::StrJoin(argv, " ");
    EXPECT_EQ(r.status, kExitUsage) << what << ": " << r.err;
    EXPECT_TRUE(IsOneErrorLine(r.err)) << what << ": " << r.err;
  }
  Result list = RunCli({"list", "--registry", reg});
  EXPECT_EQ(list.out, "no ports held\n");
}

}  // namespace
}  // namespace berth::cli
