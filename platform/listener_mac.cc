// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/listener.h on macOS, from libproc (libproc.h, sys/proc_info.h).
//
// macOS has no table of sockets with their owners that an unprivileged
// process may read, so every process is asked for its descriptors
// (proc_pidinfo PROC_PIDLISTFDS) and each socket descriptor for its state
// (proc_pidfdinfo PROC_PIDFDSOCKETINFO): a TCP socket (soi_kind
// SOCKINFO_TCP) in TSI_S_LISTEN on the port, local port in network byte
// order in insi_lport. Processes the caller may not inspect fail with EPERM
// and are skipped, so their sockets are not seen. A socket held through
// several descriptors or processes is listed once (by its soi_so handle).
// This file cannot be built on the Linux machines berth is developed on;
// listener_test runs it on macOS CI.

#include <arpa/inet.h>
#include <libproc.h>
#include <netinet/in.h>
#include <sys/proc_info.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/address_text.h"
#include "platform/listener.h"

namespace berth::platform {
namespace {

// AllPids returns the PIDs of every process. proc_listpids returns bytes; a
// buffer it fills to the end may have been too small, so it is asked again
// with more room.
absl::StatusOr<std::vector<pid_t>> AllPids() {
  std::vector<pid_t> pids;
  for (int attempt = 0; attempt < 4; ++attempt) {
    const int needed = proc_listpids(PROC_ALL_PIDS, 0, nullptr, 0);
    if (needed <= 0) return absl::ErrnoToStatus(errno, "proc_listpids");
    pids.assign(static_cast<size_t>(needed) / sizeof(pid_t) + 64, 0);
    const int bytes =
        proc_listpids(PROC_ALL_PIDS, 0, pids.data(),
                      static_cast<int>(pids.size() * sizeof(pid_t)));
    if (bytes <= 0) return absl::ErrnoToStatus(errno, "proc_listpids");
    const size_t count = static_cast<size_t>(bytes) / sizeof(pid_t);
    if (count < pids.size()) {
      pids.resize(count);
      return pids;
    }
  }
  return pids;  // still growing: what was seen is the snapshot
}

// Fds returns the descriptors of `pid`; empty when it may not be inspected
// or is gone.
std::vector<proc_fdinfo> Fds(pid_t pid) {
  const int needed = proc_pidinfo(pid, PROC_PIDLISTFDS, 0, nullptr, 0);
  if (needed <= 0) return {};
  std::vector<proc_fdinfo> fds(
      static_cast<size_t>(needed) / PROC_PIDLISTFD_SIZE + 16);
  const int bytes =
      proc_pidinfo(pid, PROC_PIDLISTFDS, 0, fds.data(),
                   static_cast<int>(fds.size() * PROC_PIDLISTFD_SIZE));
  if (bytes <= 0) return {};
  fds.resize(
      std::min(fds.size(), static_cast<size_t>(bytes) / PROC_PIDLISTFD_SIZE));
  return fds;
}

// ProcessName returns proc_name of `pid` ("" if unreadable).
std::string ProcessName(pid_t pid) {
  char name[256];
  const int length = proc_name(pid, name, sizeof(name));
  if (length <= 0) return "";
  return std::string(name, strnlen(name, sizeof(name)));
}

}  // namespace

absl::StatusOr<std::vector<Listener>> FindListeners(uint16_t port) {
  if (port == 0) return absl::InvalidArgumentError("port must not be 0");
  absl::StatusOr<std::vector<pid_t>> pids = AllPids();
  if (!pids.ok()) return pids.status();

  std::vector<Listener> ipv4;
  std::vector<Listener> ipv6;
  std::vector<uint64_t> seen;  // soi_so of the sockets listed
  for (const pid_t pid : *pids) {
    if (pid <= 0) continue;
    for (const proc_fdinfo& fd : Fds(pid)) {
      if (fd.proc_fdtype != static_cast<uint32_t>(PROX_FDTYPE_SOCKET)) {
        continue;
      }
      struct socket_fdinfo info;
      std::memset(&info, 0, sizeof(info));
      const int bytes = proc_pidfdinfo(pid, fd.proc_fd, PROC_PIDFDSOCKETINFO,
                                       &info, sizeof(info));
      if (bytes != static_cast<int>(sizeof(info))) continue;  // closed, ...
      const struct socket_info& sock = info.psi;
      if (sock.soi_kind != SOCKINFO_TCP) continue;
      const struct tcp_sockinfo& tcp = sock.soi_proto.pri_tcp;
      if (tcp.tcpsi_state != TSI_S_LISTEN) continue;
      if (ntohs(static_cast<uint16_t>(tcp.tcpsi_ini.insi_lport)) != port) {
        continue;
      }
      if (sock.soi_family != AF_INET && sock.soi_family != AF_INET6) {
        continue;
      }
      if (std::find(seen.begin(), seen.end(), sock.soi_so) != seen.end()) {
        continue;  // another descriptor of a socket already listed
      }
      seen.push_back(sock.soi_so);

      Listener listener;
      listener.port = port;
      listener.pid = static_cast<int64_t>(pid);
      listener.name = ProcessName(pid);
      if (sock.soi_family == AF_INET) {
        std::array<uint8_t, 4> address;
        std::memcpy(address.data(), &tcp.tcpsi_ini.insi_laddr.ina_46.i46a_addr4,
                    address.size());
        listener.family = AddressFamily::kIPv4;
        listener.address = internal::IPv4Text(address);
        ipv4.push_back(std::move(listener));
      } else {
        std::array<uint8_t, 16> address;
        std::memcpy(address.data(), &tcp.tcpsi_ini.insi_laddr.ina_6,
                    address.size());
        listener.family = AddressFamily::kIPv6;
        listener.address = internal::IPv6Text(address);
        ipv6.push_back(std::move(listener));
      }
    }
  }
  for (Listener& listener : ipv6) ipv4.push_back(std::move(listener));
  return ipv4;
}

}  // namespace berth::platform
