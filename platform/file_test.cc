// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/file.h"

#ifdef _WIN32
#include "platform/internal/win.h"
#else
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sched.h>
#include <sys/mount.h>
#endif
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::platform {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// FileTest gives each test an empty directory of its own.
class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = JoinPath(
        ::testing::TempDir(),
        absl::StrCat("file_test.", info->test_suite_name(), ".", info->name()));
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
    ASSERT_TRUE(fs::create_directories(dir_)) << dir_;
  }

  void TearDown() override {
    std::error_code ignored;
    // Tests may leave read-only directories behind.
    for (auto it = fs::recursive_directory_iterator(dir_, ignored);
         it != fs::recursive_directory_iterator(); it.increment(ignored)) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add,
                      ignored);
    }
    fs::remove_all(dir_, ignored);
  }

  std::string Path(absl::string_view name) const {
    return JoinPath(dir_, name);
  }

  // Entries lists the names in the test directory, sorted.
  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  static void WriteFile(const std::string& path, absl::string_view contents) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    ASSERT_TRUE(out.good()) << path;
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in),
                       std::istreambuf_iterator<char>());
  }

  std::string dir_;
};

// --- FileLock ---------------------------------------------------------------

using FileLockTest = FileTest;

TEST_F(FileLockTest, LockCreatesTheFileAndHoldsIt) {
  const std::string path = Path("registry.lock");
  absl::StatusOr<FileLock> lock = FileLock::Lock(path, absl::Seconds(1));
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(lock->held());
  EXPECT_EQ(lock->path(), path);
  EXPECT_TRUE(fs::exists(path));
#ifndef _WIN32
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
#endif
}

TEST_F(FileLockTest, TryLockCreatesOnlyWhenAsked) {
  const std::string path = Path("leases/8800.lock");
  ASSERT_TRUE(fs::create_directories(Path("leases")));
  EXPECT_EQ(FileLock::TryLock(path).status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<FileLock> lock = FileLock::TryLock(path, /*create=*/true);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_EQ(FileLock::TryLock(path, true).status().code(),
            absl::StatusCode::kUnavailable);
  lock->Unlock();
  EXPECT_TRUE(FileLock::TryLock(path).ok());
}

TEST_F(FileLockTest, ContentsAreWrittenInPlaceAndReadBack) {
  const std::string path = Path("8800.lock");
  absl::StatusOr<FileLock> lock = FileLock::TryLock(path, true);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_EQ(*lock->ReadContents(100), "");
  ASSERT_TRUE(lock->WriteContents("a longer first record\n").ok());
  ASSERT_TRUE(lock->WriteContents("short\n").ok());
  EXPECT_EQ(*lock->ReadContents(100), "short\n");
  // Another reader sees the same bytes while the lock is held.
  EXPECT_EQ(ReadFile(path), "short\n");
  EXPECT_EQ(lock->ReadContents(3).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(lock->WriteContents("").ok());
  EXPECT_EQ(ReadFile(path), "");
}

TEST_F(FileLockTest, ThisProcessKindExcludesThreadsOfTheSameProcess) {
  const std::string path = Path("registry.lock");
  absl::StatusOr<FileLock> first =
      FileLock::Lock(path, absl::Seconds(1), FileLock::Kind::kThisProcess);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<FileLock> second = FileLock::Lock(
      path, absl::Milliseconds(20), FileLock::Kind::kThisProcess);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kDeadlineExceeded);
  first->Unlock();
  EXPECT_TRUE(
      FileLock::Lock(path, absl::Seconds(1), FileLock::Kind::kThisProcess)
          .ok());
}

TEST_F(FileLockTest, SecondLockInTheSameProcessTimesOutNamingTheFile) {
  const std::string path = Path("registry.lock");
  absl::StatusOr<FileLock> first = FileLock::Lock(path, absl::Seconds(1));
  ASSERT_TRUE(first.ok()) << first.status();

  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<FileLock> second =
      FileLock::Lock(path, absl::Milliseconds(100));
  const auto waited = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(second.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(second.status().message(), HasSubstr(path));
  EXPECT_THAT(second.status().message(), HasSubstr("timed out after 100ms"));
  EXPECT_GE(waited, std::chrono::milliseconds(100));
  EXPECT_LT(waited, std::chrono::seconds(2));
}

TEST_F(FileLockTest, ZeroTimeoutTriesOnce) {
  const std::string path = Path("registry.lock");
  absl::StatusOr<FileLock> first = FileLock::Lock(path, absl::Seconds(1));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(FileLock::Lock(path, absl::ZeroDuration()).status().code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST_F(FileLockTest, TryLockIsUnavailableWhileHeld) {
  const std::string path = Path("lease.lock");
  absl::StatusOr<FileLock> lock = FileLock::Lock(path, absl::Seconds(1));
  ASSERT_TRUE(lock.ok()) << lock.status();
  absl::StatusOr<FileLock> again = FileLock::TryLock(path);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable)
      << again.status();
}

TEST_F(FileLockTest, ReadersShareAndExcludeExclusiveHolders) {
  const std::string path = Path("lease.lock");
  EXPECT_EQ(FileLock::TryLockForReading(path).status().code(),
            absl::StatusCode::kNotFound);
  {
    absl::StatusOr<FileLock> holder = FileLock::TryLock(path, true);
    ASSERT_TRUE(holder.ok()) << holder.status();
    ASSERT_TRUE(holder->WriteContents("record").ok());
    EXPECT_EQ(FileLock::TryLockForReading(path).status().code(),
              absl::StatusCode::kUnavailable);
  }
  absl::StatusOr<FileLock> reader = FileLock::TryLockForReading(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::StatusOr<FileLock> second = FileLock::TryLockForReading(path);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*reader->ReadContents(100), "record");
  EXPECT_EQ(FileLock::TryLock(path).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(reader->WriteContents("x").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(reader->SetInheritable().status().code(),
            absl::StatusCode::kFailedPrecondition);
  reader->Unlock();
  EXPECT_EQ(FileLock::TryLock(path).status().code(),
            absl::StatusCode::kUnavailable);  // the second reader still looks
  second->Unlock();
  EXPECT_TRUE(FileLock::TryLock(path).ok());
}

TEST_F(FileLockTest, LockableAgainAfterUnlockAndAfterDestruction) {
  const std::string path = Path("registry.lock");
  {
    absl::StatusOr<FileLock> lock = FileLock::Lock(path, absl::Seconds(1));
    ASSERT_TRUE(lock.ok()) << lock.status();
    lock->Unlock();
    EXPECT_FALSE(lock->held());
    absl::StatusOr<FileLock> again = FileLock::TryLock(path);
    ASSERT_TRUE(again.ok()) << again.status();
  }  // `again` is destroyed here
  absl::StatusOr<FileLock> third = FileLock::Lock(path, absl::ZeroDuration());
  EXPECT_TRUE(third.ok()) << third.status();
  // The lock file is never removed.
  third->Unlock();
  EXPECT_TRUE(fs::exists(path));
}

TEST_F(FileLockTest, TryLockDoesNotCreateTheFile) {
  EXPECT_EQ(FileLock::TryLock(Path("missing.lock")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(Path("missing.lock")));
}

TEST_F(FileLockTest, LockInAMissingDirectoryIsNotFound) {
  absl::StatusOr<FileLock> lock =
      FileLock::Lock(Path("no/such/dir.lock"), absl::Seconds(1));
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(lock.status().message(), HasSubstr("no/such/dir.lock"));
}

TEST_F(FileLockTest, MovesTransferTheLock) {
  const std::string a_path = Path("a.lock");
  const std::string b_path = Path("b.lock");
  absl::StatusOr<FileLock> a = FileLock::Lock(a_path, absl::Seconds(1));
  absl::StatusOr<FileLock> b = FileLock::Lock(b_path, absl::Seconds(1));
  ASSERT_TRUE(a.ok() && b.ok());

  FileLock moved = *std::move(a);
  EXPECT_TRUE(moved.held());
  EXPECT_EQ(moved.path(), a_path);
  EXPECT_EQ(FileLock::TryLock(a_path).status().code(),
            absl::StatusCode::kUnavailable);

  // Assigning over a held lock releases that one.
  moved = *std::move(b);
  EXPECT_EQ(moved.path(), b_path);
  EXPECT_TRUE(FileLock::TryLock(a_path).ok());
  EXPECT_EQ(FileLock::TryLock(b_path).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(FileLockTest, SetInheritableNeedsAHeldLock) {
  FileLock none;
  EXPECT_FALSE(none.held());
  EXPECT_EQ(none.SetInheritable().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

#ifndef _WIN32
// A Child runs `body` in a forked process; the parent can wait until the
// child reports ready (a byte on a pipe) or has exec'd (the close-on-exec
// write end closes).
class Child {
 public:
  template <typename Body>
  explicit Child(Body body) {
    int fds[2];
    // pipe + FD_CLOEXEC: macOS has no pipe2. The test starts no threads.
    if (pipe(fds) != 0) return;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    pid_ = fork();
    if (pid_ == 0) {
      close(fds[0]);
      body(fds[1]);
      _exit(0);
    }
    close(fds[1]);
    ready_fd_ = fds[0];
  }
  ~Child() {
    Kill();
    if (ready_fd_ >= 0) close(ready_fd_);
  }

  bool started() const { return pid_ > 0; }

  // WaitReady returns the byte the child wrote, or nullopt at EOF.
  std::optional<char> WaitReady() {
    char byte;
    ssize_t n;
    do {
      n = read(ready_fd_, &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 1) return byte;
    return std::nullopt;
  }

  // Kill kills the child with SIGKILL and reaps it.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    Wait();
  }

  // Wait reaps the child and returns its wait status.
  int Wait() {
    int status = 0;
    if (pid_ > 0) {
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      pid_ = -1;
    }
    return status;
  }

 private:
  pid_t pid_ = -1;
  int ready_fd_ = -1;
};

TEST_F(FileLockTest, KernelDropsTheLockOfAKilledHolder) {
  const std::string path = Path("registry.lock");
  Child child([&](int ready) {
    absl::StatusOr<FileLock> lock = FileLock::Lock(path, absl::Seconds(5));
    if (!lock.ok()) _exit(1);
    (void)!write(ready, "L", 1);
    for (;;) pause();
  });
  ASSERT_TRUE(child.started());
  ASSERT_EQ(child.WaitReady(), 'L');

  EXPECT_EQ(FileLock::TryLock(path).status().code(),
            absl::StatusCode::kUnavailable);
  child.Kill();
  absl::StatusOr<FileLock> lock = FileLock::Lock(path, absl::Seconds(5));
  EXPECT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(fs::exists(path));
}

// ExitCodeOf runs `body` in a forked child and returns its exit code.
template <typename Body>
int ExitCodeOf(Body body) {
  Child child([&](int) { _exit(body()); });
  const int status = child.Wait();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(FileLockTest, ForkedChildNeverHoldsAThisProcessLock) {
  const std::string path = Path("registry.lock");
  absl::StatusOr<FileLock> lock =
      FileLock::Lock(path, absl::Seconds(1), FileLock::Kind::kThisProcess);
  ASSERT_TRUE(lock.ok()) << lock.status();
  // A child forked while it is held (it inherits the descriptor) does not
  // hold it: once the parent lets go, a third process gets it.
  Child sleeper([](int ready) {
    (void)!write(ready, "S", 1);
    for (;;) pause();
  });
  ASSERT_EQ(sleeper.WaitReady(), 'S');
  auto try_lock = [&] {
    return FileLock::Lock(path, absl::ZeroDuration(),
                          FileLock::Kind::kThisProcess)
                   .ok()
               ? 0
               : 1;
  };
  EXPECT_EQ(ExitCodeOf(try_lock), 1) << "held by the parent";
  lock->Unlock();
  EXPECT_EQ(ExitCodeOf(try_lock), 0) << "not held by the forked child";
}

TEST_F(FileLockTest, ForkedChildKeepsASharedLock) {
  const std::string path = Path("8800.lock");
  absl::StatusOr<FileLock> lock = FileLock::TryLock(path, true);
  ASSERT_TRUE(lock.ok()) << lock.status();
  Child sleeper([](int ready) {
    (void)!write(ready, "S", 1);
    for (;;) pause();
  });
  ASSERT_EQ(sleeper.WaitReady(), 'S');
  lock->Unlock();
  EXPECT_EQ(FileLock::TryLock(path).status().code(),
            absl::StatusCode::kUnavailable);
  sleeper.Kill();
  EXPECT_TRUE(FileLock::TryLock(path).ok());
}

// CloseEveryDescriptor closes 3..1023, as servers that "close inherited
// files" do.
void CloseEveryDescriptor() {
  for (int fd = 3; fd < 1024; ++fd) close(fd);
}

TEST_F(FileLockTest, HoldPastCloseOutlastsClosedDescriptors) {
  const std::string path = Path("8800.lock");
  for (const bool hold : {false, true}) {
    SCOPED_TRACE(hold ? "held past close" : "plain");
    Child holder([&](int ready) {
      absl::StatusOr<FileLock> lock = FileLock::TryLock(path, true);
      if (!lock.ok()) _exit(1);
      absl::StatusOr<bool> held = hold ? lock->HoldPastClose() : false;
      if (!held.ok()) _exit(2);
      (void)!write(ready, *held ? "H" : "P", 1);
      CloseEveryDescriptor();
      for (;;) pause();
    });
    const std::optional<char> said = holder.WaitReady();
    ASSERT_TRUE(said == 'H' || said == 'P');
    // The holder has closed its descriptors by the time the pipe reads EOF.
    ASSERT_EQ(holder.WaitReady(), std::nullopt);
    const bool still_held = FileLock::TryLock(path).status().code() ==
                            absl::StatusCode::kUnavailable;
#ifdef __linux__
    EXPECT_EQ(said, hold ? 'H' : 'P');
    EXPECT_EQ(still_held, hold);
#else
    EXPECT_EQ(said, 'P');  // not offered: the lock goes with the descriptor
    EXPECT_FALSE(still_held);
#endif
    holder.Kill();
    EXPECT_TRUE(FileLock::TryLock(path).ok());
  }
}

TEST_F(FileLockTest, HoldPastCloseIsNotInheritedByFork) {
  const std::string path = Path("8800.lock");
  absl::StatusOr<FileLock> lock = FileLock::TryLock(path, true);
  ASSERT_TRUE(lock.ok()) << lock.status();
  ASSERT_TRUE(lock->HoldPastClose().ok());
  Child child([](int ready) {
    (void)!write(ready, "S", 1);
    CloseEveryDescriptor();  // drops its copy of the descriptor
    for (;;) pause();
  });
  ASSERT_EQ(child.WaitReady(), 'S');
  ASSERT_EQ(child.WaitReady(), std::nullopt);
  lock->Unlock();
  EXPECT_TRUE(FileLock::TryLock(path).ok())
      << "the child must not hold the lock through a copy of the mapping";
}

TEST_F(FileLockTest, NeverOnAStandardDescriptor) {
  const std::string path = Path("8800.lock");
  EXPECT_EQ(ExitCodeOf([&] {
              close(0);
              close(1);
              close(2);
              absl::StatusOr<FileLock> lock = FileLock::TryLock(path, true);
              if (!lock.ok()) return 1;
              absl::StatusOr<intptr_t> fd = lock->SetInheritable();
              return fd.ok() && *fd > 2 ? 0 : 2;
            }),
            0);
}

TEST(OpenNullOnClosedStandardStreamsTest, FillsTheGaps) {
  EXPECT_EQ(ExitCodeOf([] {
              close(0);
              close(2);
              if (!OpenNullOnClosedStandardStreams().ok()) return 1;
              for (int fd = 0; fd <= 2; ++fd) {
                if (fcntl(fd, F_GETFD) == -1) return 2;
              }
              // Writes to the reopened stderr go nowhere, and do not fail.
              return write(2, "x", 1) == 1 ? 0 : 3;
            }),
            0);
}

TEST_F(FileLockTest, LockWaitsForAHolderThatLetsGo) {
  const std::string path = Path("registry.lock");
  Child child([&](int ready) {
    absl::StatusOr<FileLock> lock = FileLock::Lock(path, absl::Seconds(5));
    if (!lock.ok()) _exit(1);
    (void)!write(ready, "L", 1);
    usleep(200 * 1000);
    _exit(0);  // the kernel releases the lock
  });
  ASSERT_TRUE(child.started());
  ASSERT_EQ(child.WaitReady(), 'L');
  absl::StatusOr<FileLock> lock = FileLock::Lock(path, absl::Seconds(10));
  EXPECT_TRUE(lock.ok()) << lock.status();
}

TEST_F(FileLockTest, SetInheritableClearsCloseOnExec) {
  absl::StatusOr<FileLock> lock =
      FileLock::Lock(Path("lease.lock"), absl::Seconds(1));
  ASSERT_TRUE(lock.ok()) << lock.status();
  absl::StatusOr<intptr_t> fd = lock->SetInheritable();
  ASSERT_TRUE(fd.ok()) << fd.status();
  EXPECT_EQ(fcntl(static_cast<int>(*fd), F_GETFD) & FD_CLOEXEC, 0);
}

TEST_F(FileLockTest, ExecedChildDoesNotInheritALockByDefault) {
  const std::string path = Path("lease.lock");
  absl::StatusOr<FileLock> lock = FileLock::Lock(path, absl::Seconds(1));
  ASSERT_TRUE(lock.ok()) << lock.status();
  Child sleeper([](int) {
    execl("/bin/sh", "sh", "-c", "exec sleep 30", static_cast<char*>(nullptr));
    _exit(127);
  });
  ASSERT_TRUE(sleeper.started());
  ASSERT_EQ(sleeper.WaitReady(), std::nullopt);  // exec'd
  lock->Unlock();
  EXPECT_TRUE(FileLock::TryLock(path).ok());
}

TEST_F(FileLockTest, ExecedChildKeepsAnInheritableLockAfterUnlock) {
  const std::string path = Path("lease.lock");
  absl::StatusOr<FileLock> lock = FileLock::Lock(path, absl::Seconds(1));
  ASSERT_TRUE(lock.ok()) << lock.status();
  ASSERT_TRUE(lock->SetInheritable().ok());
  Child sleeper([](int) {
    execl("/bin/sh", "sh", "-c", "exec sleep 30", static_cast<char*>(nullptr));
    _exit(127);
  });
  ASSERT_TRUE(sleeper.started());
  ASSERT_EQ(sleeper.WaitReady(), std::nullopt);  // exec'd
  lock->Unlock();
  EXPECT_EQ(FileLock::TryLock(path).status().code(),
            absl::StatusCode::kUnavailable);
  sleeper.Kill();
  EXPECT_TRUE(FileLock::TryLock(path).ok());
}
#endif  // !_WIN32

// --- ReadFileToString -------------------------------------------------------

using ReadFileToStringTest = FileTest;

TEST_F(ReadFileToStringTest, MissingFileIsNotFound) {
  absl::StatusOr<std::string> contents =
      ReadFileToString(Path("registry"), 1024);
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(contents.status().message(), HasSubstr(Path("registry")));
}

TEST_F(ReadFileToStringTest, ReadsEveryByte) {
  const std::string data("berth 1\n\0\r\n\xff end", 16);
  WriteFile(Path("registry"), data);
  absl::StatusOr<std::string> contents = ReadFileToString(Path("registry"), 16);
  ASSERT_TRUE(contents.ok()) << contents.status();
  EXPECT_EQ(*contents, data);
  EXPECT_EQ(*ReadFileToString(Path("registry"), 1 << 20), data);
}

TEST_F(ReadFileToStringTest, RefusesFilesOverTheLimit) {
  WriteFile(Path("registry"), "0123456789");
  absl::StatusOr<std::string> contents = ReadFileToString(Path("registry"), 9);
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(contents.status().message(), HasSubstr(Path("registry")));
  EXPECT_TRUE(ReadFileToString(Path("registry"), 10).ok());
  EXPECT_EQ(ReadFileToString(Path("registry"), -1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

#ifdef __linux__
TEST_F(ReadFileToStringTest, LimitHoldsForFilesWithoutASize) {
  // procfs files report size 0: only the read loop can enforce the limit.
  absl::StatusOr<std::string> status =
      ReadFileToString("/proc/self/status", 1 << 20);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_THAT(*status, HasSubstr("Pid:"));
  EXPECT_EQ(ReadFileToString("/proc/self/status", 16).status().code(),
            absl::StatusCode::kFailedPrecondition);
}
#endif

// --- ReplaceFileAtomically --------------------------------------------------

using ReplaceFileAtomicallyTest = FileTest;

TEST_F(ReplaceFileAtomicallyTest, CreatesTheFileAndLeavesNoTemp) {
  const std::string path = Path("registry");
  ASSERT_TRUE(ReplaceFileAtomically(path, "berth 1\n").ok());
  EXPECT_EQ(ReadFile(path), "berth 1\n");
  EXPECT_THAT(Entries(), ElementsAre("registry"));
#ifndef _WIN32
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
#endif
}

TEST_F(ReplaceFileAtomicallyTest, ReplacesTheFileAndLeavesNoTemp) {
  const std::string path = Path("registry");
  WriteFile(path, "old contents, longer than the new ones\n");
  ASSERT_TRUE(ReplaceFileAtomically(path, "new\n").ok());
  EXPECT_EQ(ReadFile(path), "new\n");
  std::string big(1 << 20, 'x');
  big[12345] = '\0';
  ASSERT_TRUE(ReplaceFileAtomically(path, big).ok());
  EXPECT_EQ(ReadFile(path), big);
  ASSERT_TRUE(ReplaceFileAtomically(path, "").ok());
  EXPECT_EQ(ReadFile(path), "");
  EXPECT_THAT(Entries(), ElementsAre("registry"));
}

TEST_F(ReplaceFileAtomicallyTest, RefusesAPathThatNamesNoFile) {
  EXPECT_EQ(ReplaceFileAtomically(Path("dir/"), "x").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReplaceFileAtomicallyTest, MissingDirectoryIsNotFound) {
  absl::Status status = ReplaceFileAtomically(Path("no/registry"), "x");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_THAT(status.message(), HasSubstr(Path("no")));
}

TEST_F(ReplaceFileAtomicallyTest, FailedRenameRemovesTheTemp) {
  // A directory cannot be replaced by a file: the rename fails.
  const std::string path = Path("registry");
  ASSERT_TRUE(fs::create_directory(path));
  WriteFile(JoinPath(path, "inside"), "kept");
  EXPECT_FALSE(ReplaceFileAtomically(path, "new\n").ok());
  EXPECT_THAT(Entries(), ElementsAre("registry"));
  EXPECT_EQ(ReadFile(JoinPath(path, "inside")), "kept");
}

#ifndef _WIN32
TEST_F(ReplaceFileAtomicallyTest, ModeIs0600WhateverTheUmask) {
  const mode_t old_umask = umask(0277);
  absl::Status status = ReplaceFileAtomically(Path("registry"), "x");
  umask(old_umask);
  ASSERT_TRUE(status.ok()) << status;
  struct stat st;
  ASSERT_EQ(stat(Path("registry").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST_F(ReplaceFileAtomicallyTest, FailedWriteLeavesTheTargetByteForByte) {
  // RLIMIT_FSIZE makes the write fail (EFBIG) in a child, which reports it
  // (ReportFileSizeLimitAsError) as the berth CLI does. Works as root
  // too, unlike chmod.
  const std::string path = Path("registry");
  const std::string old_contents = "berth 1\nkeep me\n";
  WriteFile(path, old_contents);
  Child writer([&](int report) {
    ReportFileSizeLimitAsError();
    rlimit limit;
    limit.rlim_cur = limit.rlim_max = 4096;
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(2);
    absl::Status status =
        ReplaceFileAtomically(path, std::string(64 * 1024, 'n'));
    const std::string message = status.ToString();
    (void)!write(report, message.data(), message.size());
    _exit(status.ok() ? 1 : 0);
  });
  ASSERT_TRUE(writer.started());
  std::string message;
  while (std::optional<char> c = writer.WaitReady()) message.push_back(*c);
  const int status = writer.Wait();
  ASSERT_TRUE(WIFEXITED(status)) << "child died: " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << message;
  EXPECT_THAT(message, HasSubstr("write"));
  EXPECT_EQ(ReadFile(path), old_contents);
  EXPECT_THAT(Entries(), ElementsAre("registry"));
}

TEST_F(ReplaceFileAtomicallyTest, ReadOnlyDirectoryLeavesTheTarget) {
  const std::string path = Path("registry");
  WriteFile(path, "old\n");
  if (geteuid() != 0) {
    ASSERT_EQ(chmod(dir_.c_str(), 0500), 0);
    absl::Status status = ReplaceFileAtomically(path, "new\n");
    chmod(dir_.c_str(), 0700);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
    EXPECT_EQ(ReadFile(path), "old\n");
    EXPECT_THAT(Entries(), ElementsAre("registry"));
    return;
  }
#ifdef __linux__
  // Root ignores permissions, but not a read-only mount: in a child with a
  // mount namespace of its own, bind the directory onto itself read-only.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (unshare(CLONE_NEWNS) != 0 ||
        mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      _exit(77);
    }
    if (mount(dir_.c_str(), dir_.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
        mount(nullptr, dir_.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY,
              nullptr) != 0) {
      _exit(78);
    }
    absl::Status status = ReplaceFileAtomically(path, "new\n");
    _exit(status.ok() ? 1 : 0);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFEXITED(wstatus));
  if (WEXITSTATUS(wstatus) == 77 || WEXITSTATUS(wstatus) == 78) {
    GTEST_SKIP() << "no mount namespace or read-only bind mount here (exit "
                 << WEXITSTATUS(wstatus) << "); root ignores permissions";
  }
  EXPECT_EQ(WEXITSTATUS(wstatus), 0) << "the replace must fail";
  EXPECT_EQ(ReadFile(path), "old\n");
  EXPECT_THAT(Entries(), ElementsAre("registry"));
#else
  GTEST_SKIP() << "root ignores directory permissions";
#endif
}
#endif  // !_WIN32

// --- EnsurePrivateDirectory -------------------------------------------------

using EnsurePrivateDirectoryTest = FileTest;

TEST_F(EnsurePrivateDirectoryTest, CreatesMissingLevelsPrivately) {
  const std::string path = Path("a/b/berth");
  ASSERT_TRUE(EnsurePrivateDirectory(path).ok());
  EXPECT_TRUE(fs::is_directory(path));
  EXPECT_TRUE(EnsurePrivateDirectory(path).ok());  // again: nothing to do
  EXPECT_TRUE(EnsurePrivateDirectory(path + "/").ok());
#ifndef _WIN32
  for (const std::string& level : {Path("a"), Path("a/b"), path}) {
    struct stat st;
    ASSERT_EQ(stat(level.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700) << level;
  }
#endif
}

#ifndef _WIN32
TEST_F(EnsurePrivateDirectoryTest, IsPrivateWhateverTheUmask) {
  for (const mode_t mask : {mode_t{0}, mode_t{022}, mode_t{0777}}) {
    const std::string path = Path(absl::StrCat("umask", mask, "/berth"));
    const mode_t old = umask(mask);
    const absl::Status status = EnsurePrivateDirectory(path);
    umask(old);
    ASSERT_TRUE(status.ok()) << status;
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700) << "umask " << mask;
  }
}
#endif

TEST_F(EnsurePrivateDirectoryTest, RefusesARegularFile) {
  WriteFile(Path("berth"), "");
  absl::Status status = EnsurePrivateDirectory(Path("berth"));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("not a directory"));
}

#ifndef _WIN32
TEST_F(EnsurePrivateDirectoryTest, RefusesASymlinkEvenToAPrivateDirectory) {
  ASSERT_TRUE(EnsurePrivateDirectory(Path("real")).ok());
  ASSERT_EQ(symlink(Path("real").c_str(), Path("berth").c_str()), 0);
  for (const std::string& path : {Path("berth"), Path("berth") + "/"}) {
    absl::Status status = EnsurePrivateDirectory(path);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << path;
    EXPECT_THAT(status.message(), HasSubstr("symbolic link")) << path;
  }
}

TEST_F(EnsurePrivateDirectoryTest, AcceptsASymlinkAmongTheParents) {
  ASSERT_TRUE(fs::create_directory(Path("real")));
  ASSERT_EQ(symlink(Path("real").c_str(), Path("link").c_str()), 0);
  EXPECT_TRUE(EnsurePrivateDirectory(Path("link/berth")).ok());
  EXPECT_TRUE(fs::is_directory(Path("real/berth")));
}

TEST_F(EnsurePrivateDirectoryTest, RefusesADirectoryOfAnotherUser) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "needs root to give a directory to another user";
  }
  ASSERT_EQ(mkdir(Path("berth").c_str(), 0700), 0);
  if (chown(Path("berth").c_str(), 65534, 65534) != 0) {
    // EINVAL: a user namespace that maps no other uid (a sandbox).
    GTEST_SKIP() << "chown to uid 65534 failed (" << std::strerror(errno)
                 << "): no other user exists here";
  }
  absl::Status status = EnsurePrivateDirectory(Path("berth"));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("owned by uid 65534"));
}

TEST_F(EnsurePrivateDirectoryTest, RefusesADirectoryOthersCanWrite) {
  for (mode_t mode : {0777, 0770, 0702, 01777}) {
    const std::string path = Path(absl::StrCat("berth", mode));
    ASSERT_EQ(mkdir(path.c_str(), 0700), 0);
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
    absl::Status status = EnsurePrivateDirectory(path);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << mode;
    EXPECT_THAT(status.message(), HasSubstr("writable by other users"));
  }
}

TEST_F(EnsurePrivateDirectoryTest, AcceptsADirectoryOthersCanOnlyRead) {
  ASSERT_EQ(mkdir(Path("berth").c_str(), 0755), 0);
  ASSERT_EQ(chmod(Path("berth").c_str(), 0755), 0);
  EXPECT_TRUE(EnsurePrivateDirectory(Path("berth")).ok());
}
#endif  // !_WIN32

// --- UserStateDirectory -----------------------------------------------------

// ScopedEnv sets or unsets environment variables and restores them.
class ScopedEnv {
 public:
  ScopedEnv() = default;
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      Put(it->first, it->second);
    }
  }

  void Set(const std::string& name, std::optional<std::string> value) {
    const char* old = getenv(name.c_str());
    saved_.emplace_back(
        name, old == nullptr ? std::nullopt : std::optional<std::string>(old));
    Put(name, value);
  }

 private:
  static void Put(const std::string& name,
                  const std::optional<std::string>& value) {
#ifdef _WIN32
    SetEnvironmentVariableA(name.c_str(), value ? value->c_str() : nullptr);
    _putenv_s(name.c_str(), value ? value->c_str() : "");
#else
    if (value) {
      setenv(name.c_str(), value->c_str(), 1);
    } else {
      unsetenv(name.c_str());
    }
#endif
  }

  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(PerUserDirectoryTest, IgnoresTheEnvironment) {
  absl::StatusOr<std::string> before = PerUserDirectory("berth");
  ASSERT_TRUE(before.ok()) << before.status();
  ScopedEnv env;
  for (const char* name : {"HOME", "XDG_RUNTIME_DIR", "XDG_STATE_HOME",
                           "LOCALAPPDATA", "USERPROFILE", "TMPDIR"}) {
    env.Set(name, std::nullopt);
  }
  absl::StatusOr<std::string> after = PerUserDirectory("berth");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after, *before);
}

#ifdef __linux__
TEST(PerUserDirectoryTest, IsOnDevShmNamedForTheUser) {
  struct stat st;
  const bool shm = lstat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode);
  EXPECT_EQ(*PerUserDirectory("berth"),
            absl::StrCat(shm ? "/dev/shm" : "/tmp", "/berth-", geteuid()));
}
#endif

#ifdef __APPLE__
TEST(PerUserDirectoryTest, IsUnderPrivateTmp) {
  EXPECT_EQ(*PerUserDirectory("berth"),
            absl::StrCat("/private/tmp/berth-", geteuid()));
}
#endif

#ifdef _WIN32
TEST(PerUserDirectoryTest, IsUnderTheLocalAppDataFolder) {
  absl::StatusOr<std::string> dir = PerUserDirectory("berth");
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_TRUE(absl::EndsWith(*dir, "\\berth")) << *dir;
  EXPECT_EQ((*dir)[1], ':') << *dir;
}
#endif

// --- JoinPath ---------------------------------------------------------------

TEST(JoinPathTest, AddsOneSeparatorWhereNeeded) {
#ifdef _WIN32
  EXPECT_EQ(JoinPath("C:\\a", "b"), "C:\\a\\b");
  EXPECT_EQ(JoinPath("C:\\a\\", "b"), "C:\\a\\b");
  EXPECT_EQ(JoinPath("C:/a/", "\\b"), "C:/a/b");
#else
  EXPECT_EQ(JoinPath("/a", "b"), "/a/b");
  EXPECT_EQ(JoinPath("/a/", "b"), "/a/b");
  EXPECT_EQ(JoinPath("/a", "/b"), "/a/b");
  EXPECT_EQ(JoinPath("/a/", "/b"), "/a/b");
  EXPECT_EQ(JoinPath("/", "b"), "/b");
  EXPECT_EQ(JoinPath("a", "b/c"), "a/b/c");
#endif
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("a", ""), "a");
}

}  // namespace
}  // namespace berth::platform
