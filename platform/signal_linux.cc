// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/signal.h on Linux: pidfds (Linux 5.3+), else the POSIX way.

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "platform/internal/signal_posix.h"
#include "platform/signal.h"

namespace berth::platform {
namespace {

#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
int PidfdOpen(int64_t pid) {
  return static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
}
int PidfdSendSignal(intptr_t pidfd, int signal) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal,
                                  static_cast<int>(pidfd), signal, nullptr, 0));
}
#else
int PidfdOpen(int64_t) {
  errno = ENOSYS;
  return -1;
}
int PidfdSendSignal(intptr_t, int) {
  errno = ENOSYS;
  return -1;
}
#endif

}  // namespace

absl::StatusOr<ProcessHandle> ProcessHandle::Open(const ProcessIdentity& id) {
  if (id.pid <= 0 || id.pid > std::numeric_limits<pid_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a process id: ", id.pid));
  }
  const int pidfd = PidfdOpen(id.pid);
  if (pidfd < 0) {
    if (errno == ESRCH) {
      return absl::NotFoundError(
          absl::StrCat("process ", id.pid, " has exited"));
    }
    // ENOSYS (before 5.3), EPERM (seccomp), EMFILE: check by identity.
    if (absl::Status s = VerifyIdentity(id); !s.ok()) return s;
    return ProcessHandle(id, -1);
  }
  ProcessHandle handle(id, pidfd);
  // The pidfd names whichever process had the PID when it was opened. That
  // process is the one `id` names if the PID shows the recorded start token
  // now and the pidfd's process still runs after that look: a PID is never
  // reused while its process runs (or is a zombie).
  if (absl::Status s = VerifyIdentity(id); !s.ok()) return s;
  if (PidfdSendSignal(pidfd, 0) != 0) {
    if (errno == ESRCH) {
      return absl::NotFoundError(
          absl::StrCat("process ", id.pid, " has exited"));
    }
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("pidfd_send_signal ", id.pid));
  }
  return handle;
}

absl::Status ProcessHandle::Send(Signal signal) {
  if (handle_ < 0) return internal::KillVerified(identity_, signal);
  // A zombie still takes signals (and ignores them): say it has ended.
  struct pollfd pfd = {static_cast<int>(handle_), POLLIN, 0};
  if (poll(&pfd, 1, 0) > 0) {
    return absl::NotFoundError(
        absl::StrCat("process ", identity_.pid, " has exited"));
  }
  if (PidfdSendSignal(handle_, internal::SignalNumber(signal)) != 0) {
    if (errno == ESRCH) {
      return absl::NotFoundError(
          absl::StrCat("process ", identity_.pid, " has exited"));
    }
    return absl::ErrnoToStatus(
        errno, absl::StrCat("signal ", SignalName(signal), " to process ",
                            identity_.pid));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ProcessHandle::WaitForExit(absl::Duration timeout) {
  if (handle_ < 0) return internal::PollForExit(identity_, timeout);
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    const absl::Duration left =
        std::max(deadline - absl::Now(), absl::ZeroDuration());
    // Rounded up, so a wait never ends early.
    const int64_t ms =
        absl::ToInt64Milliseconds(left + absl::Microseconds(999));
    struct pollfd pfd = {static_cast<int>(handle_), POLLIN, 0};
    const int n =
        poll(&pfd, 1, static_cast<int>(std::min<int64_t>(ms, 1 << 30)));
    if (n > 0) return true;  // readable: the process has ended
    if (n == 0) {
      if (absl::Now() >= deadline) return false;
      continue;
    }
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "poll pidfd");
  }
}

void ProcessHandle::Close() {
  if (handle_ >= 0) close(static_cast<int>(handle_));
  handle_ = -1;
}

}  // namespace berth::platform
