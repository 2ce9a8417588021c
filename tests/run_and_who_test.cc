// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// `berth run` and `berth who`, through the berth program, on every OS. On
// Windows (under wine here) berth stays the program's parent: it holds the
// leases, a job object ends the program with berth, and berth passes the
// exit code on (api/run.h, platform/exec_win.cc). On Linux inside bazel
// test's PID namespace berth does the same (PR_SET_PDEATHSIG); elsewhere it
// execs the program, and the promises checked here hold either way.
//
// The program berth runs is this test started again with --child (see
// ChildMain): it reports what it was given (its PID, the port variables,
// its arguments) in a file, listens on $PORT if asked, and exits with a
// given code once a file tells it to.
//
// Usage: run_and_who_test PATH_TO_BERTH

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/admin.h"
#include "api/lease.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/exec.h"
#include "platform/file.h"
#include "platform/port.h"
#include "platform/process.h"
#include "tests/subprocess.h"

namespace berth {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using tests::Subprocess;

constexpr PortRange kRange{24000, 24999};
const absl::Duration kPatience = absl::Seconds(60);

const char* g_argv0 = nullptr;
std::string g_berth;  // the berth program, absolute

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "-";
}

// ChildMain is the program berth runs: `--child DIR NAME EXIT LISTEN ARGS...`
// reports to DIR/NAME.report, listens on 127.0.0.1:$PORT when LISTEN is
// "listen", and exits with EXIT once DIR/NAME.exit exists.
int ChildMain(const std::vector<std::string>& argv) {
  const std::string dir = argv[0];
  const std::string name = argv[1];
  int exit_code = 0;
  if (!absl::SimpleAtoi(argv[2], &exit_code)) return 2;
  std::optional<intptr_t> listener;
  if (argv[3] == "listen") {
    uint32_t port = 0;
    if (!absl::SimpleAtoi(Env("PORT"), &port) || port == 0 || port > 65535) {
      return 3;
    }
    absl::StatusOr<intptr_t> socket =
        platform::ListenTcp("127.0.0.1", static_cast<uint16_t>(port));
    if (!socket.ok()) return 4;
    listener = *socket;
  }
  std::string report = absl::StrCat("pid ", platform::CurrentProcessId(), "\n");
  for (const char* variable :
       {"PORT", "BERTH_PORT", "BERTH_APP", "WEB_PORT", "API_PORT"}) {
    absl::StrAppend(&report, variable, " ", Env(variable), "\n");
  }
  for (size_t i = 4; i < argv.size(); ++i) {
    absl::StrAppend(&report, "arg ", argv[i], "\n");
  }
  if (!platform::ReplaceFileAtomically(
           platform::JoinPath(dir, name + ".report"), report)
           .ok()) {
    return 5;
  }
  if (!tests::WaitForFile(platform::JoinPath(dir, name + ".exit"),
                          absl::Seconds(120))) {
    return 6;
  }
  return exit_code;  // the listener closes with the process
}

// Report is what a child reported: "pid" -> {"123"}, "arg" -> {...}.
using Report = std::map<std::string, std::vector<std::string>>;

class RunAndWhoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tests::TestDirectory();
    ASSERT_FALSE(dir_.empty());
    registry_ = platform::JoinPath(dir_, "registry");
  }

  // A test that failed halfway leaves children waiting: tell each to exit.
  void TearDown() override {
    std::error_code ignored;
    for (const auto& file : fs::directory_iterator(dir_, ignored)) {
      const std::string name = file.path().filename().string();
      if (absl::EndsWith(name, ".report")) {
        (void)platform::ReplaceFileAtomically(
            Path(absl::StrCat(absl::StripSuffix(name, ".report"), ".exit")),
            "");
      }
    }
  }

  Options RegistryOptions() const {
    Options options;
    options.registry_dir = registry_;
    options.range = kRange;
    options.scope = "none";
    return options;
  }

  // Berth starts `berth ARGS...` with this test's registry and range,
  // stdout and stderr going to DIR/OUT.out and DIR/OUT.err.
  std::unique_ptr<Subprocess> Berth(const std::vector<std::string>& args,
                                    const std::string& out) {
    std::vector<std::string> argv = {g_berth};
    // Flags go before a "--", after the command and its apps.
    bool flagged = false;
    for (const std::string& arg : args) {
      if (arg == "--" && !flagged) {
        argv.insert(argv.end(), {"--registry", registry_, "--range",
                                 absl::StrCat(kRange.lo, "-", kRange.hi)});
        flagged = true;
      }
      argv.push_back(arg);
    }
    if (!flagged) argv.insert(argv.end(), {"--registry", registry_});
    Subprocess::Options options;
    options.stdout_path = Path(out + ".out");
    options.stderr_path = Path(out + ".err");
    absl::StatusOr<std::unique_ptr<Subprocess>> berth =
        Subprocess::Start(argv, options);
    EXPECT_TRUE(berth.ok()) << berth.status();
    return berth.ok() ? *std::move(berth) : nullptr;
  }

  // Child is the command line of a child that reports as `name`.
  std::vector<std::string> Child(const std::string& name, int exit_code,
                                 bool listen = false) const {
    return {tests::ProgramPath(g_argv0),
            "--child",
            dir_,
            name,
            absl::StrCat(exit_code),
            listen ? "listen" : "quiet"};
  }

  // RunServer starts `berth run ARGS... -- CHILD EXTRA...`, the child
  // reporting as "server".
  std::unique_ptr<Subprocess> RunServer(
      const std::vector<std::string>& args, int exit_code, bool listen = false,
      const std::vector<std::string>& extra = {}) {
    std::vector<std::string> run = {"run"};
    run.insert(run.end(), args.begin(), args.end());
    run.push_back("--");
    for (const std::string& arg : Child("server", exit_code, listen)) {
      run.push_back(arg);
    }
    run.insert(run.end(), extra.begin(), extra.end());
    return Berth(run, "run");
  }

  std::string Path(const std::string& name) const {
    return platform::JoinPath(dir_, name);
  }

  std::string Read(const std::string& name) const {
    absl::StatusOr<std::string> text =
        platform::ReadFileToString(Path(name), 1 << 20);
    return text.ok() ? *text : "";
  }

  // WaitForReport returns child `name`'s report; fails the test (and
  // returns an empty one) after kPatience.
  Report WaitForReport(const std::string& name) {
    Report report;
    if (!tests::WaitForFile(Path(name + ".report"), kPatience)) {
      ADD_FAILURE() << "no report from child " << name;
      return report;
    }
    for (absl::string_view line :
         absl::StrSplit(Read(name + ".report"), '\n', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv =
          absl::StrSplit(line, absl::MaxSplits(' ', 1));
      report[kv.first].push_back(kv.second);
    }
    return report;
  }

  static uint16_t PortOf(const Report& report, const std::string& variable) {
    uint32_t port = 0;
    const auto it = report.find(variable);
    if (it == report.end() || it->second.size() != 1 ||
        !absl::SimpleAtoi(it->second[0], &port) || port > 65535) {
      return 0;
    }
    return static_cast<uint16_t>(port);
  }

  static int64_t PidOf(const Report& report) {
    int64_t pid = 0;
    const auto it = report.find("pid");
    if (it == report.end() || !absl::SimpleAtoi(it->second.at(0), &pid)) {
      return 0;
    }
    return pid;
  }

  void TellToExit(const std::string& name) {
    ASSERT_TRUE(platform::ReplaceFileAtomically(Path(name + ".exit"), "").ok());
  }

  // Live returns app -> port of the registry's live entries.
  std::map<std::string, uint16_t> Live() const {
    std::map<std::string, uint16_t> live;
    absl::StatusOr<std::vector<Entry>> list = List(RegistryOptions());
    EXPECT_TRUE(list.ok()) << list.status();
    if (!list.ok()) return live;
    for (const Entry& e : *list) {
      if (e.state == EntryState::kLive) live[e.app] = e.port;
    }
    return live;
  }

  // PortIsFree says whether a lease asked for `port` gets it.
  bool PortIsFree(uint16_t port) const {
    Options options = RegistryOptions();
    options.port = port;
    absl::StatusOr<Lease> lease = Acquire("probe", options);
    EXPECT_TRUE(lease.ok()) << lease.status();
    return lease.ok() && lease->port() == port;
  }

  std::string dir_;
  std::string registry_;
};

TEST_F(RunAndWhoTest, SetsThePortsOfEveryAppAndPassesTheExitCodeOn) {
  std::unique_ptr<Subprocess> berth =
      RunServer({"web", "api"}, 7, /*listen=*/false,
                {"--port={port}", "--api={port:api}", "two words"});
  ASSERT_NE(berth, nullptr);

  const Report report = WaitForReport("server");
  const uint16_t web = PortOf(report, "WEB_PORT");
  const uint16_t api = PortOf(report, "API_PORT");
  ASSERT_NE(web, 0) << Read("run.err");
  ASSERT_NE(api, 0);
  EXPECT_NE(web, api);
  EXPECT_EQ(PortOf(report, "PORT"), web) << "PORT is the first app's";
  EXPECT_EQ(PortOf(report, "BERTH_PORT"), web);
  EXPECT_THAT(report.at("BERTH_APP"), ElementsAre("web"));
  EXPECT_THAT(report.at("arg"),
              ElementsAre(absl::StrCat("--port=", web),
                          absl::StrCat("--api=", api), "two words"));

  // While the program runs, both ports are held: live in the registry, and
  // another app asking for one gets another port.
  EXPECT_EQ(Live(),
            (std::map<std::string, uint16_t>{{"api", api}, {"web", web}}));
  {
    Options options = RegistryOptions();
    options.port = web;
    absl::StatusOr<Lease> intruder = Acquire("intruder", options);
    ASSERT_TRUE(intruder.ok()) << intruder.status();
    EXPECT_NE(intruder->port(), web);
    EXPECT_NE(intruder->port(), api);
  }

  TellToExit("server");
  const std::optional<int> status = berth->WaitFor(kPatience);
  ASSERT_TRUE(status.has_value()) << "berth did not end with its program";
  EXPECT_EQ(*status, 7) << "the program's exit code, passed on";
  EXPECT_THAT(Live(), IsEmpty());
  EXPECT_TRUE(PortIsFree(web));
  EXPECT_TRUE(PortIsFree(api));
}

TEST_F(RunAndWhoTest, AKilledProgramsPortIsFreeOnceBerthReturns) {
  std::unique_ptr<Subprocess> berth = RunServer({"web"}, 0);
  ASSERT_NE(berth, nullptr);
  const Report report = WaitForReport("server");
  const uint16_t port = PortOf(report, "PORT");
  ASSERT_NE(port, 0) << Read("run.err");
  ASSERT_EQ(Live().count("web"), 1u);

  ASSERT_TRUE(tests::KillProcess(PidOf(report)).ok());
  const std::optional<int> status = berth->WaitFor(kPatience);
  ASSERT_TRUE(status.has_value()) << "berth did not end with its program";
  // 137: SIGKILL as a shell reports it; TerminateProcess(137) on Windows.
  EXPECT_EQ(*status, 137);
  EXPECT_THAT(Live(), IsEmpty());
  EXPECT_TRUE(PortIsFree(port));
}

TEST_F(RunAndWhoTest, TheProgramDoesNotOutliveAKilledBerth) {
  std::unique_ptr<Subprocess> berth = RunServer({"web"}, 0);
  ASSERT_NE(berth, nullptr);
  const Report report = WaitForReport("server");
  const uint16_t port = PortOf(report, "PORT");
  const int64_t pid = PidOf(report);
  ASSERT_NE(port, 0) << Read("run.err");

  berth->Kill();
  berth->Wait();
  // The job object (Windows) or PR_SET_PDEATHSIG (Linux) ends the program
  // with berth; where berth exec'd it, they were one process.
  platform::Liveness liveness = platform::Liveness::kAlive;
  for (const absl::Time deadline = absl::Now() + kPatience;
       liveness == platform::Liveness::kAlive && absl::Now() < deadline;) {
    absl::StatusOr<platform::ProcessStatus> inspected =
        platform::SystemProcessInspector().Inspect(pid);
    ASSERT_TRUE(inspected.ok()) << inspected.status();
    liveness = inspected->liveness;
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(liveness, platform::Liveness::kDead);
  EXPECT_TRUE(PortIsFree(port));
}

TEST_F(RunAndWhoTest, AProgramThatCannotStartIs127AndHoldsNothing) {
  std::unique_ptr<Subprocess> berth =
      Berth({"run", "web", "--", Path("no-such-program")}, "run");
  ASSERT_NE(berth, nullptr);
  const std::optional<int> status = berth->WaitFor(kPatience);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 127);
  EXPECT_THAT(Read("run.err"), HasSubstr("command not found"));
  EXPECT_THAT(Live(), IsEmpty());
}

TEST_F(RunAndWhoTest, AWantedPortHeldElsewhereIsSaidOnStderr) {
  absl::StatusOr<Lease> holder = Acquire("holder", RegistryOptions());
  ASSERT_TRUE(holder.ok()) << holder.status();
  const uint16_t held = holder->port();

  std::unique_ptr<Subprocess> berth =
      RunServer({"web", "--port", absl::StrCat(held)}, 0);
  ASSERT_NE(berth, nullptr);
  const Report report = WaitForReport("server");
  EXPECT_NE(PortOf(report, "PORT"), held);
  EXPECT_NE(PortOf(report, "PORT"), 0);
  EXPECT_THAT(Read("run.err"),
              HasSubstr(absl::StrCat("wanted port ", held, " is held by")));
  TellToExit("server");
  EXPECT_EQ(berth->WaitFor(kPatience), std::optional<int>(0));
}

// berth who reads the OS's table of listening sockets (Windows:
// GetExtendedTcpTable). wine lists the socket but reports no owning PID
// (dwOwningPid 0): there the PID and name must be "-", and only the port,
// family, address and app are checked.
TEST_F(RunAndWhoTest, WhoNamesTheListenerAndTheAppItRunsFor) {
  std::unique_ptr<Subprocess> berth = RunServer({"web"}, 0, /*listen=*/true);
  ASSERT_NE(berth, nullptr);
  const Report report = WaitForReport("server");
  const uint16_t port = PortOf(report, "PORT");
  const int64_t pid = PidOf(report);
  ASSERT_NE(port, 0) << Read("run.err");

  std::unique_ptr<Subprocess> who = Berth({"who", absl::StrCat(port)}, "who");
  ASSERT_NE(who, nullptr);
  EXPECT_EQ(who->WaitFor(kPatience), std::optional<int>(0)) << Read("who.err");
  const std::string out = Read("who.out");
  std::vector<std::string> lines =
      absl::StrSplit(out, absl::ByAnyChar("\r\n"), absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u) << out;
  std::vector<std::string> fields = absl::StrSplit(lines[0], ' ');
  ASSERT_EQ(fields.size(), 7u) << lines[0];
  EXPECT_EQ(fields[0], absl::StrCat(port));
  EXPECT_EQ(fields[1], "ipv4");
  EXPECT_EQ(fields[2], "127.0.0.1");
  if (tests::RunsUnderWine() && fields[3] == "-") {
    std::cerr << "note: wine reports no owning PID for listening sockets; "
                 "berth who shows \"-\" there, and the PID and name were not "
                 "checked\n";
    EXPECT_EQ(fields[4], "-");
  } else {
    EXPECT_EQ(fields[3], absl::StrCat(pid)) << lines[0];
    // Linux keeps 15 bytes of a process name (comm).
    EXPECT_THAT(fields[4], HasSubstr("run_and_who_tes")) << lines[0];
  }
  EXPECT_EQ(fields[5], "app");
  EXPECT_EQ(fields[6], "web");

  who = Berth({"who", absl::StrCat(port), "--json"}, "who_json");
  ASSERT_NE(who, nullptr);
  EXPECT_EQ(who->WaitFor(kPatience), std::optional<int>(0));
  EXPECT_THAT(Read("who_json.out"), HasSubstr("\"family\": \"ipv4\""));
  EXPECT_THAT(Read("who_json.out"), HasSubstr("\"app\": \"web\""));

  TellToExit("server");
  EXPECT_EQ(berth->WaitFor(kPatience), std::optional<int>(0));
  who = Berth({"who", absl::StrCat(port)}, "who_after");
  ASSERT_NE(who, nullptr);
  EXPECT_EQ(who->WaitFor(kPatience), std::optional<int>(1))
      << "nobody listens any more";
  EXPECT_THAT(Read("who_after.out"),
              HasSubstr(absl::StrCat("nobody listens on port ", port)));
}

// Windows gives a program its argv in the ANSI code page, which has no
// room for most names; berth reads its arguments from the UTF-16 command
// line instead, and hands them on as UTF-16. (The child reads its own the
// same way: platform::ProgramArguments.)
TEST_F(RunAndWhoTest, NamesAndArgumentsBeyondASCIIArriveIntact) {
  const std::string app =
      "w\xC3\xAB"
      "b-\xE6\x97\xA5\xE6\x9C\xAC";                          // wëb-日本
  const std::string arg = "\xC3\xBCn\xC3\xAF \xE2\x9C\x93";  // ünï ✓
  std::unique_ptr<Subprocess> run = RunServer({app}, 0, false, {arg});
  ASSERT_NE(run, nullptr);
  const Report report = WaitForReport("server");
  ASSERT_EQ(report.count("arg"), 1u) << Read("run.err");
  EXPECT_THAT(report.at("arg"), ElementsAre(arg));
  const std::map<std::string, uint16_t> live = Live();
  EXPECT_EQ(live.count(app), 1u) << Read("run.err");
  TellToExit("server");
  EXPECT_EQ(run->Wait(), 0) << Read("run.err");
}

}  // namespace
}  // namespace berth

// main: `--child DIR NAME EXIT LISTEN ARGS...` runs ChildMain; otherwise
// argv[1] is the berth program and the tests run.
int main(int argc, char** argv) {
  berth::g_argv0 = argv[0];
  if (argc >= 6 && std::strcmp(argv[1], "--child") == 0) {
    absl::StatusOr<std::vector<std::string>> args =
        berth::platform::ProgramArguments(argc, argv);
    if (!args.ok()) return 7;
    return berth::ChildMain(
        std::vector<std::string>(args->begin() + 1, args->end()));
  }
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::cerr << "usage: run_and_who_test PATH_TO_BERTH\n";
    return 2;
  }
  berth::g_berth = argv[1];
  // berth's scope would otherwise follow the current directory's git tree.
#ifdef _WIN32
  _putenv_s("BERTH_SCOPE", "none");
#else
  setenv("BERTH_SCOPE", "none", 1);
#endif
  return RUN_ALL_TESTS();
}
