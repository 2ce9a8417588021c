// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// Processes acquiring ports at once from one registry, on every OS: the
// cross-process promises of api/lease.h without fork(), so that Windows runs
// them too (cross_process_test.cc covers more, with fork, on POSIX).
//
// The processes are this test program started again with --child (see
// main): each waits for a "go" file, acquires leases, reports its ports in a
// file, and holds them until a "release" file appears.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/admin.h"
#include "api/lease.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/file.h"
#include "tests/subprocess.h"

namespace berth {
namespace {

constexpr PortRange kRange{23000, 23999};

// main's argv[0], for ProgramPath.
const char* g_argv0 = nullptr;

Options RegistryIn(const std::string& dir) {
  Options options;
  options.registry_dir = platform::JoinPath(dir, "registry");
  options.range = kRange;
  options.lock_timeout = absl::Seconds(60);
  return options;
}

// ChildMain: wait for DIR/go, acquire COUNT leases for apps NAME-0...,
// write "PORT\n" lines (or one "error ..." line) to DIR/NAME.ports, hold the
// leases until DIR/release exists.
int ChildMain(const std::string& dir, int count, const std::string& name) {
  const std::string report_path = platform::JoinPath(dir, name + ".ports");
  if (!tests::WaitForFile(platform::JoinPath(dir, "go"), absl::Seconds(60))) {
    (void)platform::ReplaceFileAtomically(report_path, "error no go\n");
    return 1;
  }
  const Options options = RegistryIn(dir);
  std::vector<Lease> leases;
  std::string report;
  for (int i = 0; i < count; ++i) {
    absl::StatusOr<Lease> lease = Acquire(absl::StrCat(name, "-", i), options);
    if (!lease.ok()) {
      report = absl::StrCat("error ", lease.status().ToString(), "\n");
      break;
    }
    absl::StrAppend(&report, lease->port(), "\n");
    leases.push_back(*std::move(lease));
  }
  if (!platform::ReplaceFileAtomically(report_path, report).ok()) return 1;
  if (absl::StartsWith(report, "error")) return 1;
  if (!tests::WaitForFile(platform::JoinPath(dir, "release"),
                          absl::Seconds(120))) {
    return 1;
  }
  return 0;  // the leases are released on the way out
}

using Child = tests::Subprocess;

// StartChild starts a copy of this program with `--child ARGS...`.
absl::StatusOr<std::unique_ptr<Child>> StartChild(
    const std::vector<std::string>& args) {
  std::vector<std::string> argv = {tests::ProgramPath(g_argv0), "--child"};
  argv.insert(argv.end(), args.begin(), args.end());
  return Child::Start(argv);
}

// ReadPorts waits for a child's report and returns its ports, or an error
// naming what the child said.
absl::StatusOr<std::vector<uint16_t>> ReadPorts(const std::string& path) {
  if (!tests::WaitForFile(path, absl::Seconds(120))) {
    return absl::DeadlineExceededError(absl::StrCat("no report in ", path));
  }
  absl::StatusOr<std::string> text = platform::ReadFileToString(path, 1 << 20);
  if (!text.ok()) return text.status();
  std::vector<uint16_t> ports;
  for (absl::string_view line :
       absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    uint32_t port = 0;
    if (!absl::SimpleAtoi(line, &port) || port == 0 || port > 65535) {
      return absl::InternalError(absl::StrCat(path, ": ", line));
    }
    ports.push_back(static_cast<uint16_t>(port));
  }
  return ports;
}

class ConcurrentAcquireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tests::TestDirectory();
    ASSERT_FALSE(dir_.empty());
  }

  void Signal(absl::string_view name) {
    ASSERT_TRUE(
        platform::ReplaceFileAtomically(platform::JoinPath(dir_, name), "")
            .ok());
  }

  std::string dir_;
};

TEST_F(ConcurrentAcquireTest, TwoProcessesAcquiringAtOnceGetDistinctPorts) {
  constexpr int kProcesses = 2;
  constexpr int kEach = 20;
  std::vector<std::unique_ptr<Child>> children;
  for (int p = 0; p < kProcesses; ++p) {
    absl::StatusOr<std::unique_ptr<Child>> child =
        StartChild({dir_, absl::StrCat(kEach), absl::StrCat("p", p)});
    ASSERT_TRUE(child.ok()) << child.status();
    children.push_back(*std::move(child));
  }
  Signal("go");  // both start acquiring now

  std::set<uint16_t> ports;
  for (int p = 0; p < kProcesses; ++p) {
    absl::StatusOr<std::vector<uint16_t>> got =
        ReadPorts(platform::JoinPath(dir_, absl::StrCat("p", p, ".ports")));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->size(), static_cast<size_t>(kEach));
    ports.insert(got->begin(), got->end());
  }
  EXPECT_EQ(ports.size(), static_cast<size_t>(kProcesses * kEach))
      << "two live leases share a port";

  // While both hold their leases, the registry shows each port live, held
  // by the process that reported it.
  absl::StatusOr<std::vector<Entry>> list = List(RegistryIn(dir_));
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), static_cast<size_t>(kProcesses * kEach));
  std::set<int64_t> owners;
  for (const Entry& e : *list) {
    EXPECT_EQ(e.state, EntryState::kLive) << e.app << " " << e.why;
    EXPECT_NE(e.hold, "pid") << e.app;
    EXPECT_EQ(ports.count(e.port), 1u) << e.port;
    owners.insert(e.pid);
  }
  EXPECT_EQ(owners,
            (std::set<int64_t>{children[0]->pid(), children[1]->pid()}));

  Signal("release");
  for (auto& child : children) EXPECT_EQ(child->Wait(), 0);
  list = List(RegistryIn(dir_));
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_THAT(*list, ::testing::IsEmpty()) << "each lease released on exit";
}

TEST_F(ConcurrentAcquireTest, KilledLeaseHoldersPortIsStaleAtOnce) {
  absl::StatusOr<std::unique_ptr<Child>> holder =
      StartChild({dir_, "1", "holder"});
  ASSERT_TRUE(holder.ok()) << holder.status();
  Signal("go");
  absl::StatusOr<std::vector<uint16_t>> got =
      ReadPorts(platform::JoinPath(dir_, "holder.ports"));
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 1u);
  const uint16_t port = got->front();
  ASSERT_EQ(List(RegistryIn(dir_))->at(0).state, EntryState::kLive);

  // Killed, not yet collected: the OS drops its lease lock as it dies, so
  // the entry is stale however its PID looks (allow the OS a moment).
  (*holder)->Kill();
  EntryState state = EntryState::kLive;
  std::string why;
  for (int i = 0; i < 200 && state == EntryState::kLive; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    absl::StatusOr<std::vector<Entry>> list = List(RegistryIn(dir_));
    ASSERT_TRUE(list.ok()) << list.status();
    ASSERT_EQ(list->size(), 1u);
    state = list->front().state;
    why = list->front().why;
  }
  EXPECT_EQ(state, EntryState::kStale);
  // Linux holds the lease lock past close, and its free lock says enough;
  // elsewhere the dead PID vouches too.
  EXPECT_THAT(why, ::testing::AnyOf(::testing::HasSubstr("lease lock is free"),
                                    ::testing::HasSubstr("is gone")));

  // And the port is handed out again.
  Options options = RegistryIn(dir_);
  options.port = port;
  absl::StatusOr<Lease> again = Acquire("next", options);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->port(), port);
  (*holder)->Wait();
}

}  // namespace
}  // namespace berth

// main: `--child DIR COUNT NAME` runs ChildMain; anything else runs the tests.
int main(int argc, char** argv) {
  berth::g_argv0 = argv[0];
  if (argc == 5 && std::strcmp(argv[1], "--child") == 0) {
    int count = 0;
    if (!absl::SimpleAtoi(argv[3], &count)) return 2;
    return berth::ChildMain(argv[2], count, argv[4]);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
