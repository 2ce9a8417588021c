// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/control.h against real holders: this test program started again in a
// helper mode (see main) that takes a lease and maybe listens on it. No
// fork, so it runs on Windows too.

#include "api/control.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
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
#include "api/admin.h"
#include "api/lease.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/listener.h"
#include "platform/port.h"
#include "platform/testing/child_process.h"

namespace berth {
namespace {

using platform::testing::ChildProcess;
using ::testing::HasSubstr;

constexpr PortRange kRange{24100, 24399};

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : ".";
}

Options RegistryIn(const std::string& dir) {
  Options options;
  options.registry_dir = dir;
  options.range = kRange;
  options.scope = "none";
  return options;
}

// A fresh registry directory for each test.
std::string NewRegistry() {
  static int n = 0;
  return absl::StrCat(TempDir(), "/reg-", ++n, "-",
                      absl::ToUnixNanos(absl::Now()));
}

// Holder is a copy of this program holding a lease for `app`; it listens on
// the port after `listen_after` (never when negative).
struct Holder {
  std::unique_ptr<ChildProcess> process;
  uint16_t port = 0;
};

Holder StartHolder(const std::string& registry, const std::string& app,
                   absl::Duration listen_after, bool ignore_term = false) {
  Holder h;
  auto self = platform::testing::SelfPath();
  EXPECT_TRUE(self.ok()) << self.status();
  if (!self.ok()) return h;
  const std::string ready = absl::StrCat(registry, "-", app, ".port");
  auto child = ChildProcess::Start(
      {*self, "--hold", registry, app, ready,
       absl::StrCat(absl::ToInt64Milliseconds(listen_after)),
       ignore_term ? "1" : "0"});
  EXPECT_TRUE(child.ok()) << child.status();
  if (!child.ok()) return h;
  h.process = *std::move(child);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  std::string text;
  while (absl::Now() < deadline) {
    std::ifstream in(ready);
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
    if (!text.empty() && text.back() == '\n') break;
    absl::SleepFor(absl::Milliseconds(5));
  }
  int port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(text, &port)) << "holder said: " << text;
  h.port = static_cast<uint16_t>(port);
  return h;
}

TEST(DnsLabelTest, MakesLabels) {
  EXPECT_EQ(*DnsLabel("web"), "web");
  EXPECT_EQ(*DnsLabel("Web"), "web");
  EXPECT_EQ(*DnsLabel("my_api.v2"), "my-api-v2");
  EXPECT_EQ(*DnsLabel("-x"), "x");
  EXPECT_EQ(*DnsLabel("a  b__c--"), "a-b-c");
  EXPECT_EQ(*DnsLabel("8080"), "8080");
  EXPECT_EQ(*DnsLabel(std::string(63, 'a')), std::string(63, 'a'));
  for (const char* bad : {"---", "_", "caf\xc3\xa9"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(DnsLabel(bad).status())) << bad;
  }
  EXPECT_THAT(DnsLabel(std::string(64, 'a')).status().message(),
              HasSubstr("at most 63"));
}

TEST(AppUrlTest, NamesTheHeldPortOnLocalhost) {
  const Options options = RegistryIn(NewRegistry());
  auto lease = Acquire("My_App.v2", options);
  ASSERT_TRUE(lease.ok()) << lease.status();
  auto url = AppUrl("My_App.v2", options);
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, absl::StrCat("http://my-app-v2.localhost:", lease->port()));
  EXPECT_TRUE(absl::IsNotFound(AppUrl("other", options).status()));
  Options elsewhere = options;
  elsewhere.scope = TempDir();
  EXPECT_TRUE(absl::IsNotFound(AppUrl("My_App.v2", elsewhere).status()))
      << "another scope's app of the same name is another app";
  EXPECT_TRUE(absl::IsInvalidArgument(AppUrl("", options).status()));
  ASSERT_TRUE(lease->Release().ok());
  EXPECT_TRUE(absl::IsNotFound(AppUrl("My_App.v2", options).status()));
}

TEST(WaitTest, ReturnsOnceTheHolderListens) {
  const std::string reg = NewRegistry();
  WaitOptions options;
  options.options = RegistryIn(reg);
  options.timeout = absl::Seconds(60);
  Holder h = StartHolder(reg, "late", absl::Milliseconds(400));
  ASSERT_NE(h.port, 0);
  const absl::Time start = absl::Now();
  const absl::Status s = Wait({"late", 0}, options);
  ASSERT_TRUE(s.ok()) << s;
  auto listeners = platform::FindListeners(h.port);
  ASSERT_TRUE(listeners.ok());
  EXPECT_FALSE(listeners->empty()) << "Wait returned before the listen";
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  // By port, too.
  ASSERT_TRUE(Wait({"", h.port}, options).ok());
}

TEST(WaitTest, WaitsForAnAppNotYetStarted) {
  const std::string reg = NewRegistry();
  WaitOptions options;
  options.options = RegistryIn(reg);
  options.timeout = absl::Milliseconds(300);
  const absl::Status none = Wait({"nobody", 0}, options);
  EXPECT_TRUE(absl::IsDeadlineExceeded(none)) << none;
  EXPECT_THAT(none.message(), HasSubstr("has no live holder"));
}

TEST(WaitTest, TimesOutSayingWhyAndDoesNotSpin) {
  const std::string reg = NewRegistry();
  Holder h = StartHolder(reg, "mute", absl::Milliseconds(-1));
  ASSERT_NE(h.port, 0);
  WaitOptions options;
  options.options = RegistryIn(reg);
  options.timeout = absl::Milliseconds(500);
  const absl::Time start = absl::Now();
  const absl::Status s = Wait({"mute", 0}, options);
  const absl::Duration took = absl::Now() - start;
  EXPECT_TRUE(absl::IsDeadlineExceeded(s)) << s;
  EXPECT_THAT(s.message(),
              HasSubstr(absl::StrCat("nothing listens on port ", h.port)));
  EXPECT_THAT(s.message(), HasSubstr("gave up after 0.5 s"));
  EXPECT_GE(took, absl::Milliseconds(500));
  EXPECT_LT(took, absl::Seconds(10));
}

TEST(WaitTest, AStrangersListenerIsNotTheApp) {
  const std::string reg = NewRegistry();
  Holder h = StartHolder(reg, "quiet", absl::Milliseconds(-1));
  ASSERT_NE(h.port, 0);
  // This process is no descendant of the holder.
  auto sock = platform::ListenTcp("127.0.0.1", h.port);
  ASSERT_TRUE(sock.ok()) << sock.status();
  auto listeners = platform::FindListeners(h.port);
  ASSERT_TRUE(listeners.ok()) << listeners.status();
  ASSERT_FALSE(listeners->empty());
  WaitOptions options;
  options.options = RegistryIn(reg);
  options.timeout = absl::Milliseconds(300);
  const absl::Status s = Wait({"quiet", 0}, options);
  if (!listeners->front().pid) {
    std::printf(
        "note: this OS does not say which process listens; any listener "
        "counts there\n");
    EXPECT_TRUE(s.ok()) << s;
  } else {
    EXPECT_TRUE(absl::IsDeadlineExceeded(s)) << s;
    EXPECT_THAT(s.message(), HasSubstr("neither its holder"));
  }
  // By port, a port nobody holds is ready when anyone listens.
  EXPECT_TRUE(Wait({"", static_cast<uint16_t>(kRange.hi)}, options)
                  .message()
                  .find("nothing listens on port") != std::string::npos);
}

TEST(WaitTest, FreeWaitsForTheHolderToGo) {
  const std::string reg = NewRegistry();
  Holder h = StartHolder(reg, "busy", absl::ZeroDuration());
  ASSERT_NE(h.port, 0);
  WaitOptions options;
  options.options = RegistryIn(reg);
  options.free = true;
  options.timeout = absl::Milliseconds(300);
  absl::Status s = Wait({"busy", 0}, options);
  EXPECT_TRUE(absl::IsDeadlineExceeded(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("is still held"));
  s = Wait({"", h.port}, options);
  EXPECT_TRUE(absl::IsDeadlineExceeded(s)) << s;
  h.process->Kill();
  h.process->Wait();
  options.timeout = absl::Seconds(30);
  s = Wait({"busy", 0}, options);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_TRUE(Wait({"", h.port}, options).ok());
}

TEST(WaitTest, BadInputReadsNothing) {
  const std::string reg = NewRegistry();
  WaitOptions options;
  options.options = RegistryIn(reg);
  EXPECT_TRUE(absl::IsInvalidArgument(Wait({"", 0}, options)));
  EXPECT_TRUE(absl::IsInvalidArgument(Wait({"a\nb", 0}, options)));
  EXPECT_TRUE(absl::IsInvalidArgument(Wait({"web", 80}, options)));
  options.timeout = absl::Seconds(-1);
  EXPECT_TRUE(absl::IsInvalidArgument(Wait({"web", 0}, options)));
  options.timeout = absl::Seconds(1);
  options.options.registry_dir = "relative";
  EXPECT_TRUE(absl::IsInvalidArgument(Wait({"web", 0}, options)));
  EXPECT_FALSE(std::ifstream(reg).good());
}

TEST(StopTest, TermEndsTheHolderAndFreesItsPort) {
  const std::string reg = NewRegistry();
  Holder h = StartHolder(reg, "svc", absl::ZeroDuration());
  ASSERT_NE(h.port, 0);
  StopOptions options;
  options.options = RegistryIn(reg);
  StopOptions elsewhere = options;
  elsewhere.options.scope = TempDir();
  EXPECT_TRUE(absl::IsNotFound(Stop("svc", elsewhere).status()))
      << "another scope's svc is another app";
  auto stopped = Stop("svc", options);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  ASSERT_EQ(stopped->size(), 1u);
  EXPECT_EQ((*stopped)[0].pid, h.process->pid());
  EXPECT_EQ((*stopped)[0].ports, std::vector<uint16_t>{h.port});
  EXPECT_FALSE((*stopped)[0].killed);
  EXPECT_EQ(h.process->Wait(), 143);  // 128 + SIGTERM; Windows: the same
  auto left = Find("svc", options.options);
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
  auto again = Stop("svc", options);
  EXPECT_TRUE(absl::IsNotFound(again.status())) << again.status();
  EXPECT_THAT(again.status().message(), HasSubstr("has no live holder"));
}

TEST(StopTest, KillAfterEndsAHolderThatIgnoresTerm) {
  const std::string reg = NewRegistry();
  Holder h = StartHolder(reg, "stubborn", absl::ZeroDuration(),
                         /*ignore_term=*/true);
  ASSERT_NE(h.port, 0);
  StopOptions options;
  options.options = RegistryIn(reg);
  options.timeout = absl::Milliseconds(300);
#ifdef _WIN32
  std::printf(
      "note: Windows has no signal to ignore (TERM ends the process there); "
      "only --kill-after with KILL is checked\n");
  options.signal = "KILL";
#else
  auto refused = Stop("stubborn", options);
  EXPECT_TRUE(absl::IsDeadlineExceeded(refused.status())) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("--kill-after"));
  auto still = Find("stubborn", options.options);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->size(), 1u) << "the holder still runs";
#endif
  options.kill_after = true;
  auto stopped = Stop("stubborn", options);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  ASSERT_EQ(stopped->size(), 1u);
#ifndef _WIN32
  EXPECT_TRUE((*stopped)[0].killed);
#endif
  EXPECT_EQ(h.process->Wait(), 137);  // 128 + SIGKILL
}

TEST(StopTest, RefusesToStopTheProcessThatAsks) {
  const Options options = RegistryIn(NewRegistry());
  auto lease = Acquire("mine", options);
  ASSERT_TRUE(lease.ok()) << lease.status();
  StopOptions stop;
  stop.options = options;
  auto s = Stop("mine", stop);
  EXPECT_TRUE(absl::IsFailedPrecondition(s.status())) << s.status();
  EXPECT_THAT(s.status().message(), HasSubstr("berth release"));
}

TEST(StopTest, BadInputReadsNothing) {
  const std::string reg = NewRegistry();
  StopOptions options;
  options.options = RegistryIn(reg);
  options.signal = "STOP";
  EXPECT_TRUE(absl::IsInvalidArgument(Stop("web", options).status()));
  options.signal = "TERM";
  EXPECT_TRUE(absl::IsInvalidArgument(Stop("", options).status()));
  options.timeout = absl::Seconds(-1);
  EXPECT_TRUE(absl::IsInvalidArgument(Stop("web", options).status()));
  EXPECT_FALSE(std::ifstream(reg).good());
}

}  // namespace
}  // namespace berth

// main: `--hold DIR APP FILE LISTEN_AFTER_MS IGNORE_TERM` takes a lease for
// APP, writes its port to FILE, listens on it after LISTEN_AFTER_MS
// (never when negative), and sleeps until killed; anything else runs the
// tests.
int main(int argc, char** argv) {
  if (argc == 7 && std::strcmp(argv[1], "--hold") == 0) {
#ifndef _WIN32
    if (std::strcmp(argv[6], "1") == 0) signal(SIGTERM, SIG_IGN);
#endif
    auto lease = berth::Acquire(argv[3], berth::RegistryIn(argv[2]));
    if (!lease.ok()) {
      std::ofstream(argv[4]) << lease.status() << "\n";
      return 1;
    }
    int64_t ms = -1;
    if (!absl::SimpleAtoi(argv[5], &ms)) return 2;
    std::ofstream(argv[4]) << lease->port() << "\n";
    if (ms >= 0) {
      absl::SleepFor(absl::Milliseconds(ms));
      if (!berth::platform::ListenTcp("127.0.0.1", lease->port()).ok()) {
        return 1;
      }
    }
    absl::SleepFor(absl::Seconds(120));
    return 3;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
