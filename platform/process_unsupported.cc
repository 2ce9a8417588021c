// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/process.h on an OS berth does not support: every question is
// answered with UnimplementedError, which callers treat as "unknown".

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "platform/process.h"

namespace berth::platform {
namespace {

class UnsupportedProcessInspector final : public ProcessInspector {
 public:
  absl::StatusOr<ProcessStatus> Inspect(int64_t /*pid*/) const override {
    return absl::UnimplementedError(
        "process inspection is not supported on this OS");
  }
  absl::StatusOr<ProcessIdentity> Self() const override {
    return absl::UnimplementedError(
        "process inspection is not supported on this OS");
  }
  absl::StatusOr<std::string> BootId() const override {
    return absl::UnimplementedError("boot id is not supported on this OS");
  }
  absl::StatusOr<uint64_t> UniqueId(int64_t /*pid*/) const override {
    return absl::UnimplementedError(
        "process inspection is not supported on this OS");
  }
  absl::StatusOr<uint64_t> PidNamespace(int64_t /*pid*/) const override {
    return absl::UnimplementedError(
        "process inspection is not supported on this OS");
  }
  absl::StatusOr<ForeignProcess> FindInPidNamespace(uint64_t,
                                                    int64_t) const override {
    return absl::UnimplementedError(
        "process inspection is not supported on this OS");
  }
  absl::StatusOr<uint64_t> SelfPidNamespace() const override {
    return absl::UnimplementedError(
        "process inspection is not supported on this OS");
  }
};

}  // namespace

const ProcessInspector& SystemProcessInspector() {
  static const UnsupportedProcessInspector* const inspector =
      new UnsupportedProcessInspector();
  return *inspector;
}

absl::StatusOr<int64_t> ParentProcessId() {
  return absl::UnimplementedError("ParentProcessId: unsupported OS");
}

int64_t CurrentProcessId() { return 0; }

}  // namespace berth::platform
