// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// What the fake offers beyond the conformance suite (which it also passes):
// permission, unknown and error states, Self/BootId control, the record of
// inspected PIDs, and thread safety.

#include "platform/fake_process.h"

#include <cstdint>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "platform/process.h"

namespace berth::platform {
namespace {

TEST(FakeProcessInspectorTest, DefaultSelfAndBootId) {
  FakeProcessInspector fake;
  absl::StatusOr<ProcessIdentity> self = fake.Self();
  ASSERT_TRUE(self.ok()) << self.status();
  EXPECT_EQ(*self, (ProcessIdentity{FakeProcessInspector::kDefaultSelfPid,
                                    FakeProcessInspector::kDefaultSelfToken}));
  EXPECT_EQ(CheckIdentity(fake, *self), Liveness::kAlive);
  EXPECT_EQ(fake.BootId().value(), FakeProcessInspector::kDefaultBootId);
}

TEST(FakeProcessInspectorTest, AddProcessReportsNameAndToken) {
  FakeProcessInspector fake;
  const ProcessIdentity id = fake.AddProcess(42, 777, "server");
  EXPECT_EQ(id, (ProcessIdentity{42, 777}));
  absl::StatusOr<ProcessStatus> status = fake.Inspect(42);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->liveness, Liveness::kAlive);
  EXPECT_EQ(status->start_token, 777u);
  EXPECT_EQ(status->name, "server");
  // Later tokens are larger than any given so far.
  EXPECT_GT(fake.StartProcess().start_token, 777u);
}

TEST(FakeProcessInspectorTest, StartProcessNeverRepeatsPidsOrTokens) {
  FakeProcessInspector fake;
  const ProcessIdentity a = fake.StartProcess("a");
  fake.Kill(a.pid);
  const ProcessIdentity b = fake.StartProcess("b");
  EXPECT_NE(a.pid, b.pid);
  EXPECT_NE(a.start_token, b.start_token);
  // A PID the test added and killed is not handed out again either.
  fake.AddProcess(b.pid + 1, 5);
  fake.Kill(b.pid + 1);
  EXPECT_NE(fake.StartProcess().pid, b.pid + 1);
}

TEST(FakeProcessInspectorTest, KillZombifyAndReuse) {
  FakeProcessInspector fake;
  const ProcessIdentity a = fake.StartProcess("a");
  fake.Zombify(a.pid);
  EXPECT_EQ(fake.Inspect(a.pid)->liveness, Liveness::kDead);
  EXPECT_EQ(CheckIdentity(fake, a), Liveness::kDead);
  const ProcessIdentity b = fake.ReusePid(a.pid, "b");
  EXPECT_EQ(b.pid, a.pid);
  EXPECT_NE(b.start_token, a.start_token);
  EXPECT_EQ(CheckIdentity(fake, a), Liveness::kDead);
  EXPECT_EQ(CheckIdentity(fake, b), Liveness::kAlive);
  EXPECT_EQ(fake.Inspect(b.pid)->name, "b");
  fake.Kill(b.pid);
  EXPECT_EQ(CheckIdentity(fake, b), Liveness::kDead);
}

TEST(FakeProcessInspectorTest, DeniedIsAliveWithoutToken) {
  FakeProcessInspector fake;
  const ProcessIdentity a = fake.StartProcess("a");
  fake.DenyPermission(a.pid);
  absl::StatusOr<ProcessStatus> status = fake.Inspect(a.pid);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->liveness, Liveness::kAlive);
  EXPECT_FALSE(status->start_token.has_value());
  EXPECT_TRUE(status->name.empty());
  // Any identity at a PID we may not inspect counts as alive.
  EXPECT_EQ(CheckIdentity(fake, a), Liveness::kAlive);
  EXPECT_EQ(CheckIdentity(fake, {a.pid, a.start_token + 1}), Liveness::kAlive);
  // A PID the fake did not hold becomes such a process.
  fake.DenyPermission(5);
  EXPECT_EQ(CheckIdentity(fake, {5, 1}), Liveness::kAlive);
}

TEST(FakeProcessInspectorTest, UnknownAndErrorAreNeverDead) {
  FakeProcessInspector fake;
  const ProcessIdentity a = fake.StartProcess();
  fake.MakeUnknown(a.pid);
  EXPECT_EQ(fake.Inspect(a.pid)->liveness, Liveness::kUnknown);
  EXPECT_EQ(CheckIdentity(fake, a), Liveness::kUnknown);

  const ProcessIdentity b = fake.StartProcess();
  fake.FailInspect(b.pid, absl::UnavailableError("procfs unmounted"));
  EXPECT_EQ(fake.Inspect(b.pid).status(),
            absl::UnavailableError("procfs unmounted"));
  EXPECT_EQ(CheckIdentity(fake, b), Liveness::kUnknown);

  // An OK status would make Inspect return no value: it becomes an error.
  fake.FailInspect(b.pid, absl::OkStatus());
  EXPECT_FALSE(fake.Inspect(b.pid).ok());
}

TEST(FakeProcessInspectorTest, SelfAndBootIdCanChangeAndFail) {
  FakeProcessInspector fake;
  fake.SetSelf({7, 70}, "me");
  EXPECT_EQ(fake.Self().value(), (ProcessIdentity{7, 70}));
  EXPECT_EQ(fake.Inspect(7)->name, "me");
  EXPECT_EQ(CheckIdentity(fake, {7, 70}), Liveness::kAlive);
  fake.FailSelf(absl::InternalError("no self"));
  EXPECT_EQ(fake.Self().status(), absl::InternalError("no self"));

  fake.SetBootId("second-boot");
  EXPECT_EQ(fake.BootId().value(), "second-boot");
  fake.FailBootId(absl::NotFoundError("no boot id"));
  EXPECT_EQ(fake.BootId().status(), absl::NotFoundError("no boot id"));
}

TEST(FakeProcessInspectorTest, RecordsInspectedPids) {
  FakeProcessInspector fake;
  (void)fake.Inspect(3);
  (void)fake.Inspect(-1);
  (void)CheckIdentity(fake, {9, 1});
  EXPECT_EQ(fake.InspectedPids(), (std::vector<int64_t>{3, -1, 9}));
  fake.ClearInspectedPids();
  EXPECT_TRUE(fake.InspectedPids().empty());
}

TEST(FakeProcessInspectorTest, ThreadSafe) {
  FakeProcessInspector fake;
  constexpr int kThreads = 4;
  constexpr int kRounds = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&fake] {
      for (int i = 0; i < kRounds; ++i) {
        const ProcessIdentity id = fake.StartProcess();
        EXPECT_EQ(CheckIdentity(fake, id), Liveness::kAlive);
        const ProcessIdentity reused = fake.ReusePid(id.pid);
        EXPECT_EQ(CheckIdentity(fake, id), Liveness::kDead);
        fake.Kill(reused.pid);
        EXPECT_EQ(CheckIdentity(fake, reused), Liveness::kDead);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(fake.InspectedPids().size(), size_t{kThreads * kRounds * 3});
}

}  // namespace
}  // namespace berth::platform
