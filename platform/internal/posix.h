// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/posix.h: what the POSIX files of platform/ (Linux and
// macOS) do with descriptors, written once: a descriptor closed at scope
// exit, open(2) retried on EINTR and close-on-exec, moving a descriptor off
// 0-2, and reading a file to its end. Defined in internal/posix.cc.

#ifndef BERTH_PLATFORM_INTERNAL_POSIX_H_
#define BERTH_PLATFORM_INTERNAL_POSIX_H_

#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace berth::platform::internal {

// ScopedFd closes a file descriptor when it goes out of scope. close() is
// not retried on EINTR: Linux and macOS release the descriptor even then,
// and a retry could close someone else's.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// OpenFile is open(2) with O_CLOEXEC added, retried on EINTR: the
// descriptor, or -1 with errno set.
int OpenFile(const char* path, int flags, mode_t mode = 0);

// MoveAboveStandardStreams returns `fd` when it is not 0, 1 or 2; otherwise
// a close-on-exec duplicate of it at 3 or above (closing `fd`), or -1 with
// errno. -1 in gives -1 out, errno untouched. For descriptors that must not
// be taken for stdin, stdout or stderr (a lock a server's "exec >log" would
// close).
int MoveAboveStandardStreams(int fd);

// ReadLimits says how ReadAll reads.
struct ReadLimits {
  // How much one read asks for.
  size_t chunk = 64 * 1024;
  // Stop, without an error, once more than this has been read: the caller
  // tells "too big" from the size of what it got.
  size_t max_bytes = std::numeric_limits<size_t>::max();
  // A /proc text file that fits one read comes whole in it, ending in '\n':
  // after a read shorter than `chunk` that ends so, do not read again to
  // see the end. Saves a system call per /proc/PID/stat, where it shows.
  bool short_line_read_is_whole = false;
  // Read with pread from offset 0, leaving the descriptor's file offset
  // (shared with forked children) alone.
  bool from_offset_zero = false;
};

// ReadAll appends what `fd` holds to `*out`, to its end or as `limits`
// say, resuming after EINTR and short reads. Errors carry the errno and
// name `path` ("read /proc/1/stat: ...").
absl::Status ReadAll(int fd, const std::string& path, const ReadLimits& limits,
                     std::string* out);

// ReadFile opens `path` read-only and returns what ReadAll reads from it.
// Errors carry the errno: NotFound for ENOENT/ESRCH, PermissionDenied for
// EACCES/EPERM ("open PATH: ...", "read PATH: ...").
absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     const ReadLimits& limits = ReadLimits());

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_POSIX_H_
