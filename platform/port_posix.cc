// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// BindProbe (the OS step of ProbePort) and ListenTcp for Linux and macOS:
// BSD sockets with SO_REUSEADDR, close-on-exec.

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/bind_probe.h"
#include "platform/internal/posix.h"
#include "platform/internal/socket_address.h"
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

std::optional<FamilyState> BindErrorState(int error) {
  switch (error) {
    case EADDRINUSE:
      return FamilyState::kBusy;
    case EADDRNOTAVAIL:  // no ::1 (IPv6 disabled on the loopback)
    case EAFNOSUPPORT:
      return FamilyState::kUnavailable;
    case EACCES:  // POSIX: a port below 1024 without privilege
      return FamilyState::kExcluded;
    default:
      return std::nullopt;
  }
}

absl::StatusOr<FamilyState> BindProbe(Family family, Address where,
                                      uint16_t port) {
  const SocketAddress address = LocalAddress(family, where, port);
  int fd = OpenStreamSocket(address.family());
  if (fd < 0) {
    if (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT) {
      return FamilyState::kUnavailable;
    }
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("socket for ", address.text));
  }
  ScopedFd closer(fd);

  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("setsockopt SO_REUSEADDR ", address.text));
  }
  // Without IPV6_V6ONLY a v6 socket also claims the v4 port on Linux
  // (bindv6only=0), and the v6 probe would answer for both families.
  if (family == Family::kIpv6 &&
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("setsockopt IPV6_V6ONLY ", address.text));
  }
  if (bind(fd, address.get(), static_cast<socklen_t>(address.length)) == 0) {
    return FamilyState::kFree;
  }
  const int error = errno;
  if (std::optional<FamilyState> state = BindErrorState(error)) return *state;
  return absl::ErrnoToStatus(error, absl::StrCat("bind ", address.text));
}

}  // namespace berth::platform::internal

namespace berth::platform {

absl::StatusOr<intptr_t> ListenTcp(const std::string& host, uint16_t port) {
  absl::StatusOr<internal::SocketAddress> address =
      internal::ParseSocketAddress(host, port);
  if (!address.ok()) return address.status();
  const int fd = internal::OpenStreamSocket(address->family());
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (address->family() == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  if (bind(fd, address->get(), static_cast<socklen_t>(address->length)) != 0 ||
      listen(fd, SOMAXCONN) != 0) {
    const int err = errno;
    close(fd);
    const absl::Status status = absl::ErrnoToStatus(
        err, absl::StrCat("listen on ", host, " port ", port));
    return err == EADDRINUSE
               ? absl::Status(absl::StatusCode::kUnavailable, status.message())
               : status;
  }
  return fd;
}

const char* ExcludedPortReason() {
  return "refused by the operating system (binding it needs privilege; on "
         "Linux see net.ipv4.ip_unprivileged_port_start)";
}

}  // namespace berth::platform
