// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/exec.h"

namespace berth::platform {

int ExitStatusForExecError(const absl::Status& status) {
  return absl::IsNotFound(status) ? 127 : 126;
}

}  // namespace berth::platform
