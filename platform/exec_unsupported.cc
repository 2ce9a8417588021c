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

absl::StatusOr<std::vector<std::string>> ProgramArguments(int argc,
                                                          char** argv) {
  return std::vector<std::string>(argv + 1, argv + argc);
}

}  // namespace berth::platform
