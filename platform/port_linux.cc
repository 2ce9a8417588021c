// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// EphemeralPortRange for Linux: /proc/sys/net/ipv4/ip_local_port_range,
// which governs IPv6 too.

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/bind_probe.h"
#include "platform/port.h"

namespace berth::platform {

absl::StatusOr<PortRange> EphemeralPortRange() {
  constexpr char kPath[] = "/proc/sys/net/ipv4/ip_local_port_range";
  int fd = open(kPath, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", kPath));
  // The file holds "LO\tHI\n"; anything near this size is already garbage
  // for the parser to refuse.
  std::string text;
  char buffer[128];
  while (text.size() < 1024) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status status =
          absl::ErrnoToStatus(errno, absl::StrCat("read ", kPath));
      close(fd);
      return status;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  absl::StatusOr<PortRange> range = ParseIpLocalPortRange(text);
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
