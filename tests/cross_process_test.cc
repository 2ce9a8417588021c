// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// Many processes, one registry: the promises that only show across
// processes. POSIX only (fork); see BUILD for the Windows counterpart.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/admin.h"
#include "api/lease.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/subprocess.h"

namespace berth {
namespace {

class CrossProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tests::TestDirectory();
    ASSERT_FALSE(dir_.empty());
    options_.registry_dir = dir_;
    options_.range = PortRange{22000, 22999};
    options_.lock_timeout = absl::Seconds(30);
  }
  std::string dir_;
  Options options_;
};

// ChildSleeper forks a child that sleeps until killed.
pid_t ChildSleeper() {
  const pid_t pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  return pid;
}

TEST_F(CrossProcessTest, SixteenProcessesTwentyAllocationsEachAllDistinct) {
  constexpr int kProcs = 16;
  constexpr int kEach = 20;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcs; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Each child is a live owner holding 20 apps' ports.
      int failures = 0;
      for (int i = 0; i < kEach; ++i) {
        if (!Reserve(absl::StrCat("app-", p, "-", i), getpid(), options_)
                 .ok()) {
          ++failures;
        }
      }
      // Stay alive until the parent has looked.
      raise(SIGSTOP);
      _exit(failures == 0 ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status;
    ASSERT_EQ(waitpid(pid, &status, WUNTRACED), pid);
    ASSERT_TRUE(WIFSTOPPED(status)) << "child " << pid << " ended early";
  }
  auto list = List(options_);
  ASSERT_TRUE(list.ok()) << list.status();
  std::set<uint16_t> ports;
  for (const auto& e : *list) {
    ports.insert(e.port);
    EXPECT_EQ(e.state, EntryState::kLive) << e.app;
  }
  EXPECT_EQ(list->size(), static_cast<size_t>(kProcs * kEach));
  EXPECT_EQ(ports.size(), static_cast<size_t>(kProcs * kEach));
  for (pid_t pid : children) {
    kill(pid, SIGCONT);
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
}

// Listen binds a listener on `port` for one family; -1 if that family is
// missing on this host.
int Listen(int family, uint16_t port) {
  const int fd = socket(family, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int rc;
  if (family == AF_INET) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    int one = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    a.sin6_addr = in6addr_loopback;
    rc = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  if (rc != 0 || listen(fd, 1) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST_F(CrossProcessTest, AForeignListenerOnACandidateIsSkipped) {
  for (int family : {AF_INET, AF_INET6}) {
    SCOPED_TRACE(family == AF_INET ? "IPv4-only listener"
                                   : "IPv6-only listener");
    const uint16_t port = family == AF_INET ? 22100 : 22101;
    const int fd = Listen(family, port);
    if (fd < 0 && family == AF_INET6) {
      GTEST_SKIP() << "this host has no IPv6 loopback: cannot place an "
                      "IPv6-only listener";
    }
    ASSERT_GE(fd, 0) << "could not listen on " << port;
    Options o = options_;
    o.port = port;
    auto lease = Acquire("web", o);
    ASSERT_TRUE(lease.ok()) << lease.status();
    EXPECT_NE(lease->port(), port);
    EXPECT_THAT(lease->reason(), ::testing::HasSubstr(absl::StrCat(
                                     "wanted port ", port, " is busy")));
    close(fd);
  }
}

TEST_F(CrossProcessTest, SigkilledOwnersPortIsHandedOutAtTheNextGet) {
  const pid_t owner = ChildSleeper();
  ASSERT_GT(owner, 0);
  auto first = Reserve("web", owner, options_);
  ASSERT_TRUE(first.ok()) << first.status();
  kill(owner, SIGKILL);
  int status;
  ASSERT_EQ(waitpid(owner, &status, 0), owner);

  const pid_t next = ChildSleeper();
  Options o = options_;
  o.port = first->port;
  auto second = Reserve("other", next, o);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->port, first->port);
  kill(next, SIGKILL);
  waitpid(next, &status, 0);
}

TEST_F(CrossProcessTest, SigkilledLeaseHolderIsStaleAtOnce) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t holder = fork();
  ASSERT_GE(holder, 0);
  if (holder == 0) {
    auto lease = Acquire("web", options_);
    const uint16_t port = lease.ok() ? lease->port() : 0;
    (void)!write(pipe_fds[1], &port, sizeof port);
    for (;;) pause();
  }
  uint16_t port = 0;
  ASSERT_EQ(read(pipe_fds[0], &port, sizeof port),
            static_cast<ssize_t>(sizeof port));
  ASSERT_NE(port, 0);
  ASSERT_EQ(List(options_)->at(0).state, EntryState::kLive);

  kill(holder, SIGKILL);
  // Not reaped yet: the lease lock alone says the holder is gone (the kernel
  // closes its descriptors as it dies; allow it a moment to get there).
  EntryState state = EntryState::kLive;
  for (int i = 0; i < 100 && state == EntryState::kLive; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    state = List(options_)->at(0).state;
  }
  EXPECT_EQ(state, EntryState::kStale);
  EXPECT_THAT(List(options_)->at(0).why, ::testing::HasSubstr("lease"));
  int status;
  waitpid(holder, &status, 0);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

}  // namespace
}  // namespace berth
