// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The embedding API against the real OS, with a registry in the test's temp
// directory.

#include "api/lease.h"

#ifndef _WIN32
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <atomic>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/admin.h"
#include "platform/file.h"
#include "platform/process.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class LeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = (fs::path(tmp ? tmp : "/tmp") /
            ::testing::UnitTest::GetInstance()->current_test_info()->name())
               .string();
    fs::remove_all(dir_);
    options_.registry_dir = dir_;
    // Far from the default range, so a developer's own servers don't matter.
    options_.range = PortRange{21000, 21499};
  }
  std::string dir_;
  Options options_;
};

TEST_F(LeaseTest, AcquireRecordsTheCallerAndReleaseForgetsIt) {
  auto lease = Acquire("web", options_);
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_GE(lease->port(), 21000);
  EXPECT_LE(lease->port(), 21499);
  EXPECT_EQ(lease->app(), "web");
  EXPECT_FALSE(lease->reason().empty());

  auto list = List(options_);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 1u);
  const auto& entry = (*list)[0];
  EXPECT_EQ(entry.port, lease->port());
  EXPECT_EQ(entry.app, "web");
  EXPECT_EQ(entry.state, EntryState::kLive);
  EXPECT_EQ(entry.pid, platform::CurrentProcessId());
  EXPECT_TRUE(entry.start.has_value());
#ifdef __linux__
  EXPECT_EQ(entry.hold, "lock");  // held past close
#else
  EXPECT_EQ(entry.hold, "lock+pid");
#endif

  EXPECT_TRUE(lease->Release().ok());
  EXPECT_TRUE(lease->Release().ok()) << "a second Release does nothing";
  EXPECT_TRUE(List(options_)->empty());
}

TEST_F(LeaseTest, DestroyingTheLeaseReleasesIt) {
  uint16_t port;
  {
    auto lease = Acquire("web", options_);
    ASSERT_TRUE(lease.ok());
    port = lease->port();
    Lease moved = *std::move(lease);  // the moved-from lease releases nothing
    EXPECT_EQ(List(options_)->size(), 1u);
    EXPECT_EQ(moved.port(), port);
  }
  EXPECT_TRUE(List(options_)->empty());
}

TEST_F(LeaseTest, TwoLeasesForOneAppGetTwoPorts) {
  auto a = Acquire("web", options_);
  auto b = Acquire("web", options_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->port(), b->port());
}

#ifdef __linux__
int ThreadCount() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/task")) ++n;
  return n;
}

TEST_F(LeaseTest, AcquireStartsNoThread) {
  const int before = ThreadCount();
  auto lease = Acquire("web", options_);
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(ThreadCount(), before);
  ASSERT_TRUE(lease->Release().ok());
  EXPECT_EQ(ThreadCount(), before);
}
#endif

TEST_F(LeaseTest, ThreadsAcquiringAtOnceGetDifferentPorts) {
  constexpr int kThreads = 8;
  constexpr int kEach = 5;
  absl::Mutex mu;
  std::vector<Lease> leases;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto lease = Acquire(absl::StrCat("app", t % 2), options_);
        absl::MutexLock lock(&mu);
        if (lease.ok()) {
          leases.push_back(*std::move(lease));
        } else {
          errors.push_back(std::string(lease.status().message()));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_THAT(errors, ::testing::IsEmpty());
  std::set<uint16_t> ports;
  for (const Lease& l : leases) ports.insert(l.port());
  EXPECT_EQ(ports.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(List(options_)->size(), static_cast<size_t>(kThreads * kEach));
}

TEST_F(LeaseTest, AGroupHoldsEveryPortUntilEachIsReleased) {
  auto group = AcquireGroup({"web", "api", "hmr"}, options_);
  ASSERT_TRUE(group.ok()) << group.status();
  ASSERT_EQ(group->size(), 3u);
  std::set<uint16_t> ports;
  for (const Lease& l : *group) ports.insert(l.port());
  EXPECT_EQ(ports.size(), 3u);
  EXPECT_EQ((*group)[2].app(), "hmr");
  EXPECT_EQ(List(options_)->size(), 3u);
  ASSERT_TRUE((*group)[1].Release().ok());
  EXPECT_EQ(List(options_)->size(), 2u);
  group->clear();
  EXPECT_TRUE(List(options_)->empty());
  EXPECT_EQ(AcquireGroup({}, options_).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AcquireGroup({"a", "a"}, options_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

#ifndef _WIN32
// ExitCodeOf runs `body` in a forked child and returns its exit code.
template <typename Body>
int ExitCodeOf(Body body) {
  const pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// StateOf returns the state of `port`'s entry, or "none".
std::string StateOf(const Options& options, uint16_t port) {
  auto list = List(options);
  if (!list.ok()) return "error";
  for (const Entry& e : *list) {
    if (e.port == port) return EntryStateName(e.state);
  }
  return "none";
}

// Issue case 4: a forked child that releases (or destroys) its copy of the
// lease never releases the parent's port.
TEST_F(LeaseTest, AForkedChildNeverReleasesItsParentsLease) {
  auto lease = Acquire("web", options_);
  ASSERT_TRUE(lease.ok()) << lease.status();
  const uint16_t port = lease->port();
  EXPECT_EQ(ExitCodeOf([&] { return lease->Release().ok() ? 0 : 1; }), 0);
  EXPECT_EQ(ExitCodeOf([&] {
              Lease moved = *std::move(lease);  // destroyed on the way out
              return 0;
            }),
            0);
  EXPECT_EQ(StateOf(options_, port), "live");
  Options o = options_;
  o.port = port;
  auto other = Acquire("other", o);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->port(), port) << "the parent still holds it";
  ASSERT_TRUE(lease->Release().ok());
  EXPECT_EQ(StateOf(options_, port), "none");
}

// A process that closes every descriptor it has (a library's closefrom)
// keeps its lease on Linux, where the lock is held past close.
TEST_F(LeaseTest, ClosingEveryDescriptorKeepsTheLease) {
#ifndef __linux__
  GTEST_SKIP() << "only Linux keeps a lock for a mapping of its file";
#endif
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  const pid_t holder = fork();
  ASSERT_GE(holder, 0);
  if (holder == 0) {
    auto lease = Acquire("web", options_);
    const uint16_t port = lease.ok() ? lease->port() : 0;
    (void)!write(report[1], &port, sizeof port);
    for (int fd = 3; fd < 1024; ++fd) close(fd);
    for (;;) pause();
  }
  close(report[1]);
  uint16_t port = 0;
  ASSERT_EQ(read(report[0], &port, sizeof port),
            static_cast<ssize_t>(sizeof port));
  close(report[0]);
  ASSERT_NE(port, 0);
  // The pipe reads EOF once the holder has closed it, and everything else.
  char c;
  EXPECT_EQ(read(report[0], &c, 1), -1);
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(StateOf(options_, port), "live");
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  EXPECT_EQ(StateOf(options_, port), "stale");
}

// Issue case 10: a fork() by another thread while Acquire runs leaves no
// lock held in the child that would wedge every later call of the user.
TEST_F(LeaseTest, AForkDuringAcquireWedgesNothing) {
  std::atomic<bool> done{false};
  std::vector<pid_t> children;
  std::thread forker([&] {
    while (!done.load()) {
      const pid_t pid = fork();
      if (pid == 0) {
        for (;;) pause();  // a child that never execs
      }
      children.push_back(pid);
      absl::SleepFor(absl::Microseconds(300));
    }
  });
  int failures = 0;
  for (int i = 0; i < 200; ++i) {
    // New app names: each one writes the memory under its lock.
    auto lease = Acquire(absl::StrCat("app", i), options_);
    if (!lease.ok()) ++failures;
  }
  done.store(true);
  forker.join();
  EXPECT_EQ(failures, 0);
  ASSERT_FALSE(children.empty());
  // With every child still alive, another process allocates at once, and
  // takes the memory's lock at once.
  Options quick = options_;
  quick.lock_timeout = absl::Milliseconds(100);
  EXPECT_EQ(ExitCodeOf([&] {
              const absl::Time start = absl::Now();
              auto lease = Acquire("fresh-app-name", quick);
              return lease.ok() && absl::Now() - start < absl::Seconds(1) ? 0
                                                                          : 1;
            }),
            0);
  const std::string memory =
      *platform::ReadFileToString(dir_ + "/registry", 1 << 20);
  EXPECT_THAT(memory, HasSubstr("fresh-app-name")) << "remembered at once";
  for (pid_t pid : children) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}
#endif  // !_WIN32

TEST_F(LeaseTest, BadInputIsInvalidArgument) {
  for (std::string app : {std::string(""), std::string(201, 'a'),
                          std::string("a\nb"), std::string("tab\t")}) {
    auto lease = Acquire(app, options_);
    EXPECT_EQ(lease.status().code(), absl::StatusCode::kInvalidArgument);
  }
  Options o = options_;
  o.port = 0;
  EXPECT_EQ(Acquire("web", o).status().code(),
            absl::StatusCode::kInvalidArgument);
  o = options_;
  o.range = PortRange{9000, 8000};
  EXPECT_EQ(Acquire("web", o).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir_)) << "bad input touches no registry";
}

TEST_F(LeaseTest, ParseRange) {
  auto r = ParseRange("8800-8999");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lo, 8800);
  EXPECT_EQ(r->hi, 8999);
  EXPECT_TRUE(ParseRange("5-5").ok());
  for (const char* bad : {"", "8800", "8999-8800", "0-10", "1-65536", "a-b",
                          "-5", "5-", "1-2-3", " 1-2"}) {
    EXPECT_FALSE(ParseRange(bad).ok()) << bad;
  }
}

#ifndef _WIN32
TEST_F(LeaseTest, EnvironmentSettingsAreCheckedAndUsed) {
  Options o;
  o.registry_dir = dir_;
  setenv("BERTH_RANGE", "21500-21500", 1);
  auto lease = Acquire("web", o);
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_EQ(lease->port(), 21500);
  setenv("BERTH_RANGE", "nonsense", 1);
  EXPECT_THAT(Acquire("web", o).status().message(), HasSubstr("BERTH_RANGE"));
  unsetenv("BERTH_RANGE");
  setenv("BERTH_LOCK_TIMEOUT", "soon", 1);
  EXPECT_THAT(Acquire("web", o).status().message(),
              HasSubstr("BERTH_LOCK_TIMEOUT"));
  unsetenv("BERTH_LOCK_TIMEOUT");
}
#endif

}  // namespace
}  // namespace berth
