// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// PID reuse, for real: in a fresh PID namespace an owner with PID N holds a
// port, dies, and another process is made to get PID N. The registry must
// call the old entry stale (another start token), and the new process must
// not inherit the old owner's port as "already its own".

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "api/lease.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/testing/pid_namespace.h"

namespace berth {
namespace {

namespace fs = std::filesystem;

// Scenario runs inside the namespace and returns one line of findings.
std::string Scenario(const Options& options) {
  const pid_t a = fork();
  if (a < 0) return "error fork";
  if (a == 0) {
    for (;;) pause();
  }
  auto first = Reserve("web", a, options);
  if (!first.ok()) return absl::StrCat("error reserve: ", first.status().message());
  kill(a, SIGKILL);
  waitpid(a, nullptr, 0);
  // Two clock ticks, so the new process's start token differs.
  struct timespec pause_for = {0, 30 * 1000 * 1000};
  nanosleep(&pause_for, nullptr);
  auto b = platform::testing::ForkWithPid(a);
  if (!b.ok()) return absl::StrCat("error ", b.status().message());

  auto list = List(options);
  std::string old_state = list.ok() && list->size() == 1
                              ? registry::EntryStateName((*list)[0].state)
                              : "?";
  std::string why = list.ok() && list->size() == 1 ? (*list)[0].why : "";
  Options again = options;
  again.port = first->port;
  auto second = Reserve("web", *b, again);
  kill(*b, SIGKILL);
  waitpid(*b, nullptr, 0);
  if (!second.ok()) return absl::StrCat("error second: ", second.status().message());
  return absl::StrCat("pid=", a, " reused=", *b, " old=", old_state,
                      " existing=", second->existing ? 1 : 0,
                      " same_port=", second->port == first->port ? 1 : 0,
                      " why=", why);
}

// LeaseScenario: a lease holder (as `berth run` leaves behind) is killed and
// its PID reused; the free lease lock alone makes the entry stale.
std::string LeaseScenario(const Options& options) {
  int fds[2];
  if (pipe(fds) != 0) return "error pipe";
  const pid_t a = fork();
  if (a < 0) return "error fork";
  if (a == 0) {
    auto lease = Acquire("web", options);
    const uint16_t port = lease.ok() ? lease->port() : 0;
    (void)!write(fds[1], &port, sizeof port);
    for (;;) pause();
  }
  uint16_t port = 0;
  if (read(fds[0], &port, sizeof port) != sizeof port || port == 0) {
    return "error no lease";
  }
  kill(a, SIGKILL);
  waitpid(a, nullptr, 0);
  struct timespec pause_for = {0, 30 * 1000 * 1000};
  nanosleep(&pause_for, nullptr);
  auto b = platform::testing::ForkWithPid(a);
  if (!b.ok()) return absl::StrCat("error ", b.status().message());
  auto list = List(options);
  std::string state = list.ok() && list->size() == 1
                          ? registry::EntryStateName((*list)[0].state)
                          : "?";
  std::string why = list.ok() && list->size() == 1 ? (*list)[0].why : "";
  Options again = options;
  again.port = port;
  auto next = Reserve("other", *b, again);
  kill(*b, SIGKILL);
  waitpid(*b, nullptr, 0);
  return absl::StrCat("state=", state,
                      " same_port=", next.ok() && next->port == port ? 1 : 0,
                      " why=", why);
}

TEST(PidReuseTest, KilledLeaseHoldersPortIsFreeEvenWithItsPidReused) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  Options options;
  options.registry_dir = (fs::path(tmp ? tmp : "/tmp") / "lease-reg").string();
  options.range = PortRange{23100, 23199};
  std::string skipped;
  auto text = platform::testing::RunInNewPidNamespace(
      "", [&] { return LeaseScenario(options); }, &skipped);
  if (!skipped.empty()) {
    GTEST_SKIP() << "PID namespaces are not permitted here: " << skipped;
  }
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(*text, ::testing::StartsWith("state=stale same_port=1 why="));
  EXPECT_THAT(*text, ::testing::HasSubstr("lease"));
}

TEST(PidReuseTest, ReusedPidDoesNotKeepTheDeadOwnersPort) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  Options options;
  options.registry_dir = (fs::path(tmp ? tmp : "/tmp") / "reg").string();
  options.range = PortRange{23000, 23099};
  std::string skipped;
  auto text = platform::testing::RunInNewPidNamespace(
      "", [&] { return Scenario(options); }, &skipped);
  if (!skipped.empty()) {
    GTEST_SKIP() << "PID namespaces are not permitted here: " << skipped;
  }
  ASSERT_TRUE(text.ok()) << text.status();
  SCOPED_TRACE(*text);
  EXPECT_THAT(*text, ::testing::StartsWith("pid="));
  // The old entry is stale because the PID now names another process; the
  // new process gets the port as a new holder, not as the old one's re-ask.
  EXPECT_THAT(*text, ::testing::HasSubstr(" old=stale "));
  EXPECT_THAT(*text, ::testing::HasSubstr(" existing=0 "));
  EXPECT_THAT(*text, ::testing::HasSubstr(" same_port=1 "));
  EXPECT_THAT(*text, ::testing::HasSubstr("now belongs to another process"));
}

}  // namespace
}  // namespace berth
