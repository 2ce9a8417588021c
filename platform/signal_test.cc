// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/signal.h and platform/process_tree.h against real processes: this
// test program started again in a helper mode (see main), so that it runs
// on Windows too.

#include "platform/signal.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#ifndef _WIN32
#include <signal.h>
#endif

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/process.h"
#include "platform/process_tree.h"
#include "platform/testing/child_process.h"

namespace berth::platform {
namespace {

using testing::ChildProcess;
using ::testing::HasSubstr;

// Sleeper is a copy of this program that runs until killed; with
// `ignore_term` it ignores SIGTERM (POSIX) and says so in a file first.
std::unique_ptr<ChildProcess> StartSleeper(bool ignore_term = false) {
  auto self = testing::SelfPath();
  EXPECT_TRUE(self.ok()) << self.status();
  if (!self.ok()) return nullptr;
  const std::string ready = absl::StrCat(
      std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : ".", "/ready-",
      absl::ToUnixNanos(absl::Now()));
  auto child = ChildProcess::Start(
      {*self, ignore_term ? "--ignore-term" : "--sleep", ready});
  EXPECT_TRUE(child.ok()) << child.status();
  if (!child.ok()) return nullptr;
  // Wait until it runs its helper mode (so signals meet its own handlers).
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!std::ifstream(ready).good() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_TRUE(std::ifstream(ready).good()) << "the helper never started";
  return *std::move(child);
}

ProcessIdentity IdentityOf(int64_t pid) {
  auto status = SystemProcessInspector().Inspect(pid);
  EXPECT_TRUE(status.ok()) << status.status();
  if (!status.ok() || !status->start_token) return {pid, 0, 0};
  auto unique = SystemProcessInspector().UniqueId(pid);
  return {pid, *status->start_token, unique.ok() ? *unique : 0};
}

TEST(ParseSignalTest, NamesWithOrWithoutSigInAnyCase) {
  EXPECT_EQ(*ParseSignal("TERM"), Signal::kTerm);
  EXPECT_EQ(*ParseSignal("sigterm"), Signal::kTerm);
  EXPECT_EQ(*ParseSignal("Kill"), Signal::kKill);
  EXPECT_EQ(*ParseSignal("SIGINT"), Signal::kInt);
  EXPECT_EQ(*ParseSignal("hup"), Signal::kHup);
  EXPECT_EQ(*ParseSignal("QUIT"), Signal::kQuit);
  EXPECT_EQ(*ParseSignal("usr1"), Signal::kUsr1);
  EXPECT_EQ(*ParseSignal("SIGUSR2"), Signal::kUsr2);
  for (const char* name :
       {"TERM", "KILL", "INT", "HUP", "QUIT", "USR1", "USR2"}) {
    EXPECT_STREQ(SignalName(*ParseSignal(name)), name);
  }
}

TEST(ParseSignalTest, RefusesNumbersAndUnknownNames) {
  for (const char* bad :
       {"", "9", "15", "SIG", "TERMX", "SIGSTOP", "STOP", " TERM", "TERM\n"}) {
    auto s = ParseSignal(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(s.status())) << bad;
  }
  EXPECT_THAT(ParseSignal("a\nb").status().message(),
              ::testing::Not(HasSubstr("\n")));
}

TEST(ProcessHandleTest, TermEndsTheProcessAndWaitSeesIt) {
  auto child = StartSleeper();
  ASSERT_NE(child, nullptr);
  auto handle = ProcessHandle::Open(IdentityOf(child->pid()));
  ASSERT_TRUE(handle.ok()) << handle.status();
  auto ended = handle->WaitForExit(absl::Milliseconds(50));
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_FALSE(*ended) << "it runs until signalled";
  ASSERT_TRUE(handle->Send(Signal::kTerm).ok());
  ended = handle->WaitForExit(absl::Seconds(30));
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_TRUE(*ended);
  // Ended, though not yet collected (a zombie on POSIX): signalling it
  // again reaches nobody.
  EXPECT_TRUE(absl::IsNotFound(handle->Send(Signal::kTerm)));
#ifdef _WIN32
  EXPECT_EQ(child->Wait(), 143);
#else
  EXPECT_EQ(child->Wait(), 128 + SIGTERM);
#endif
}

TEST(ProcessHandleTest, AnotherStartTokenIsAnotherProcess) {
  auto child = StartSleeper();
  ASSERT_NE(child, nullptr);
  ProcessIdentity id = IdentityOf(child->pid());
  id.start_token += 1;  // what a reused PID looks like
  auto handle = ProcessHandle::Open(id);
  EXPECT_TRUE(absl::IsNotFound(handle.status())) << handle.status();
  EXPECT_THAT(handle.status().message(), HasSubstr("another process"));
  // Nothing was sent: the process still runs.
  auto right = ProcessHandle::Open(IdentityOf(child->pid()));
  ASSERT_TRUE(right.ok()) << right.status();
  EXPECT_FALSE(*right->WaitForExit(absl::Milliseconds(100)));
  EXPECT_TRUE(absl::IsNotFound(VerifyIdentity(id)));
  EXPECT_TRUE(VerifyIdentity(IdentityOf(child->pid())).ok());
}

TEST(ProcessHandleTest, AnEndedProcessIsNotFound) {
  auto child = StartSleeper();
  ASSERT_NE(child, nullptr);
  const ProcessIdentity id = IdentityOf(child->pid());
  child->Kill();
  child->Wait();
  auto handle = ProcessHandle::Open(id);
  EXPECT_TRUE(absl::IsNotFound(handle.status())) << handle.status();
  EXPECT_TRUE(absl::IsNotFound(VerifyIdentity(id)));
}

TEST(ProcessHandleTest, KillEndsAProcessThatIgnoresTerm) {
  auto child = StartSleeper(/*ignore_term=*/true);
  ASSERT_NE(child, nullptr);
  auto handle = ProcessHandle::Open(IdentityOf(child->pid()));
  ASSERT_TRUE(handle.ok()) << handle.status();
#ifdef _WIN32
  std::printf(
      "note: Windows has no signals to ignore; TERM ending the process is "
      "TermEndsTheProcessAndWaitSeesIt, here only KILL is checked\n");
#else
  ASSERT_TRUE(handle->Send(Signal::kTerm).ok());
  EXPECT_FALSE(*handle->WaitForExit(absl::Milliseconds(300)))
      << "TERM is ignored";
#endif
  ASSERT_TRUE(handle->Send(Signal::kKill).ok());
  EXPECT_TRUE(*handle->WaitForExit(absl::Seconds(30)));
#ifdef _WIN32
  EXPECT_EQ(child->Wait(), 137);
#else
  EXPECT_EQ(child->Wait(), 128 + SIGKILL);
#endif
}

TEST(ProcessHandleTest, BadPidIsInvalidArgument) {
  EXPECT_TRUE(absl::IsInvalidArgument(ProcessHandle::Open({0, 1, 0}).status()));
  EXPECT_TRUE(
      absl::IsInvalidArgument(ProcessHandle::Open({-5, 1, 0}).status()));
}

TEST(ProcessTreeTest, AChildDescendsFromThisProcess) {
  auto child = StartSleeper();
  ASSERT_NE(child, nullptr);
  auto parent = ParentOf(child->pid());
  ASSERT_TRUE(parent.ok()) << parent.status();
  EXPECT_EQ(*parent, CurrentProcessId());
  const ProcessIdentity self = IdentityOf(CurrentProcessId());
  const ProcessIdentity kid = IdentityOf(child->pid());
  EXPECT_TRUE(IsDescendantOf(child->pid(), self));
  EXPECT_TRUE(IsDescendantOf(CurrentProcessId(), self));
  EXPECT_FALSE(IsDescendantOf(CurrentProcessId(), kid));
  ProcessIdentity older = self;
  older.start_token += 1;  // this PID, but another process
  EXPECT_FALSE(IsDescendantOf(child->pid(), older));
  child->Kill();
  child->Wait();
  EXPECT_TRUE(absl::IsNotFound(ParentOf(child->pid()).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ParentOf(0).status()));
}

}  // namespace
}  // namespace berth::platform

// main: `--sleep FILE` and `--ignore-term FILE` write FILE and then sleep
// until killed; anything else runs the tests.
int main(int argc, char** argv) {
  if (argc == 3 && (std::strcmp(argv[1], "--sleep") == 0 ||
                    std::strcmp(argv[1], "--ignore-term") == 0)) {
#ifndef _WIN32
    if (std::strcmp(argv[1], "--ignore-term") == 0) signal(SIGTERM, SIG_IGN);
#endif
    std::ofstream(argv[2]) << "ready\n";
    absl::SleepFor(absl::Seconds(120));
    return 3;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
