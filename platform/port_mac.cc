// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// EphemeralPortRange for macOS: sysctl net.inet.ip.portrange.first/last
// (49152-65535 by default; IPv6 uses the same range).

#include <errno.h>
#include <sys/sysctl.h>
#include <sys/types.h>

#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/bind_probe.h"
#include "platform/port.h"

namespace berth::platform {
namespace {

// SysctlPort reads one of the portrange sysctls, an int, as a port.
absl::StatusOr<uint16_t> SysctlPort(const char* name) {
  int value = 0;
  size_t length = sizeof(value);
  if (sysctlbyname(name, &value, &length, nullptr, 0) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("sysctlbyname ", name));
  }
  if (length != sizeof(value) || value < 1 || value > 65535) {
    return absl::InternalError(absl::StrCat(
        "sysctl ", name, " gave ", value, " (", length, " bytes), not a port"));
  }
  return static_cast<uint16_t>(value);
}

}  // namespace

absl::StatusOr<PortRange> EphemeralPortRange() {
  absl::StatusOr<uint16_t> first = SysctlPort("net.inet.ip.portrange.first");
  if (!first.ok()) return first.status();
  absl::StatusOr<uint16_t> last = SysctlPort("net.inet.ip.portrange.last");
  if (!last.ok()) return last.status();
  if (*first > *last) {
    return absl::InternalError(
        absl::StrCat("sysctl net.inet.ip.portrange is reversed: first ", *first,
                     " > last ", *last));
  }
  return PortRange{*first, *last};
}

namespace internal {

// macOS (BSD) lets 127.0.0.1:P bind next to a listener on 0.0.0.0:P with
// SO_REUSEADDR: both addresses are probed.
const bool kWildcardProbeSuffices = false;

}  // namespace internal

}  // namespace berth::platform
