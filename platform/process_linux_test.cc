// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// Linux facts the conformance suite cannot express for every OS: a thread
// id is not a process, and a process whose main thread has exited (state Z
// while other threads run) is alive.

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "platform/process.h"

namespace berth::platform {
namespace {

TEST(LinuxProcessTest, ParentProcessIdIsTheForkingProcess) {
  const pid_t parent = getpid();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto got = ParentProcessId();
    _exit(got.ok() && *got == parent ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(LinuxProcessTest, ThreadIdIsNotAProcess) {
  absl::Notification started;
  absl::Notification done;
  std::atomic<pid_t> tid{0};
  std::thread thread([&] {
    tid = static_cast<pid_t>(syscall(SYS_gettid));
    started.Notify();
    done.WaitForNotification();
  });
  started.WaitForNotification();
  ASSERT_NE(tid.load(), getpid());
  // /proc/TID exists (it is only hidden from the listing) ...
  std::ifstream stat("/proc/" + std::to_string(tid.load()) + "/stat");
  EXPECT_TRUE(stat.good());
  // ... but names a thread of this process, not a process.
  absl::StatusOr<ProcessStatus> status =
      SystemProcessInspector().Inspect(tid.load());
  done.Notify();
  thread.join();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->liveness, Liveness::kDead);
}

void* SleepForever(void*) {
  for (;;) pause();
  return nullptr;
}

TEST(LinuxProcessTest, ExitedMainThreadWithLiveThreadsIsAlive) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    pthread_t thread;
    if (pthread_create(&thread, nullptr, SleepForever, nullptr) != 0) _exit(1);
    close(ready[1]);
    // The raw exit syscall ends only the calling thread (pthread_exit would
    // unwind through gtest): the main thread ends, the process lives on.
    syscall(SYS_exit, 0);
  }
  close(ready[1]);
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 0);  // EOF: the thread runs
  close(ready[0]);

  // Wait until the main thread shows as a zombie ("Zl" in ps).
  std::string line;
  for (int i = 0; i < 500; ++i) {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::getline(stat, line);
    if (line.find(") Z ") != std::string::npos) break;
    usleep(2000);
  }
  ASSERT_NE(line.find(") Z "), std::string::npos) << line;

  absl::StatusOr<ProcessStatus> status =
      SystemProcessInspector().Inspect(child);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->liveness, Liveness::kAlive);
  EXPECT_TRUE(status->start_token.has_value());

  // Killed and reaped, it is dead.
  absl::StatusOr<ProcessStatus> after = SystemProcessInspector().Inspect(child);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->liveness, Liveness::kDead);
}

TEST(LinuxProcessTest, BootIdIsTheKernelsBootId) {
  std::ifstream file("/proc/sys/kernel/random/boot_id");
  std::string expected;
  std::getline(file, expected);
  ASSERT_FALSE(expected.empty());
  absl::StatusOr<std::string> boot_id = SystemProcessInspector().BootId();
  ASSERT_TRUE(boot_id.ok()) << boot_id.status();
  EXPECT_EQ(*boot_id, expected);
}

TEST(LinuxProcessTest, TokenIsField22OfStat) {
  // The token is the kernel's raw start time in ticks, as read here.
  const pid_t self = getpid();
  std::ifstream stat("/proc/self/stat");
  std::string line;
  std::getline(stat, line);
  const size_t close = line.rfind(')');
  ASSERT_NE(close, std::string::npos);
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) fields >> field;
  absl::StatusOr<ProcessIdentity> id = SystemProcessInspector().Self();
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->pid, self);
  EXPECT_EQ(std::to_string(id->start_token), field);
}

}  // namespace
}  // namespace berth::platform
