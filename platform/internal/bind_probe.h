// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/bind_probe.h: the one OS-specific step of ProbePort.
// port.cc decides which addresses to try and how to combine the answers;
// each OS file (port_posix.cc, port_win.cc, port_unsupported.cc) binds, and
// says what its bind errors mean.

#ifndef BERTH_PLATFORM_INTERNAL_BIND_PROBE_H_
#define BERTH_PLATFORM_INTERNAL_BIND_PROBE_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "platform/internal/socket_address.h"
#include "platform/port.h"

namespace berth::platform::internal {

// BindProbe binds a fresh TCP socket (SO_REUSEADDR on POSIX,
// SO_EXCLUSIVEADDRUSE on Windows, IPV6_V6ONLY for IPv6) to `port` on the
// loopback (127.0.0.1, ::1) or wildcard (0.0.0.0, ::) address of `family`,
// closes it, and says what the bind said. `port` is not 0.
absl::StatusOr<FamilyState> BindProbe(Family family, Address address,
                                      uint16_t port);

// BindErrorState says what a failed bind means for a probe: kBusy (the port
// is in use), kExcluded (the OS refuses it: EACCES for a privileged port on
// POSIX; WSAEACCES, an excluded port range, on Windows) or kUnavailable
// (the host lacks the address or family); nullopt for an error to report
// as such. `error` is errno on POSIX, WSAGetLastError() on Windows. Pure.
std::optional<FamilyState> BindErrorState(int error);

// kWildcardProbeSuffices says whether a bind on the wildcard address alone
// collides with a listener on any address of its family, so the loopback
// bind adds nothing (Linux: a listening socket blocks every overlapping
// bind, SO_REUSEADDR or not). Defined by each OS's port file.
extern const bool kWildcardProbeSuffices;

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_BIND_PROBE_H_
