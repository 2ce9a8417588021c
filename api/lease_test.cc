// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The embedding API against the real OS, with a registry in the test's temp
// directory.

#include "api/lease.h"

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/admin.h"
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
