// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/posix.h against real files and pipes.

#include "platform/internal/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace berth::platform::internal {
namespace {

// TempFile returns the path of a new file in the test's temp directory
// holding `contents`.
std::string TempFile(const std::string& name, const std::string& contents) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path =
      std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  EXPECT_GE(fd, 0) << path;
  EXPECT_EQ(write(fd, contents.data(), contents.size()),
            static_cast<ssize_t>(contents.size()));
  close(fd);
  return path;
}

// Pipe holds both ends of a pipe, closed at the end of the test.
struct Pipe {
  Pipe() { EXPECT_EQ(pipe(fds), 0); }
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }
  void Write(const std::string& data) {
    ASSERT_EQ(write(fds[1], data.data(), data.size()),
              static_cast<ssize_t>(data.size()));
  }
  void CloseWriteEnd() {
    close(fds[1]);
    fds[1] = -1;
  }
  int fds[2] = {-1, -1};
};

TEST(ReadAllTest, ReadsPastManyChunksToTheEnd) {
  std::string contents;
  for (int i = 0; i < 1000; ++i) contents += static_cast<char>('a' + i % 26);
  const std::string path = TempFile("many_chunks", contents);
  ReadLimits limits;
  limits.chunk = 7;
  absl::StatusOr<std::string> got = ReadFile(path, limits);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, contents);
}

TEST(ReadAllTest, AppendsToWhatIsThere) {
  const std::string path = TempFile("append", "tail");
  ScopedFd fd(OpenFile(path.c_str(), O_RDONLY));
  std::string out = "head-";
  ASSERT_TRUE(ReadAll(fd.get(), path, ReadLimits(), &out).ok());
  EXPECT_EQ(out, "head-tail");
}

TEST(ReadAllTest, StopsOncePastTheLimitWithoutAnError) {
  const std::string path = TempFile("limit", std::string(100, 'x'));
  ReadLimits limits;
  limits.chunk = 4;
  limits.max_bytes = 10;
  absl::StatusOr<std::string> got = ReadFile(path, limits);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_GT(got->size(), 10u) << "the caller tells too big by the size";
  EXPECT_LE(got->size(), 14u) << "no read after the limit is passed";
}

// The /proc fast path: a short read ending in a newline is the whole file.
// A pipe whose writer stays open would block a second read, so returning
// at all proves there was only one.
TEST(ReadAllTest, ShortLineReadIsWholeMeansOneRead) {
  Pipe p;
  p.Write("1 (init) S 0\n");
  ReadLimits limits;
  limits.chunk = 1024;
  limits.short_line_read_is_whole = true;
  std::string out;
  ASSERT_TRUE(ReadAll(p.fds[0], "pipe", limits, &out).ok());
  EXPECT_EQ(out, "1 (init) S 0\n");
}

TEST(ReadAllTest, ShortLineRuleStillReadsWhatDoesNotEndInANewline) {
  Pipe p;
  p.Write("no newline");
  p.CloseWriteEnd();
  ReadLimits limits;
  limits.chunk = 4;  // every read full: the rule never applies
  limits.short_line_read_is_whole = true;
  std::string out;
  ASSERT_TRUE(ReadAll(p.fds[0], "pipe", limits, &out).ok());
  EXPECT_EQ(out, "no newline");
}

TEST(ReadAllTest, FromOffsetZeroLeavesTheOffsetAlone) {
  const std::string path = TempFile("offset", "0123456789");
  ScopedFd fd(OpenFile(path.c_str(), O_RDONLY));
  ASSERT_EQ(lseek(fd.get(), 4, SEEK_SET), 4);
  ReadLimits limits;
  limits.chunk = 3;
  limits.from_offset_zero = true;
  std::string out;
  ASSERT_TRUE(ReadAll(fd.get(), path, limits, &out).ok());
  EXPECT_EQ(out, "0123456789");
  EXPECT_EQ(lseek(fd.get(), 0, SEEK_CUR), 4);
}

TEST(ReadAllTest, ReadErrorNamesThePath) {
  const std::string path = TempFile("write_only", "x");
  ScopedFd fd(OpenFile(path.c_str(), O_WRONLY));
  std::string out;
  absl::Status status = ReadAll(fd.get(), path, ReadLimits(), &out);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.message().substr(0, 5 + path.size()), "read " + path);
}

TEST(ReadFileTest, MissingFileIsNotFoundNamingTheCall) {
  absl::StatusOr<std::string> got = ReadFile("/nonexistent/berth/file");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(got.status().message().substr(0, 28),
            "open /nonexistent/berth/file");
}

TEST(OpenFileTest, IsCloseOnExec) {
  const std::string path = TempFile("cloexec", "");
  ScopedFd fd(OpenFile(path.c_str(), O_RDONLY));
  ASSERT_GE(fd.get(), 0);
  EXPECT_NE(fcntl(fd.get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST(MoveAboveStandardStreamsTest, LeavesOtherDescriptorsAndFailuresAlone) {
  errno = EBADF;
  EXPECT_EQ(MoveAboveStandardStreams(-1), -1);
  EXPECT_EQ(errno, EBADF);
  const std::string path = TempFile("above", "");
  const int fd = OpenFile(path.c_str(), O_RDONLY);
  ASSERT_GT(fd, 2);
  EXPECT_EQ(MoveAboveStandardStreams(fd), fd);
  close(fd);
}

TEST(ScopedFdTest, ClosesAtScopeExit) {
  const std::string path = TempFile("scoped", "");
  int fd = -1;
  {
    ScopedFd scoped(OpenFile(path.c_str(), O_RDONLY));
    fd = scoped.get();
    ASSERT_GE(fd, 0);
  }
  errno = 0;
  EXPECT_EQ(fcntl(fd, F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
}

}  // namespace
}  // namespace berth::platform::internal
