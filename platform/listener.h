// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/listener.h: which processes listen on a TCP port?
//
// FindListeners lists the sockets in LISTEN state on one port, IPv4 and
// IPv6, each with the process that holds it where the OS shows it. It is a
// snapshot: a listener may open or close a moment later. It says who holds a
// port (for messages such as "port 8080: nginx, pid 4242"); whether a port
// can be bound is ProbePort's question (platform/port.h).
//
// Where the answers come from, and what each OS may leave out:
//   - Linux: the LISTEN rows of /proc/net/tcp and /proc/net/tcp6 (of the
//     caller's network namespace), then each socket inode is looked up in
//     /proc/PID/fd. Every listening socket is listed; `pid` is absent when
//     the holder's fd directory cannot be read (another user's process,
//     unless the caller may ptrace it) or it closed meanwhile.
//   - Windows: GetExtendedTcpTable(TCP_TABLE_OWNER_PID_LISTENER). Every
//     listening socket is listed with its pid (absent where the table says
//     0, as wine's does); `name` is empty where the process may not be
//     opened (system and elevated processes).
//   - macOS: proc_pidinfo / proc_pidfdinfo over every process. Sockets held
//     only by processes the caller may not inspect (other users', unless
//     root) are not seen at all, so they are missing from the list.
// A socket shared by several processes (inherited across fork) is listed
// once, with one of them.
//
// This library knows nothing of registries or apps.

#ifndef BERTH_PLATFORM_LISTENER_H_
#define BERTH_PLATFORM_LISTENER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace berth::platform {

enum class AddressFamily { kIPv4, kIPv6 };

// FamilyName returns "ipv4" or "ipv6".
const char* FamilyName(AddressFamily family);

// Listener is one listening socket.
struct Listener {
  AddressFamily family = AddressFamily::kIPv4;
  // The local address in its usual text form: "127.0.0.1", "0.0.0.0",
  // "::1", "::", "::ffff:127.0.0.1" (RFC 5952: lowercase hex, the longest
  // run of zero groups shortened to "::"), the same on every OS.
  std::string address;
  uint16_t port = 0;
  // The holding process, where the OS shows it (see above).
  std::optional<int64_t> pid;
  // The process name where known (Linux: /proc/PID/comm, at most 15 bytes;
  // macOS: proc_name; Windows: the executable's file name), else empty.
  std::string name;
};

// FindListeners returns every socket in LISTEN state on `port`, IPv4
// listeners before IPv6 ones, each family in the OS's order. An empty vector
// means nobody listens (as far as this OS shows, see above). An IPv6 socket
// that also accepts IPv4 (dual-stack, bound to "::") is listed once, as
// IPv6. A host without IPv6 simply has no IPv6 listeners. InvalidArgument
// for port 0; UnimplementedError on an OS berth does not support; other
// errors when the OS tables cannot be read.
absl::StatusOr<std::vector<Listener>> FindListeners(uint16_t port);

}  // namespace berth::platform

#endif  // BERTH_PLATFORM_LISTENER_H_
