// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The OS-independent part of platform/process.h.

#include "platform/process.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace berth::platform {

absl::Status CheckPid(int64_t pid) {
  if (pid > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("process id must be positive, got ", pid));
}

const char* LivenessName(Liveness liveness) {
  switch (liveness) {
    case Liveness::kAlive:
      return "alive";
    case Liveness::kDead:
      return "dead";
    case Liveness::kUnknown:
      return "unknown";
  }
  return "unknown";
}

Liveness CheckIdentity(const ProcessInspector& inspector,
                       const ProcessIdentity& id) {
  absl::StatusOr<ProcessStatus> status = inspector.Inspect(id.pid);
  if (!status.ok()) return Liveness::kUnknown;
  switch (status->liveness) {
    case Liveness::kDead:
      return Liveness::kDead;
    case Liveness::kUnknown:
      return Liveness::kUnknown;
    case Liveness::kAlive:
      // Not inspectable counts as alive; a different token is a reused PID.
      if (!status->start_token.has_value()) return Liveness::kAlive;
      if (*status->start_token != id.start_token) return Liveness::kDead;
      if (id.unique_id != 0) {
        absl::StatusOr<uint64_t> unique = inspector.UniqueId(id.pid);
        if (absl::IsNotFound(unique.status())) return Liveness::kDead;
        if (unique.ok() && *unique != 0 && *unique != id.unique_id) {
          return Liveness::kDead;  // reused within one tick of the clock
        }
      }
      return Liveness::kAlive;
  }
  return Liveness::kUnknown;
}

}  // namespace berth::platform
