// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "api/inspect.h"

#include "platform/process_tree.h"

namespace berth {

absl::StatusOr<platform::ProcessStatus> InspectProcess(int64_t pid) {
  return platform::SystemProcessInspector().Inspect(pid);
}

absl::StatusOr<int64_t> ParentProcessId() {
  return platform::ParentProcessId();
}

absl::StatusOr<int64_t> ReservationOwner() {
  absl::StatusOr<int64_t> owner = platform::ParentProcessId();
  // A few levels: $(...) nested in $(...) is as deep as shells go.
  for (int level = 0; level < 16 && owner.ok() && *owner > 1; ++level) {
    absl::StatusOr<int64_t> up = platform::ParentOf(*owner);
    if (!up.ok() || *up <= 1 || !platform::CapturesOutputOf(*up, *owner)) {
      break;
    }
    owner = *up;
  }
  return owner;
}

}  // namespace berth
