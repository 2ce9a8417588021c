// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/scoped_fd.h (POSIX): a descriptor closed at scope exit.

#ifndef BERTH_PLATFORM_INTERNAL_SCOPED_FD_H_
#define BERTH_PLATFORM_INTERNAL_SCOPED_FD_H_

#include <unistd.h>

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

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_SCOPED_FD_H_
