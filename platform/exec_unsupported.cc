// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/exec.h"

namespace berth::platform {

bool CanHandOverSockets() { return false; }

bool CanReplaceProcess() { return false; }

absl::Status ReplaceProcess(const ExecRequest&) {
  return absl::UnimplementedError("ReplaceProcess: unsupported OS");
}

absl::StatusOr<int> SpawnAndWait(const ExecRequest&) {
  return absl::UnimplementedError("SpawnAndWait: unsupported OS");
}

}  // namespace berth::platform
