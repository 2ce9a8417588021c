// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/socket_address.h: the address a TCP socket of ProbePort
// or ListenTcp binds to, built once for every OS (sockaddr_in and
// sockaddr_in6 are the same in BSD sockets and Winsock), with its text for
// messages. Pure: no socket is made, nothing is looked up.

#ifndef BERTH_PLATFORM_INTERNAL_SOCKET_ADDRESS_H_
#define BERTH_PLATFORM_INTERNAL_SOCKET_ADDRESS_H_

#ifdef _WIN32
#include "platform/internal/win.h"
// The Winsock headers need windows.h first.
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace berth::platform::internal {

enum class Family { kIpv4, kIpv6 };
enum class Address { kLoopback, kWildcard };

// SocketAddress is a sockaddr ready for bind().
struct SocketAddress {
  sockaddr_storage storage;  // zero past the address
  int length = 0;            // the bytes of `storage` bind() reads
  std::string text;          // "127.0.0.1:8800", "[::1]:8800", for messages

  int family() const { return storage.ss_family; }
  const sockaddr* get() const {
    return reinterpret_cast<const sockaddr*>(&storage);
  }
};

// LocalAddress returns `port` on the loopback (127.0.0.1, ::1) or wildcard
// (0.0.0.0, ::) address of `family`.
SocketAddress LocalAddress(Family family, Address address, uint16_t port);

// ParseSocketAddress returns `port` on `host`, an IPv4 or IPv6 literal or
// "localhost" (127.0.0.1). InvalidArgument for anything else: host names
// are not resolved.
absl::StatusOr<SocketAddress> ParseSocketAddress(const std::string& host,
                                                 uint16_t port);

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_SOCKET_ADDRESS_H_
