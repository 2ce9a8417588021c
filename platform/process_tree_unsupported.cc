// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "absl/status/status.h"
#include "platform/process_tree.h"

namespace berth::platform {

absl::StatusOr<int64_t> ParentOf(int64_t) {
  return absl::UnimplementedError("process parents: unsupported OS");
}

// Command substitutions are not recognized here (see process_tree.h).
bool CapturesOutputOf(int64_t, int64_t) { return false; }

}  // namespace berth::platform
