// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/port.h: is a TCP port free on this machine's loopback?
//
// A port is probed for IPv4 (127.0.0.1) and IPv6 (::1) separately: a server
// listening on ::1 only leaves 127.0.0.1 bindable, and the other way round.
// A family the host lacks (EAFNOSUPPORT, EADDRNOTAVAIL) is reported as
// kUnavailable, which does not make the port busy.
//
// Each family is probed on its wildcard address (0.0.0.0, ::), whose bind
// collides with a listener on any address of the family, so a port counts as
// busy when anything listens on it, on any interface. On Linux that one bind
// per family is enough. macOS (BSD) lets 127.0.0.1:P bind next to a live
// listener on 0.0.0.0:P with SO_REUSEADDR, and Windows may too ("CHECK" in
// its sharing table), so there the loopback address is probed first as well.
//
// POSIX probes bind with SO_REUSEADDR, so a port whose last connection sits in
// TIME_WAIT counts as free (a server binding it with SO_REUSEADDR succeeds).
// Linux allows that only when the socket now in TIME_WAIT had SO_REUSEADDR
// set too (as servers do); otherwise the port stays busy until TIME_WAIT ends,
// and it is reported busy, truthfully: no server could bind it either.
// Windows probes bind with SO_EXCLUSIVEADDRUSE: there SO_REUSEADDR would let
// the bind succeed over a live listener. A WSAEACCES there means the port is
// in an excluded range (Hyper-V, WinNAT, WSL, Docker): kExcluded. On POSIX
// EACCES only means a port below 1024 without privilege: kExcluded too.

#ifndef BERTH_PLATFORM_PORT_H_
#define BERTH_PLATFORM_PORT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

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

// ProbePort tries to bind `port` on 0.0.0.0 and :: (IPV6_V6ONLY), and where
// needed (above) on 127.0.0.1 and ::1 first, and closes the sockets again;
// it never listens. A family is kBusy if any of its binds is, else kExcluded
// if any is, else what its first bind said. InvalidArgument for port 0. Errors other than the ones
// above (EMFILE, ...) are returned as Status.
absl::StatusOr<PortProbe> ProbePort(uint16_t port);

// ExcludedPortReason says, for people, why the OS refuses to bind a port
// ProbePort reported kExcluded, as a phrase that follows "port P is":
// Windows "reserved by Windows (an excluded port range: netsh int ipv4 show
// excludedportrange protocol=tcp)"; elsewhere "refused by the operating
// system (binding it needs privilege; on Linux see
// net.ipv4.ip_unprivileged_port_start)".
const char* ExcludedPortReason();

// ListenTcp binds a TCP socket to `host` (an IPv4 or IPv6 literal, or
// "localhost" for 127.0.0.1) and `port` and listens on it, for handing to a
// server. The socket is not inherited unless the caller makes it so (POSIX:
// close-on-exec set). Returns the descriptor (POSIX) or SOCKET (Windows).
// Unavailable when another socket already holds the address (EADDRINUSE,
// WSAEADDRINUSE); other failures as the OS reports them.
absl::StatusOr<intptr_t> ListenTcp(const std::string& host, uint16_t port);

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

// ParseIpLocalPortRange parses the text of Linux's
// /proc/sys/net/ipv4/ip_local_port_range: two decimal ports separated by
// blanks ("32768\t60999\n"), 1 <= lo <= hi <= 65535. InvalidArgument, quoting
// the text, for anything else. Pure, so it is tested on every OS.
absl::StatusOr<PortRange> ParseIpLocalPortRange(absl::string_view text);

}  // namespace berth::platform

#endif  // BERTH_PLATFORM_PORT_H_
