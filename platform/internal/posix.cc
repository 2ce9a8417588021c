// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/posix.h: descriptors, opening and reading, once for
// Linux and macOS.

#include "platform/internal/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace berth::platform::internal {

int OpenFile(const char* path, int flags, mode_t mode) {
  int fd;
  do {
    fd = open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

int MoveAboveStandardStreams(int fd) {
  if (fd < 0 || fd > 2) return fd;
  const int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  const int err = errno;
  close(fd);
  errno = err;
  return moved;
}

absl::Status ReadAll(int fd, const std::string& path, const ReadLimits& limits,
                     std::string* out) {
  // Small reads (/proc files) go through the stack; large ones through one
  // heap buffer for the whole call.
  char small[4096];
  std::unique_ptr<char[]> large;
  const size_t chunk = limits.chunk > 0 ? limits.chunk : 1;
  char* buffer = small;
  if (chunk > sizeof(small)) {
    large.reset(new char[chunk]);
    buffer = large.get();
  }
  size_t done = 0;  // bytes read by this call
  for (;;) {
    const ssize_t n = limits.from_offset_zero
                          ? pread(fd, buffer, chunk, static_cast<off_t>(done))
                          : read(fd, buffer, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, absl::StrCat("read ", path));
    if (n == 0) return absl::OkStatus();
    out->append(buffer, static_cast<size_t>(n));
    done += static_cast<size_t>(n);
    if (done > limits.max_bytes) return absl::OkStatus();
    if (limits.short_line_read_is_whole && static_cast<size_t>(n) < chunk &&
        buffer[n - 1] == '\n') {
      return absl::OkStatus();
    }
  }
}

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     const ReadLimits& limits) {
  const int fd = OpenFile(path.c_str(), O_RDONLY);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  ScopedFd file(fd);
  std::string data;
  if (absl::Status status = ReadAll(file.get(), path, limits, &data);
      !status.ok()) {
    return status;
  }
  return data;
}

}  // namespace berth::platform::internal
