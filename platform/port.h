// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/port.h: is a TCP port free on this machine's loopback?
//
// A port is probed for IPv4 (127.0.0.1) and IPv6 (::1) separately: a server
// listening on ::1 only leaves 127.0.0.1 bindable, and the other way round.
// A family the host lacks (EAFNOSUPPORT, EADDRNOTAVAIL) is reported as
// kUnavailable, which does not make the port busy.
//
// POSIX probes bind with SO_REUSEADDR, so a port whose last connection sits in
// TIME_WAIT counts as free (a server binding it with SO_REUSEADDR succeeds).
// Windows probes bind with SO_EXCLUSIVEADDRUSE: there SO_REUSEADDR would let
// the bind succeed over a live listener. A WSAEACCES there means the port is
// in an excluded range (Hyper-V, WinNAT, WSL, Docker): kExcluded.

#ifndef BERTH_PLATFORM_PORT_H_
#define BERTH_PLATFORM_PORT_H_

#include <cstdint>

#include "absl/status/statusor.h"

namespace berth::platform {

enum class FamilyState {
  kFree,         // a bind succeeded
  kBusy,         // EADDRINUSE: something holds the port
  kExcluded,     // the OS reserves the port (Windows excluded port ranges)
  kUnavailable,  // the host lacks this address family
};

struct PortProbe {
  FamilyState ipv4 = FamilyState::kUnavailable;
  FamilyState ipv6 = FamilyState::kUnavailable;

  // free: neither family is busy or excluded, and at least one is usable.
  bool free() const;
};

// ProbePort tries to bind `port` on 127.0.0.1 and on ::1, and closes the
// sockets again. InvalidArgument for port 0. Errors other than the ones
// above (EMFILE, ...) are returned as Status.
absl::StatusOr<PortProbe> ProbePort(uint16_t port);

// A closed range of ports, lo <= hi.
struct PortRange {
  uint16_t lo = 0;
  uint16_t hi = 0;

  friend bool operator==(const PortRange& a, const PortRange& b) {
    return a.lo == b.lo && a.hi == b.hi;
  }
};

// EphemeralPortRange returns the range the OS picks outgoing ports from
// (Linux /proc/sys/net/ipv4/ip_local_port_range, macOS sysctl
// net.inet.ip.portrange.first/last, Windows the dynamic port range,
// 49152-65535 unless the OS says otherwise).
absl::StatusOr<PortRange> EphemeralPortRange();

}  // namespace berth::platform

#endif  // BERTH_PLATFORM_PORT_H_
