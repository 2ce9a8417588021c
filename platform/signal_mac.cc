// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/signal.h on macOS: the POSIX way (internal/signal_posix.h). This
// file cannot be built on the Linux machines berth is developed on.

#include "absl/status/status.h"
#include "platform/internal/signal_posix.h"
#include "platform/signal.h"

namespace berth::platform {

absl::StatusOr<ProcessHandle> ProcessHandle::Open(const ProcessIdentity& id) {
  if (absl::Status s = VerifyIdentity(id); !s.ok()) return s;
  return ProcessHandle(id, -1);
}

absl::Status ProcessHandle::Send(Signal signal) {
  return internal::KillVerified(identity_, signal);
}

absl::StatusOr<bool> ProcessHandle::WaitForExit(absl::Duration timeout) {
  return internal::PollForExit(identity_, timeout);
}

void ProcessHandle::Close() { handle_ = -1; }

}  // namespace berth::platform
