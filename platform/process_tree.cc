// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/process_tree.h"

namespace berth::platform {

bool IsDescendantOf(int64_t pid, const ProcessIdentity& ancestor) {
  constexpr int kMaxLinks = 256;  // a cycle or a deep tree ends the walk
  for (int i = 0; i < kMaxLinks && pid > 0; ++i) {
    if (pid == ancestor.pid) {
      return CheckIdentity(SystemProcessInspector(), ancestor) ==
             Liveness::kAlive;
    }
    absl::StatusOr<int64_t> parent = ParentOf(pid);
    if (!parent.ok() || *parent == pid) return false;
    pid = *parent;
  }
  return false;
}

}  // namespace berth::platform
