// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/internal/proc_stat.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace berth::platform::internal {
namespace {

// Captured on Linux 6.18 (a zombie child of a test program), fields 3..52.
constexpr char kZombieLine[] =
    "6426 (z) Z 6404 6379 4958 0 -1 4227148 18 0 0 0 0 0 0 0 20 0 1 0 45708 "
    "0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 1 0 0 17 0 0 0 0 0 0 0 0 0 0 "
    "0 0 0\n";

// StatLine builds a line as the kernel prints it, with `name` verbatim.
std::string StatLine(const std::string& name, char state = 'S',
                     const std::string& start = "45686",
                     const std::string& threads = "1") {
  return absl::StrCat("4242 (", name, ") ", std::string(1, state),
                      " 17 4242 4242 0 -1 4194304 120 0 0 0 3 1 0 0 20 0 ",
                      threads, " 0 ", start,
                      " 9000000 500 18446744073709551615 1 1 0 0 0 0 0 0 0 "
                      "0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}

TEST(ParseProcStatTest, CapturedZombieLine) {
  absl::StatusOr<ProcStat> stat = ParseProcStat(kZombieLine);
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->pid, 6426);
  EXPECT_EQ(stat->name, "z");
  EXPECT_EQ(stat->state, 'Z');
  EXPECT_EQ(stat->ppid, 6404);
  EXPECT_EQ(stat->num_threads, 1);
  EXPECT_EQ(stat->start_ticks, 45708u);
  EXPECT_EQ(stat->flags, 4227148u);
  EXPECT_EQ(stat->flags & kProcessFlagKernelThread, 0u);
}

// Captured on Linux 6.18: kthreadd, whose flags carry PF_KTHREAD.
TEST(ParseProcStatTest, CapturedKernelThreadLine) {
  absl::StatusOr<ProcStat> stat = ParseProcStat(
      "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0 "
      "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 0 1 0 0 0 0 0 0 "
      "0 0 0 0 0 0 0\n");
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_NE(stat->flags & kProcessFlagKernelThread, 0u);
}

TEST(ParseProcStatTest, RejectsBadFlags) {
  std::string line = StatLine("bash");
  line.replace(line.find("4194304"), 7, "41x4304");
  EXPECT_FALSE(ParseProcStat(line).ok());
}

TEST(ParseProcStatTest, WithoutTrailingNewline) {
  std::string line = StatLine("bash");
  line.pop_back();
  absl::StatusOr<ProcStat> stat = ParseProcStat(line);
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->name, "bash");
  EXPECT_EQ(stat->start_ticks, 45686u);
}

TEST(ParseProcStatTest, HostileNames) {
  for (const std::string name :
       {"a b", "a) b (c", ") 7 6 5", "(", ")", "((", "))", ") S 1 2 3 (", "",
        " ", "x) Z 1", "tab\there", "new\nline", "🙂"}) {
    SCOPED_TRACE(name);
    absl::StatusOr<ProcStat> stat = ParseProcStat(StatLine(name));
    ASSERT_TRUE(stat.ok()) << stat.status();
    EXPECT_EQ(stat->pid, 4242);
    EXPECT_EQ(stat->name, name);
    EXPECT_EQ(stat->state, 'S');
    EXPECT_EQ(stat->ppid, 17);
    EXPECT_EQ(stat->start_ticks, 45686u);
  }
}

TEST(ParseProcStatTest, States) {
  for (char state : {'R', 'S', 'D', 'Z', 'X', 'T', 't', 'I', 'P'}) {
    SCOPED_TRACE(std::string(1, state));
    absl::StatusOr<ProcStat> stat = ParseProcStat(StatLine("a) Z (b", state));
    ASSERT_TRUE(stat.ok()) << stat.status();
    EXPECT_EQ(stat->state, state);
  }
}

TEST(ParseProcStatTest, ThreadCount) {
  absl::StatusOr<ProcStat> stat =
      ParseProcStat(StatLine("leader", 'Z', "45686", "2"));
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->num_threads, 2);
}

TEST(ParseProcStatTest, LargestStartTicks) {
  absl::StatusOr<ProcStat> stat =
      ParseProcStat(StatLine("x", 'S', "18446744073709551615"));
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->start_ticks, 18446744073709551615u);
}

TEST(ParseProcStatTest, RejectsNumbersOutOfRange) {
  for (const std::string start :
       {"18446744073709551616", "99999999999999999999999999999999"}) {
    SCOPED_TRACE(start);
    absl::StatusOr<ProcStat> stat = ParseProcStat(StatLine("x", 'S', start));
    EXPECT_EQ(stat.status().code(), absl::StatusCode::kInvalidArgument);
  }
  // A PID above int64 max.
  EXPECT_EQ(ParseProcStat("9223372036854775808 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 "
                          "0 0 20 0 1 0 5 0")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseProcStatTest, RejectsGarbageNumbers) {
  for (const std::string start :
       {"", "-1", "+1", "0x10", "12a", " 12", "1.5", "１２"}) {
    SCOPED_TRACE(start);
    absl::StatusOr<ProcStat> stat = ParseProcStat(StatLine("x", 'S', start));
    EXPECT_EQ(stat.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(ParseProcStat(StatLine("x", '1')).ok());
  EXPECT_FALSE(ParseProcStat(StatLine("x", ' ')).ok());
  EXPECT_FALSE(ParseProcStat("abc (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
                             "5 0")
                   .ok());
  EXPECT_FALSE(ParseProcStat("0 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
                             "5 0")
                   .ok());
  EXPECT_FALSE(ParseProcStat("-5 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
                             "5 0")
                   .ok());
  // Two spaces between fields shift every field: not accepted.
  EXPECT_FALSE(ParseProcStat("5 (x) S  1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
                             "5 0")
                   .ok());
}

TEST(ParseProcStatTest, RejectsEmptyAndTruncatedLines) {
  const std::string full = StatLine("a) b (c");
  EXPECT_FALSE(ParseProcStat("").ok());
  EXPECT_FALSE(ParseProcStat("\n").ok());
  EXPECT_FALSE(ParseProcStat("4242").ok());
  EXPECT_FALSE(ParseProcStat("4242 (bash").ok());
  EXPECT_FALSE(ParseProcStat("4242 (bash)").ok());
  EXPECT_FALSE(ParseProcStat("4242 (bash) ").ok());
  EXPECT_FALSE(ParseProcStat("4242 (bash)S 1").ok());
  EXPECT_FALSE(ParseProcStat("(bash) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
                             "5 0")
                   .ok());
  // Every cut that ends before field 38 (exit_signal) is whole must fail;
  // the full line and cuts inside later fields parse (later fields are not
  // read).
  const size_t exit_signal = full.find(" 17 1 0 0 0");
  ASSERT_NE(exit_signal, std::string::npos);
  for (size_t n = 0; n <= exit_signal; ++n) {
    SCOPED_TRACE(n);
    EXPECT_FALSE(ParseProcStat(full.substr(0, n)).ok());
  }
  // A cut inside field 38 leaves a shorter number: it parses, as the kernel
  // never writes such a line, but it must not read past the end.
  EXPECT_TRUE(ParseProcStat(full.substr(0, exit_signal + 2)).ok());
  EXPECT_TRUE(ParseProcStat(full.substr(0, exit_signal + 5)).ok());
  EXPECT_TRUE(ParseProcStat(full).ok());
}

TEST(ParseProcStatTest, ErrorNamesTheLine) {
  absl::StatusOr<ProcStat> stat = ParseProcStat("4242 (bash");
  ASSERT_FALSE(stat.ok());
  EXPECT_NE(stat.status().message().find("4242 (bash"), absl::string_view::npos)
      << stat.status();
}

TEST(ParseProcStatTest, ExitSignalTellsThreadsApart) {
  // A process, and a thread of it that is not its main thread: the kernel
  // prints exit_signal -1 for those (CLONE_THREAD), as seen on Linux 6.18.
  std::string line = StatLine("python3");
  absl::StatusOr<ProcStat> leader = ParseProcStat(line);
  ASSERT_TRUE(leader.ok()) << leader.status();
  EXPECT_EQ(leader->exit_signal, 17);
  line.replace(line.rfind(" 17 1 "), 6, " -1 1 ");
  absl::StatusOr<ProcStat> thread = ParseProcStat(line);
  ASSERT_TRUE(thread.ok()) << thread.status();
  EXPECT_EQ(thread->exit_signal, -1);
  line.replace(line.rfind(" -1 1 "), 6, " x1 1 ");
  EXPECT_FALSE(ParseProcStat(line).ok());
}

TEST(ParseProcStatusNSpidTest, ReadsEveryLevel) {
  // Captured on Linux 6.18: a process two PID namespaces deep, seen from
  // the initial namespace.
  absl::StatusOr<std::vector<int64_t>> pids = ParseProcStatusNSpid(
      "Name:\tsleep\nTgid:\t23501\nNgid:\t0\nPid:\t23501\nPPid:\t23500\n"
      "TracerPid:\t0\nNSpid:\t23501\t12\t1\nNSpgid:\t23500\t11\t1\n");
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_EQ(*pids, (std::vector<int64_t>{23501, 12, 1}));
  pids = ParseProcStatusNSpid("NSpid:\t77\n");
  ASSERT_TRUE(pids.ok());
  EXPECT_EQ(*pids, (std::vector<int64_t>{77}));
}

TEST(ParseProcStatusNSpidTest, RefusesWhatIsNotThere) {
  EXPECT_FALSE(ParseProcStatusNSpid("").ok());
  EXPECT_FALSE(ParseProcStatusNSpid("Name:\tx\nPid:\t5\n").ok());
  EXPECT_FALSE(ParseProcStatusNSpid("NSpid:\n").ok());
  EXPECT_FALSE(ParseProcStatusNSpid("NSpid:\t5\tx\n").ok());
  EXPECT_FALSE(ParseProcStatusNSpid("NSpid:\t-5\n").ok());
}

}  // namespace
}  // namespace berth::platform::internal
