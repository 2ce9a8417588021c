// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// EphemeralPortRange for Linux: /proc/sys/net/ipv4/ip_local_port_range,
// which governs IPv6 too.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/bind_probe.h"
#include "platform/internal/posix.h"
#include "platform/port.h"

namespace berth::platform {

absl::StatusOr<PortRange> EphemeralPortRange() {
  constexpr char kPath[] = "/proc/sys/net/ipv4/ip_local_port_range";
  // The file holds "LO\tHI\n"; anything much longer is already garbage
  // for the parser to refuse.
  internal::ReadLimits limits;
  limits.chunk = 128;
  limits.max_bytes = 1024;
  absl::StatusOr<std::string> text = internal::ReadFile(kPath, limits);
  if (!text.ok()) return text.status();
  absl::StatusOr<PortRange> range = ParseIpLocalPortRange(*text);
  if (!range.ok()) {
    return absl::Status(range.status().code(),
                        absl::StrCat(kPath, ": ", range.status().message()));
  }
  return range;
}

namespace internal {

// Linux refuses a bind that overlaps a listening socket whatever the
// options (inet_csk_bind_conflict): 0.0.0.0 and :: see every listener.
const bool kWildcardProbeSuffices = true;

}  // namespace internal

}  // namespace berth::platform
