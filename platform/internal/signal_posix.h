// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/signal_posix.h: the POSIX way of signal.h, shared by
// macOS and by Linux without pidfds: check the identity, then kill(2).

#ifndef BERTH_PLATFORM_INTERNAL_SIGNAL_POSIX_H_
#define BERTH_PLATFORM_INTERNAL_SIGNAL_POSIX_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "platform/process.h"
#include "platform/signal.h"

namespace berth::platform::internal {

// SignalNumber returns SIGTERM, SIGKILL, ...
int SignalNumber(Signal signal);

// KillVerified checks `id` (VerifyIdentity) and then sends `signal` to its
// PID with kill(2).
absl::Status KillVerified(const ProcessIdentity& id, Signal signal);

// PollForExit checks `id` until it no longer names a running process (true)
// or `timeout` passes (false), sleeping 5 ms at first and twice as long
// each time after, up to 200 ms.
absl::StatusOr<bool> PollForExit(const ProcessIdentity& id,
                                 absl::Duration timeout);

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_SIGNAL_POSIX_H_
