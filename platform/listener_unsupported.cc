// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/listener.h on an OS berth does not support.

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "platform/listener.h"

namespace berth::platform {

absl::StatusOr<std::vector<Listener>> FindListeners(uint16_t /*port*/) {
  return absl::UnimplementedError(
      "finding listeners is not supported on this OS");
}

}  // namespace berth::platform
