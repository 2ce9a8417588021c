// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/signal.h: ask one process to end, never another process that
// only happens to have its PID now, and wait until it has ended.
//
// A ProcessHandle is opened from a ProcessIdentity (PID, start token and,
// where the OS has one, unique id) and only while the PID still names that
// very process; from then on it names that process alone:
//   - Linux: pidfd_open(2), then the start token (and unique id) is read
//     again and compared, and the pidfd is checked to still name a live
//     process, so the token read was that process's. Signals go through
//     pidfd_send_signal(2), which can never reach a later owner of the PID;
//     waiting is poll(2) on the pidfd. Without pidfds (kernels before 5.3,
//     seccomp filters that refuse them) it falls back to the POSIX way.
//   - other POSIX (macOS), and the fallback: the identity is checked again
//     right before each kill(2). A PID reused between that check and the
//     kill, a window of microseconds, cannot be excluded there. Waiting
//     polls the identity, backing off from 5 ms to 200 ms.
//   - Windows: OpenProcess, then its creation time is compared; the handle
//     pins the process object, so its PID cannot be reused while it is
//     open. There are no signals: Signal::kKill is TerminateProcess, and
//     the others are a console control event (Ctrl+C for kInt, Ctrl+Break
//     for the rest) where one can reach the process and its descendants
//     alone (a console nobody else is attached to), else TerminateProcess.
//     Waiting is WaitForSingleObject.
// A zombie (exited, not yet reaped) has ended.
//
// This library knows nothing of registries or apps.

#ifndef BERTH_PLATFORM_SIGNAL_H_
#define BERTH_PLATFORM_SIGNAL_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "platform/process.h"

namespace berth::platform {

// The signals a process can be asked to end with.
enum class Signal { kHup, kInt, kQuit, kKill, kUsr1, kUsr2, kTerm };

// ParseSignal accepts a signal's name with or without "SIG", in any case:
// "TERM", "sigterm", "KILL", "INT", "HUP", "QUIT", "USR1", "USR2".
// InvalidArgument for anything else, numbers included (they differ between
// OSes).
absl::StatusOr<Signal> ParseSignal(absl::string_view name);

// SignalName returns "TERM", "KILL", ...
const char* SignalName(Signal signal);

// ProcessHandle names one running process (see above). Move-only.
class ProcessHandle {
 public:
  // Open opens the process `id` names. NotFound when it has ended or its
  // PID now belongs to another process; PermissionDenied when its start
  // token cannot be read to tell (another user's process) or it may not be
  // opened; InvalidArgument for a PID <= 0.
  static absl::StatusOr<ProcessHandle> Open(const ProcessIdentity& id);

  ProcessHandle(ProcessHandle&& other) noexcept;
  ProcessHandle& operator=(ProcessHandle&& other) noexcept;
  ProcessHandle(const ProcessHandle&) = delete;
  ProcessHandle& operator=(const ProcessHandle&) = delete;
  ~ProcessHandle();

  const ProcessIdentity& identity() const { return identity_; }

  // Send sends `signal`. NotFound when the process has ended meanwhile
  // (nothing is sent to anyone else); PermissionDenied when it may not be
  // signalled.
  absl::Status Send(Signal signal);

  // WaitForExit waits up to `timeout` for the process to end: true when it
  // has, false when it still runs.
  absl::StatusOr<bool> WaitForExit(absl::Duration timeout);

 private:
  ProcessHandle(const ProcessIdentity& id, intptr_t handle)
      : identity_(id), handle_(handle) {}
  void Close();

  ProcessIdentity identity_;
  // The pidfd (Linux), HANDLE (Windows), or -1 (checked by identity).
  intptr_t handle_ = -1;
};

// VerifyIdentity checks that `id` names a running process now: NotFound
// when it ended or the PID was reused (the message says which),
// PermissionDenied when its start token cannot be read, Unavailable when the
// OS cannot say.
absl::Status VerifyIdentity(const ProcessIdentity& id);

}  // namespace berth::platform

#endif  // BERTH_PLATFORM_SIGNAL_H_
