// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "api/inspect.h"

namespace berth {

absl::StatusOr<platform::ProcessStatus> InspectProcess(int64_t pid) {
  return platform::SystemProcessInspector().Inspect(pid);
}

absl::StatusOr<int64_t> ParentProcessId() {
  return platform::ParentProcessId();
}

}  // namespace berth
