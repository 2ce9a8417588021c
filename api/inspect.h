// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/inspect.h: what berth knows about a process, for the `inspect` command
// and for embedders who want the same answer berth's liveness rules give.

#ifndef BERTH_API_INSPECT_H_
#define BERTH_API_INSPECT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "platform/process.h"

namespace berth {

// kMaxPid is the largest number a PID can be on this OS.
inline constexpr int64_t kMaxPid = platform::kMaxPid;

// InspectProcess reports whether `pid` is alive, dead or unknown, its start
// token and name, by the rules in platform/process.h. InvalidArgument for
// pid <= 0.
absl::StatusOr<platform::ProcessStatus> InspectProcess(int64_t pid);

// ParentProcessId returns the PID of the calling process's parent (the
// shell that ran `berth get`, for instance).
absl::StatusOr<int64_t> ParentProcessId();

// ReservationOwner returns the process `berth get` reserves a port for when
// it is not told: the calling process's parent, the shell, unless that
// parent only runs to produce output its own parent captures, as the
// subshell of `PORT=$(berth get web 2>/dev/null)` does; then the process
// that captures it, and so on up (Linux; elsewhere always the parent). 0
// and 1 as ParentProcessId gives them.
absl::StatusOr<int64_t> ReservationOwner();

}  // namespace berth

#endif  // BERTH_API_INSPECT_H_
