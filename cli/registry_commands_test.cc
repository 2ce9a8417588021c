// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth get / release / list / prune / who through cli::Main. Holders are
// this process (berth::Acquire) or copies of this program (see main), never
// forks, so Windows runs these too.
//
// `berth get` reserves ports for a process every berth can check: inside
// a PID namespace of its own (bazel test's sandbox) it is refused, and
// these tests check the refusal there and the reservations elsewhere
// (Windows, or run outside the sandbox).

#include <algorithm>
#include <fstream>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "api/lease.h"
#include "cli/commands.h"
#include "cli/internal/cli_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/port.h"
#include "platform/process.h"
#include "platform/testing/child_process.h"

namespace berth::cli {
namespace {

using ::testing::HasSubstr;
using testing::IsOneErrorLine;
using testing::NewDir;
using ::testing::Not;
using testing::Result;
using testing::RunCli;
using ::testing::StartsWith;

constexpr char kRange[] = "24400-24699";

// Reg is a fresh registry, and berth commands on it.
class Reg {
 public:
  Reg() : dir_(NewDir("reg")) {}
  const std::string& dir() const { return dir_; }

  Result Run(std::vector<std::string> argv) const {
    argv.insert(argv.begin() + 1, {"--registry", dir_});
    return RunCli(argv);
  }

  Options options(const std::string& scope = "none") const {
    Options o;
    o.registry_dir = dir_;
    o.scope = scope;
    o.range = PortRange{24400, 24699};
    return o;
  }

  bool Exists() const {
    return std::ifstream(dir_ + "/registry").good() ||
           std::ifstream(dir_ + "/leases").good();
  }

 private:
  std::string dir_;
};

bool GetWorksHere() {
  auto ns = platform::SystemProcessInspector().SelfPidNamespace();
  return ns.ok() && platform::IsInitialPidNamespace(*ns);
}

// Sleeper is a copy of this program that does nothing until killed: an
// owner for reservations.
std::unique_ptr<platform::testing::ChildProcess> StartSleeper() {
  auto self = platform::testing::SelfPath();
  if (!self.ok()) return nullptr;
  auto child = platform::testing::ChildProcess::Start({*self, "--sleep"});
  if (!child.ok()) return nullptr;
  return *std::move(child);
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// Fields returns the blank-separated fields of the first line of `text`
// whose first field is `first` (empty when there is none). (No regular
// expressions: gtest's on Windows know no [0-9].)
std::vector<std::string> Fields(const std::string& text,
                                const std::string& first) {
  for (const std::string& line : Lines(text)) {
    std::vector<std::string> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (!fields.empty() && fields[0] == first) return fields;
  }
  return {};
}

TEST(GetCommandTest, InASandboxItIsRefusedNamingBerthRun) {
  if (GetWorksHere()) {
    std::printf(
        "note: not in a PID namespace of its own: get works here, "
        "see the other tests\n");
    return;
  }
  Reg reg;
  auto owner = StartSleeper();
  ASSERT_NE(owner, nullptr);
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"get", "web", "--owner",
                                 absl::StrCat(owner->pid())},
        std::vector<std::string>{"get", "web"}}) {
    Result r = reg.Run(argv);
    EXPECT_EQ(r.status, kExitFailure) << r.err;
    EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
    EXPECT_THAT(r.err, HasSubstr("berth run"));
    EXPECT_EQ(r.out, "");
  }
}

TEST(GetCommandTest, PortsInOrderAsPortsEnvOrJson) {
  if (!GetWorksHere()) {
    std::printf(
        "SKIP: in a PID namespace of its own, where get is refused "
        "(InASandboxItIsRefusedNamingBerthRun checks that)\n");
    return;
  }
  Reg reg;
  auto owner = StartSleeper();
  ASSERT_NE(owner, nullptr);
  const std::string pid = absl::StrCat(owner->pid());
  const std::vector<std::string> common = {"--owner", pid,       "--range",
                                           kRange,    "--scope", "none"};
  auto get = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), "get");
    argv.insert(argv.end(), common.begin(), common.end());
    return reg.Run(argv);
  };
  Result one = get({"web"});
  ASSERT_EQ(one.status, kExitOk) << one.err;
  ASSERT_EQ(Lines(one.out).size(), 1u);
  int web = 0;
  ASSERT_TRUE(absl::SimpleAtoi(Lines(one.out)[0], &web)) << one.out;
  EXPECT_EQ(get({"web"}).out, one.out) << "same owner, same app: same port";

  Result two = get({"web", "db"});
  ASSERT_EQ(two.status, kExitOk) << two.err;
  const std::vector<std::string> ports = Lines(two.out);
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0], absl::StrCat(web));
  EXPECT_NE(ports[1], ports[0]);

  Result env = get({"--format", "env", "web", "db"});
  ASSERT_EQ(env.status, kExitOk) << env.err;
  EXPECT_EQ(env.out,
            absl::StrCat("WEB_PORT=", ports[0], "\nDB_PORT=", ports[1], "\n"));

  Result json = get({"web", "--json"});
  EXPECT_THAT(json.out,
              StartsWith(absl::StrCat("{\"app\": \"web\", \"port\": ", web,
                                      ", \"pid\": ", pid, ", \"start\": \"")));
  EXPECT_THAT(json.out, HasSubstr("\"scope\": null, \"reason\": "));
  Result array = get({"web", "db", "--format", "json"});
  EXPECT_THAT(array.out, StartsWith("[{\"app\": \"web\""));
  EXPECT_THAT(array.out, HasSubstr(",\n {\"app\": \"db\""));
  EXPECT_THAT(array.out, HasSubstr("}]\n"));

  // A taken wanted port: another one, and stderr says why.
  Result wanted = get({"api", "--port", ports[0]});
  EXPECT_EQ(wanted.status, kExitOk);
  EXPECT_NE(Lines(wanted.out)[0], ports[0]);
  EXPECT_TRUE(IsOneErrorLine(wanted.err)) << wanted.err;
  EXPECT_THAT(wanted.err, HasSubstr(absl::StrCat("wanted port ", ports[0])));
}

// A stream whose every write fails, as stdout on a full disk.
class FullBuffer : public std::streambuf {
 protected:
  int_type overflow(int_type) override { return traits_type::eof(); }
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};

TEST(GetCommandTest, AResultThatCannotBeWrittenIsAFailureAndGivenBack) {
  if (!GetWorksHere()) {
    std::printf("SKIP: in a PID namespace of its own, where get is refused\n");
    return;
  }
  Reg reg;
  auto owner = StartSleeper();
  ASSERT_NE(owner, nullptr);
  FullBuffer full;
  std::ostream out(&full);
  std::ostringstream err;
  const int status =
      Main({"get", "full", "--registry", reg.dir(), "--scope", "none",
            "--owner", absl::StrCat(owner->pid()), "--range", kRange},
           out, err);
  EXPECT_EQ(status, kExitFailure);
  EXPECT_TRUE(IsOneErrorLine(err.str())) << err.str();
  EXPECT_THAT(err.str(), HasSubstr("cannot write the result"));
  Result list = reg.Run({"list"});
  EXPECT_THAT(list.out, Not(HasSubstr("full"))) << "the port was given back";
}

TEST(GetCommandTest, BadInputIsExit2InOneLineAndTouchesNothing) {
  Reg reg;
  const std::vector<std::vector<std::string>> bad = {
      {"get", ""},
      {"get", "a\tb"},
      {"get", std::string(201, 'x')},
      {"get", "web", "web"},
      {"get", "web", "--port", "0"},
      {"get", "web", "--port", "65536"},
      {"get", "web", "--range", "9000-8000"},
      {"get", "web", "--range", ""},
      {"get", "web", "--owner", "abc"},
      {"get", "web", "--format", "yaml"},
      {"get", "web", "--format", "env", "--json"},
      {"get", "my-api", "my_api", "--format", "env"},
      {"get", "web", "--scope", ""},
      {"get", "web", "--scope", "a\nb"},
      {"release"},
      {"release", "web", "--port", "1"},
      {"release", "--port", "0"},
      {"release", "--port", "80", "--scope", "none"},
      {"list", "extra"},
      {"prune", "extra"},
      {"who", "0"},
      {"who", "65536"},
  };
  for (const auto& argv : bad) {
    Result r = reg.Run(argv);
    const std::string what = absl::StrJoin(argv, " ");
    EXPECT_EQ(r.status, kExitUsage) << what << ": " << r.err;
    EXPECT_TRUE(IsOneErrorLine(r.err)) << what << ": " << r.err;
    EXPECT_EQ(r.out, "") << what;
  }
  EXPECT_FALSE(reg.Exists()) << "bad input never touches the registry";
}

TEST(GetCommandTest, AnAppNamedLikeAnOptionAfterDashDash) {
  if (!GetWorksHere()) {
    std::printf("SKIP: in a PID namespace of its own, where get is refused\n");
    return;
  }
  Reg reg;
  auto owner = StartSleeper();
  ASSERT_NE(owner, nullptr);
  Result r = reg.Run({"get", "--owner", absl::StrCat(owner->pid()), "--scope",
                      "none", "--range", kRange, "--", "-x"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(Fields(reg.Run({"list"}).out, "-x").size(), 7u);
  r = reg.Run({"release", "--scope", "none", "--", "-x"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out, "released 1 entry for app \"-x\"\n");
  r = reg.Run({"get", "-x"});
  EXPECT_EQ(r.status, kExitUsage) << "without --, -x is an option";
  EXPECT_THAT(r.err, HasSubstr("put -- before"));
}

TEST(ListCommandTest, ShowsScopesAndEscapesNames) {
  Reg reg;
  const std::string scope = testing::TempDir();
  auto global = Acquire("web", reg.options());
  ASSERT_TRUE(global.ok()) << global.status();
  auto scoped = Acquire("web", reg.options(scope));
  ASSERT_TRUE(scoped.ok()) << scoped.status();
  auto odd = Acquire(
      "odd\xc2\x9b"
      "31m",
      reg.options());
  ASSERT_TRUE(odd.ok()) << odd.status();
  const std::string pid = absl::StrCat(platform::CurrentProcessId());

  Result table = reg.Run({"list"});
  ASSERT_EQ(table.status, kExitOk) << table.err;
  EXPECT_THAT(table.out, StartsWith("APP "));
  EXPECT_THAT(table.out, HasSubstr("SCOPE\n"));
  // APP PORT PID STATE DATE TIME SCOPE
  std::vector<std::string> web_fields = Fields(table.out, "web");
  ASSERT_EQ(web_fields.size(), 7u) << table.out;
  EXPECT_EQ(web_fields[2], pid);
  EXPECT_EQ(web_fields[3], "live");
  EXPECT_THAT(table.out, HasSubstr(absl::StrCat(" ", global->port(), " ")));
  EXPECT_THAT(table.out, HasSubstr("  -\n"));
  EXPECT_THAT(table.out, HasSubstr(absl::StrCat("  ", scope, "\n")));
  EXPECT_THAT(table.out, HasSubstr("odd\\u009b31m"));
  EXPECT_THAT(table.out, Not(HasSubstr("\xc2\x9b")));

  Result json = reg.Run({"list", "--json"});
  ASSERT_EQ(json.status, kExitOk);
  EXPECT_THAT(json.out, HasSubstr(absl::StrCat(
                            "{\"app\": \"web\", \"port\": ", global->port(),
                            ", \"pid\": ", pid)));
  EXPECT_THAT(json.out, HasSubstr("\"scope\": null}"));
  // (JSON doubles the backslashes of Windows paths.)
  EXPECT_THAT(json.out,
              HasSubstr(absl::StrCat(
                  "\"scope\": \"", absl::StrReplaceAll(scope, {{"\\", "\\\\"}}),
                  "\"}")));
  EXPECT_THAT(json.out, HasSubstr("odd\\u009b31m"));

  Result only = reg.Run({"list", "--scope", scope});
  EXPECT_EQ(Lines(only.out).size(), 2u) << only.out;
  EXPECT_THAT(only.out, HasSubstr(absl::StrCat(" ", scoped->port(), " ")));
  Result none = reg.Run({"list", "--scope", "none", "--json"});
  EXPECT_THAT(none.out, Not(HasSubstr(scope)));
}

TEST(ListCommandTest, AnEmptyRegistry) {
  Reg reg;
  Result r = reg.Run({"list"});
  EXPECT_EQ(r.status, kExitOk);
  EXPECT_EQ(r.out, "no ports held\n");
  EXPECT_EQ(reg.Run({"list", "--json"}).out, "[]\n");
  EXPECT_FALSE(reg.Exists()) << "list makes nothing";
}

TEST(ReleaseCommandTest, AHeldLeaseIsNotReleasedButAStaleOneIs) {
  Reg reg;
  auto lease = Acquire("held", reg.options());
  ASSERT_TRUE(lease.ok()) << lease.status();
  Result r = reg.Run({"release", "held", "--scope", "none"});
  EXPECT_EQ(r.status, kExitFailure);
  EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("keeps its lease lock"));
  EXPECT_THAT(r.err, HasSubstr("berth stop"));

  // A berth run whose berth is killed: its entry is stale once the lock
  // is free, and release drops it.
  testing::Server server = testing::StartServer(
      {"--registry", reg.dir(), "--scope", "none", "--range", kRange, "gone"},
      -1, false, {"$PORT"});
  ASSERT_NE(server.report, "");
  server.process->Kill();
  server.process->Wait();
  Result pruned;
  for (int i = 0; i < 400; ++i) {  // the server dies with berth, soon
    if (absl::StrContains(reg.Run({"list"}).out, "stale")) break;
    absl::SleepFor(absl::Milliseconds(25));
  }
  r = reg.Run({"release", "gone", "--scope", "none"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out, "released 1 entry for app \"gone\"\n");
  r = reg.Run({"release", "gone", "--scope", "none"});
  EXPECT_EQ(r.status, kExitFailure);
  EXPECT_TRUE(IsOneErrorLine(r.err));
  EXPECT_THAT(r.err, HasSubstr("nothing to release"));
  r = reg.Run({"release", "--port", absl::StrCat(lease->port())});
  EXPECT_EQ(r.status, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("keeps its lease lock"));
}

TEST(PruneCommandTest, CountsStaleEntries) {
  Reg reg;
  testing::Server server = testing::StartServer(
      {"--registry", reg.dir(), "--scope", "none", "--range", kRange, "gone"},
      -1, false, {"$PORT"});
  ASSERT_NE(server.report, "");
  server.process->Kill();
  server.process->Wait();
  for (int i = 0; i < 400; ++i) {
    if (absl::StrContains(reg.Run({"list"}).out, "stale")) break;
    absl::SleepFor(absl::Milliseconds(25));
  }
  Result r = reg.Run({"prune"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out, "pruned 1 stale entry\n");
  EXPECT_EQ(reg.Run({"prune"}).out, "pruned 0 stale entries\n");
}

TEST(WhoCommandTest, NamesTheListenerAndTheApp) {
  Reg reg;
  auto lease = Acquire("site", reg.options());
  ASSERT_TRUE(lease.ok()) << lease.status();
  const std::string port = absl::StrCat(lease->port());
  Result r = reg.Run({"who", port});
  EXPECT_EQ(r.status, kExitFailure);
  EXPECT_EQ(r.out, absl::StrCat("nobody listens on port ", port, "\n"));
  EXPECT_EQ(reg.Run({"who", port, "--json"}).out, "");
  auto sock = platform::ListenTcp("127.0.0.1", lease->port());
  ASSERT_TRUE(sock.ok()) << sock.status();
  r = reg.Run({"who", port});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, StartsWith(absl::StrCat(port, " ipv4 127.0.0.1 ")));
  EXPECT_THAT(r.out, HasSubstr(" app site\n"));
  r = reg.Run({"who", port, "--json"});
  EXPECT_THAT(r.out, StartsWith(absl::StrCat("{\"port\": ", port)));
  EXPECT_THAT(r.out, HasSubstr("\"family\": \"ipv4\", \"app\": \"site\"}\n"));
}

}  // namespace
}  // namespace berth::cli
