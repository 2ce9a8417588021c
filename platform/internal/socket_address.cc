// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/socket_address.h: sockaddr_in and sockaddr_in6, once.

#include "platform/internal/socket_address.h"

#ifndef _WIN32
#include <arpa/inet.h>
#endif

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace berth::platform::internal {
namespace {

// Text returns "ADDRESS:PORT", the address in brackets for IPv6.
std::string Text(const SocketAddress& address, uint16_t port) {
  char buffer[INET6_ADDRSTRLEN] = "";
  const void* bytes =
      address.family() == AF_INET
          ? static_cast<const void*>(
                &reinterpret_cast<const sockaddr_in*>(&address.storage)
                     ->sin_addr)
          : static_cast<const void*>(
                &reinterpret_cast<const sockaddr_in6*>(&address.storage)
                     ->sin6_addr);
  inet_ntop(address.family(), bytes, buffer, sizeof(buffer));
  return address.family() == AF_INET ? absl::StrCat(buffer, ":", port)
                                     : absl::StrCat("[", buffer, "]:", port);
}

}  // namespace

SocketAddress LocalAddress(Family family, Address address, uint16_t port) {
  const bool loopback = address == Address::kLoopback;
  SocketAddress out;
  std::memset(&out.storage, 0, sizeof(out.storage));
  if (family == Family::kIpv4) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    v4->sin_addr.s_addr = htonl(loopback ? INADDR_LOOPBACK : INADDR_ANY);
    out.length = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    v6->sin6_addr = loopback ? in6addr_loopback : in6addr_any;
    out.length = sizeof(sockaddr_in6);
  }
  out.text = Text(out, port);
  return out;
}

absl::StatusOr<SocketAddress> ParseSocketAddress(const std::string& host,
                                                 uint16_t port) {
  const std::string literal = host == "localhost" ? "127.0.0.1" : host;
  SocketAddress out;
  std::memset(&out.storage, 0, sizeof(out.storage));
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (inet_pton(AF_INET, literal.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out.length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, literal.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    out.length = sizeof(sockaddr_in6);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", host, "\" is not an IP address (use e.g. 127.0.0.1 or ::1)"));
  }
  out.text = Text(out, port);
  return out;
}

}  // namespace berth::platform::internal
