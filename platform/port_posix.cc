// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// BindProbe (the OS step of ProbePort) for Linux and macOS: BSD sockets with
// SO_REUSEADDR.

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/bind_probe.h"
#include "platform/internal/posix.h"
#include "platform/port.h"

namespace berth::platform::internal {

// OpenStreamSocket returns a close-on-exec TCP socket, or -1 with errno set.
int OpenStreamSocket(int family) {
#ifdef SOCK_CLOEXEC
  return socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
#else
  // macOS has no SOCK_CLOEXEC. A fork+exec by another thread between the two
  // calls could leak the socket into that child; berth itself has no threads.
  int fd = socket(family, SOCK_STREAM, 0);
  if (fd >= 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
#endif
}

absl::StatusOr<FamilyState> BindProbe(Family which, Address where,
                                      uint16_t port) {
  const int family = which == Family::kIpv4 ? AF_INET : AF_INET6;
  const bool loopback = where == Address::kLoopback;
  sockaddr_storage address;
  std::memset(&address, 0, sizeof(address));
  socklen_t length = 0;
  std::string name;
  if (family == AF_INET) {
    sockaddr_in v4;
    std::memset(&v4, 0, sizeof(v4));
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    v4.sin_addr.s_addr = htonl(loopback ? INADDR_LOOPBACK : INADDR_ANY);
    std::memcpy(&address, &v4, sizeof(v4));
    length = sizeof(v4);
    name = absl::StrCat(loopback ? "127.0.0.1" : "0.0.0.0", ":", port);
  } else {
    sockaddr_in6 v6;
    std::memset(&v6, 0, sizeof(v6));
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    v6.sin6_addr = loopback ? in6addr_loopback : in6addr_any;
    std::memcpy(&address, &v6, sizeof(v6));
    length = sizeof(v6);
    name = absl::StrCat(loopback ? "[::1]" : "[::]", ":", port);
  }

  int fd = OpenStreamSocket(family);
  if (fd < 0) {
    if (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT) {
      return FamilyState::kUnavailable;
    }
    return absl::ErrnoToStatus(errno, absl::StrCat("socket for ", name));
  }
  ScopedFd closer(fd);

  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("setsockopt SO_REUSEADDR ", name));
  }
  // Without IPV6_V6ONLY a v6 socket also claims the v4 port on Linux
  // (bindv6only=0), and the v6 probe would answer for both families.
  if (family == AF_INET6 &&
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) {
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("setsockopt IPV6_V6ONLY ", name));
  }
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), length) == 0) {
    return FamilyState::kFree;
  }
  switch (errno) {
    case EADDRINUSE:
      return FamilyState::kBusy;
    case EADDRNOTAVAIL:  // no ::1 (IPv6 disabled on the loopback)
    case EAFNOSUPPORT:
      return FamilyState::kUnavailable;
    case EACCES:  // POSIX: a port below 1024 without privilege
      return FamilyState::kExcluded;
    default:
      return absl::ErrnoToStatus(errno, absl::StrCat("bind ", name));
  }
}

}  // namespace berth::platform::internal

namespace berth::platform {

absl::StatusOr<intptr_t> ListenTcp(const std::string& host, uint16_t port) {
  const std::string literal = host == "localhost" ? "127.0.0.1" : host;
  sockaddr_storage addr;
  std::memset(&addr, 0, sizeof(addr));
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, literal.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, literal.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(*v6);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", host, "\" is not an IP address (use e.g. 127.0.0.1 or ::1)"));
  }
  const int fd = internal::OpenStreamSocket(addr.ss_family);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (addr.ss_family == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      listen(fd, SOMAXCONN) != 0) {
    const int err = errno;
    close(fd);
    return absl::ErrnoToStatus(
        err, absl::StrCat("listen on ", host, " port ", port));
  }
  return fd;
}

}  // namespace berth::platform
