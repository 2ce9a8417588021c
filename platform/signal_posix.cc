// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/signal_posix.h: kill(2) after checking the identity.

#include "platform/internal/signal_posix.h"

#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace berth::platform::internal {

int SignalNumber(Signal signal) {
  switch (signal) {
    case Signal::kHup:
      return SIGHUP;
    case Signal::kInt:
      return SIGINT;
    case Signal::kQuit:
      return SIGQUIT;
    case Signal::kKill:
      return SIGKILL;
    case Signal::kUsr1:
      return SIGUSR1;
    case Signal::kUsr2:
      return SIGUSR2;
    case Signal::kTerm:
      break;
  }
  return SIGTERM;
}

absl::Status KillVerified(const ProcessIdentity& id, Signal signal) {
  if (absl::Status s = VerifyIdentity(id); !s.ok()) return s;
  if (kill(static_cast<pid_t>(id.pid), SignalNumber(signal)) != 0) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("kill ", id.pid, " ", SignalName(signal)));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> PollForExit(const ProcessIdentity& id,
                                 absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Duration pause = absl::Milliseconds(5);
  for (;;) {
    const absl::Status s = VerifyIdentity(id);
    if (absl::IsNotFound(s)) return true;
    if (!s.ok() && !absl::IsUnavailable(s)) return s;
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    absl::SleepFor(std::min(pause, left));
    pause = std::min(pause * 2, absl::Milliseconds(200));
  }
}

}  // namespace berth::platform::internal
