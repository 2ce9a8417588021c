// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "absl/status/status.h"
#include "platform/signal.h"

namespace berth::platform {

absl::StatusOr<ProcessHandle> ProcessHandle::Open(const ProcessIdentity&) {
  return absl::UnimplementedError("signalling processes: unsupported OS");
}

absl::Status ProcessHandle::Send(Signal) {
  return absl::UnimplementedError("signalling processes: unsupported OS");
}

absl::StatusOr<bool> ProcessHandle::WaitForExit(absl::Duration) {
  return absl::UnimplementedError("signalling processes: unsupported OS");
}

void ProcessHandle::Close() { handle_ = -1; }

}  // namespace berth::platform
