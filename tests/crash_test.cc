// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// `berth get` SIGKILLed at random points of its work, hundreds of times:
// before it takes a port's lock, while it holds it, halfway through writing
// a lease record or the memory, after. Some runs complete. What must hold
// after every run:
//   - the memory and every lease record decode (or are empty), and nothing
//     was ever moved aside as corrupt;
//   - no lock is held (the kernel drops a dead holder's locks);
// and at the end:
//   - a `berth get` with BERTH_LOCK_TIMEOUT=2 succeeds at once;
//   - no temp file of a killed writer (.registry.tmp-PID-HEX) is left.
//
// Usage (Bazel cc_test): crash_test PATH_TO_BERTH

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "registry/codec.h"

namespace {

namespace fs = std::filesystem;

std::string g_berth;  // argv[1]

constexpr int kRuns = 300;

// Spawn starts berth with `args`, stdout and stderr to `out` and `err`, and
// extra environment settings `env` ("NAME=VALUE").
pid_t Spawn(const std::vector<std::string>& args, const std::string& out,
            const std::string& err, const std::vector<std::string>& env = {}) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(g_berth.c_str()));
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
  const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) _exit(125);
  execv(argv[0], argv.data());
  _exit(127);
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> TempFiles(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (absl::StrContains(name, ".tmp-")) found.push_back(name);
  }
  return found;
}

// LockIsFree tries a lease lock without waiting, like `flock -n`.
bool LockIsFree(const fs::path& lock) {
  const int fd = open(lock.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;  // never created: nobody holds it
  const bool free = flock(fd, LOCK_EX | LOCK_NB) == 0;
  close(fd);
  return free;
}

// RecordLockIsFree asks whether another process holds a POSIX record lock
// on `lock` (the memory's lock), without taking it.
bool RecordLockIsFree(const fs::path& lock) {
  const int fd = open(lock.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;
  struct flock probe = {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  const bool free = fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type == F_UNLCK;
  close(fd);
  return free;
}

// CheckFiles says what is wrong with the registry in `dir`, or "".
std::string CheckFiles(const fs::path& dir) {
  if (!fs::exists(dir)) return "";
  if (!RecordLockIsFree(dir / "registry.lock")) {
    return "registry.lock is held with no berth running";
  }
  if (fs::exists(dir / "registry")) {
    auto memory = berth::registry::DecodeMemory(ReadAll(dir / "registry"));
    if (!memory.ok()) return absl::StrCat("registry: ", memory.status().ToString());
  }
  if (!fs::exists(dir / "leases")) return "";
  for (const auto& e : fs::directory_iterator(dir / "leases")) {
    if (!LockIsFree(e.path())) {
      return absl::StrCat(e.path().string(), " is locked with no berth running");
    }
    const std::string bytes = ReadAll(e.path());
    if (bytes.empty()) continue;
    auto record = berth::registry::DecodeLease(bytes);
    if (!record.ok()) {
      return absl::StrCat(e.path().string(), ": ", record.status().ToString());
    }
  }
  return "";
}

TEST(CrashTest, GetKilledAnywhereLeavesAUsableRegistry) {
  ASSERT_FALSE(g_berth.empty()) << "usage: crash_test PATH_TO_BERTH";
  const char* tmp = std::getenv("TEST_TMPDIR");
  const fs::path top = fs::path(tmp ? tmp : "/tmp") / "crash";
  const fs::path dir = top / "registry-dir";
  fs::remove_all(top);
  fs::create_directories(top);
  const std::string out = (top / "out").string();
  const std::string err = (top / "err").string();
  const std::string owner = absl::StrCat(getpid());  // alive throughout
  auto get = [&](int app) {
    return std::vector<std::string>{"get",        absl::StrCat("app", app),
                                    "--owner",    owner,
                                    "--range",    "26000-26999",
                                    "--registry", dir.string()};
  };

  // How long one uninterrupted run takes here (median of 5): kills are
  // spread over that, so they land in every part of it on a slow machine
  // (or under a sanitizer) too.
  std::vector<absl::Duration> runs;
  for (int i = 0; i < 5; ++i) {
    const absl::Time t0 = absl::Now();
    const pid_t pid = Spawn(get(i), out, err);
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    runs.push_back(absl::Now() - t0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "berth get failed: " << ReadAll(err);
  }
  std::sort(runs.begin(), runs.end());
  const int64_t window_us =
      std::max<int64_t>(3000, absl::ToInt64Microseconds(runs[2] * 3 / 2));

  std::mt19937 rng(20261126);
  int completed = 0, killed = 0, left_temp = 0;
  size_t temps = 0, most_temps = 0;
  for (int i = 0; i < kRuns; ++i) {
    const pid_t pid = Spawn(get(static_cast<int>(rng() % 40)), out, err);
    usleep(static_cast<useconds_t>(rng() % window_us));
    kill(pid, SIGKILL);
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status)) {
      ASSERT_EQ(WEXITSTATUS(status), 0) << "run " << i << ": " << ReadAll(err);
      ++completed;
    } else {
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
      ++killed;
    }
    const std::string wrong = CheckFiles(dir);
    ASSERT_EQ(wrong, "") << "run " << i;
    const size_t now = fs::exists(dir) ? TempFiles(dir).size() : 0;
    if (now > temps) ++left_temp;  // killed between create and rename
    temps = now;
    most_temps = std::max(most_temps, temps);
  }
  std::printf(
      "one run takes %s; %d runs killed 0-%lld us in, %d completed; %d kills "
      "left a temp file behind; at most %zu temp files at once\n",
      absl::FormatDuration(runs[2]).c_str(), killed,
      static_cast<long long>(window_us), completed, left_temp, most_temps);
  EXPECT_GT(killed, 0);
  EXPECT_GT(completed, 0);

  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    EXPECT_FALSE(absl::StrContains(e.path().filename().string(), "corrupt"))
        << e.path() << ": a file did not decode at some point";
  }

  // A get that waits at most 2 s for the lock succeeds, and at once.
  const absl::Time t0 = absl::Now();
  const pid_t pid = Spawn(get(99), out, err, {"BERTH_LOCK_TIMEOUT=2"});
  int status;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  const absl::Duration took = absl::Now() - t0;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadAll(err);
  EXPECT_EQ(ReadAll(err), "");
  EXPECT_LT(took, absl::Seconds(1)) << "it waited for the lock";

  // A completed transaction leaves no temp file, its own or a dead one's.
  const std::vector<std::string> left = TempFiles(dir);
  EXPECT_TRUE(left.empty())
      << left.size() << " temp files left, e.g. " << left.front();
  auto memory = berth::registry::DecodeMemory(ReadAll(dir / "registry"));
  ASSERT_TRUE(memory.ok()) << memory.status();
  EXPECT_FALSE(memory->apps.empty());
}

// The clean-up on its own, without timing luck: a dead writer's temp file
// goes at the next write of the memory, a live process's stays.
TEST(CrashTest, TempFilesOfDeadWritersGoAtTheNextTransaction) {
  ASSERT_FALSE(g_berth.empty()) << "usage: crash_test PATH_TO_BERTH";
  const char* tmp = std::getenv("TEST_TMPDIR");
  const fs::path top = fs::path(tmp ? tmp : "/tmp") / "temps";
  const fs::path dir = top / "registry-dir";
  fs::remove_all(top);
  fs::create_directories(top);
  const std::string out = (top / "out").string();
  const std::string err = (top / "err").string();
  auto run = [&](const std::string& app) {
    const pid_t pid =
        Spawn({"get", app, "--owner", absl::StrCat(getpid()), "--range",
               "26000-26999", "--registry", dir.string()},
              out, err);
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
  };
  ASSERT_TRUE(run("first")) << ReadAll(err);

  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  int status;
  ASSERT_EQ(waitpid(dead, &status, 0), dead);
  const std::string dead_temp =
      absl::StrCat(".registry.tmp-", dead, "-00000000deadbeef");
  const std::string live_temp =
      absl::StrCat(".registry.tmp-", getpid(), "-00000000feedf00d");
  // Not temp files of the registry: left alone whoever made them.
  const std::string other =
      absl::StrCat(".other.tmp-", dead, "-0000000000000001");
  for (const std::string& name : {dead_temp, live_temp, other}) {
    std::ofstream(dir / name) << "berth-registry 1\nentry";
  }
  const std::string before = ReadAll(dir / "registry");

  // Reading changes nothing.
  const pid_t list = Spawn({"list", "--registry", dir.string()}, out, err);
  ASSERT_EQ(waitpid(list, &status, 0), list);
  EXPECT_TRUE(fs::exists(dir / dead_temp));

  ASSERT_TRUE(run("second")) << ReadAll(err);
  EXPECT_FALSE(fs::exists(dir / dead_temp)) << "pid " << dead << " is gone";
  EXPECT_TRUE(fs::exists(dir / live_temp)) << "pid " << getpid() << " lives";
  EXPECT_TRUE(fs::exists(dir / other));
  EXPECT_NE(ReadAll(dir / "registry"), before);
  EXPECT_TRUE(berth::registry::DecodeMemory(ReadAll(dir / "registry")).ok());
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc > 1) g_berth = std::filesystem::absolute(argv[1]).string();
  return RUN_ALL_TESTS();
}
