// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/port.h for an OS berth does not support yet: every call fails
// with Unimplemented instead of guessing.

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "platform/internal/bind_probe.h"
#include "platform/port.h"

namespace berth::platform {
namespace internal {

absl::StatusOr<FamilyState> BindProbe(Family, Address, uint16_t) {
  return absl::UnimplementedError("ProbePort is not implemented on this OS");
}

std::optional<FamilyState> BindErrorState(int) { return std::nullopt; }

}  // namespace internal

absl::StatusOr<intptr_t> ListenTcp(const std::string&, uint16_t) {
  return absl::UnimplementedError("ListenTcp is not implemented on this OS");
}

absl::StatusOr<PortRange> EphemeralPortRange() {
  return absl::UnimplementedError(
      "EphemeralPortRange is not implemented on this OS");
}

namespace internal {

const bool kWildcardProbeSuffices = false;

}  // namespace internal

const char* ExcludedPortReason() { return "refused by the operating system"; }

}  // namespace berth::platform
