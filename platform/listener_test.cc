// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// FindListeners against real sockets of this process and of a child. POSIX
// only (sockets and fork); Linux runs it here, macOS CI unchanged.

#include "platform/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "platform/process.h"

namespace berth::platform {
namespace {

// Socket closes a socket when it goes out of scope.
class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { Close(); }
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// LocalPort returns the port `fd` is bound to (0 on failure).
uint16_t LocalPort(int fd) {
  sockaddr_storage address;
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return 0;
  }
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
}

// BindIPv4 returns a TCP socket bound to `ip` and `port` (0: any free port),
// listening when asked; -1 with `error` set to errno on failure.
int BindIPv4(const char* ip, uint16_t port, bool do_listen, int* error) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    *error = errno;
    return -1;
  }
  sockaddr_in address;
  std::memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, ip, &address.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      (do_listen && listen(fd, 8) != 0)) {
    *error = errno;
    close(fd);
    return -1;
  }
  return fd;
}

// ListenIPv6Loopback returns an IPv6-only TCP socket listening on ::1 and
// `port` (0: any free port); -1 with `error` set to errno on failure.
int ListenIPv6Loopback(uint16_t port, int* error) {
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) {
    *error = errno;
    return -1;
  }
  const int one = 1;
  sockaddr_in6 address;
  std::memset(&address, 0, sizeof(address));
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(port);
  address.sin6_addr = in6addr_loopback;
  if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0 ||
      bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(fd, 8) != 0) {
    *error = errno;
    close(fd);
    return -1;
  }
  return fd;
}

// NoIPv6 says whether an error means the host has no IPv6 (loopback).
bool NoIPv6(int error) {
  return error == EAFNOSUPPORT || error == EADDRNOTAVAIL ||
         error == EPROTONOSUPPORT;
}

// OwnName is the name the OS gives this process.
std::string OwnName() {
  absl::StatusOr<ProcessStatus> self =
      SystemProcessInspector().Inspect(getpid());
  return self.ok() ? self->name : "";
}

std::string Describe(const std::vector<Listener>& listeners) {
  std::string text;
  for (const Listener& l : listeners) {
    absl::StrAppend(
        &text, "\n  ", FamilyName(l.family), " ", l.address, " ", l.port,
        " pid ", l.pid.has_value() ? absl::StrCat(*l.pid) : "-", " ", l.name);
  }
  return text.empty() ? " (none)" : text;
}

// ExpectOneListener checks that FindListeners finds one listener on `port`:
// of `family`, on `address`, held by process `pid`, named as this process.
void ExpectOneListener(uint16_t port, AddressFamily family,
                       const std::string& address, int64_t pid) {
  absl::StatusOr<std::vector<Listener>> found = FindListeners(port);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u) << Describe(*found);
  const Listener& l = found->front();
  EXPECT_EQ(l.family, family);
  EXPECT_EQ(l.address, address);
  EXPECT_EQ(l.port, port);
  EXPECT_EQ(l.pid, std::optional<int64_t>(pid));
  EXPECT_FALSE(l.name.empty());
  EXPECT_EQ(l.name, OwnName());  // a forked child keeps the name
}

TEST(FamilyNameTest, Names) {
  EXPECT_STREQ(FamilyName(AddressFamily::kIPv4), "ipv4");
  EXPECT_STREQ(FamilyName(AddressFamily::kIPv6), "ipv6");
}

TEST(FindListenersTest, PortZeroIsInvalid) {
  EXPECT_EQ(FindListeners(0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FindListenersTest, OwnIPv4Listener) {
  int error = 0;
  Socket listener(BindIPv4("127.0.0.1", 0, /*do_listen=*/true, &error));
  ASSERT_GE(listener.get(), 0) << std::strerror(error);
  const uint16_t port = LocalPort(listener.get());
  ASSERT_NE(port, 0);

  ExpectOneListener(port, AddressFamily::kIPv4, "127.0.0.1", getpid());

  // Closed, it is gone.
  listener.Close();
  absl::StatusOr<std::vector<Listener>> found = FindListeners(port);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->empty()) << Describe(*found);
}

TEST(FindListenersTest, OwnIPv6OnlyListener) {
  int error = 0;
  Socket listener(ListenIPv6Loopback(0, &error));
  if (listener.get() < 0 && NoIPv6(error)) {
    GTEST_SKIP() << "no IPv6 loopback on this host: " << std::strerror(error);
  }
  ASSERT_GE(listener.get(), 0) << std::strerror(error);
  const uint16_t port = LocalPort(listener.get());
  ASSERT_NE(port, 0);

  ExpectOneListener(port, AddressFamily::kIPv6, "::1", getpid());
}

TEST(FindListenersTest, BothFamiliesOnOnePort) {
  int error = 0;
  Socket v6(ListenIPv6Loopback(0, &error));
  if (v6.get() < 0 && NoIPv6(error)) {
    GTEST_SKIP() << "no IPv6 loopback on this host: " << std::strerror(error);
  }
  ASSERT_GE(v6.get(), 0) << std::strerror(error);
  const uint16_t port = LocalPort(v6.get());
  ASSERT_NE(port, 0);
  Socket v4(BindIPv4("127.0.0.1", port, /*do_listen=*/true, &error));
  if (v4.get() < 0 && error == EADDRINUSE) {
    GTEST_SKIP() << "127.0.0.1 port " << port << " is taken by another process";
  }
  ASSERT_GE(v4.get(), 0) << std::strerror(error);

  absl::StatusOr<std::vector<Listener>> found = FindListeners(port);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 2u) << Describe(*found);
  // IPv4 first.
  EXPECT_EQ((*found)[0].family, AddressFamily::kIPv4);
  EXPECT_EQ((*found)[0].address, "127.0.0.1");
  EXPECT_EQ((*found)[1].family, AddressFamily::kIPv6);
  EXPECT_EQ((*found)[1].address, "::1");
  for (const Listener& l : *found) {
    EXPECT_EQ(l.port, port);
    EXPECT_EQ(l.pid, std::optional<int64_t>(getpid()));
  }
}

TEST(FindListenersTest, ListenerOfAChild) {
  int to_parent[2];
  int to_child[2];
  ASSERT_EQ(pipe(to_parent), 0);
  ASSERT_EQ(pipe(to_child), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0) << std::strerror(errno);
  if (child == 0) {
    // Only async-signal-safe calls here. The child makes its own socket, so
    // the parent does not hold it.
    close(to_parent[0]);
    close(to_child[1]);
    int error = 0;
    const int fd = BindIPv4("127.0.0.1", 0, /*do_listen=*/true, &error);
    uint16_t port = fd >= 0 ? LocalPort(fd) : 0;
    if (write(to_parent[1], &port, sizeof(port)) != sizeof(port)) _exit(2);
    char byte;
    while (read(to_child[0], &byte, 1) < 0 && errno == EINTR) {
    }
    _exit(0);  // the parent closed its end: done
  }
  close(to_parent[1]);
  close(to_child[0]);
  uint16_t port = 0;
  const ssize_t n = read(to_parent[0], &port, sizeof(port));
  close(to_parent[0]);

  if (n == sizeof(port) && port != 0) {
    ExpectOneListener(port, AddressFamily::kIPv4, "127.0.0.1", child);
  } else {
    ADD_FAILURE() << "the child could not listen";
  }
  close(to_child[1]);  // lets the child exit
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(FindListenersTest, NobodyListens) {
  // A socket bound to the IPv4 wildcard but not listening keeps every IPv4
  // listener (and any dual-stack one) off its port; it is no listener itself.
  int error = 0;
  Socket bound(BindIPv4("0.0.0.0", 0, /*do_listen=*/false, &error));
  ASSERT_GE(bound.get(), 0) << std::strerror(error);
  const uint16_t port = LocalPort(bound.get());
  ASSERT_NE(port, 0);

  absl::StatusOr<std::vector<Listener>> found = FindListeners(port);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->empty()) << Describe(*found);
}

TEST(FindListenersTest, ConnectionsAreNotListeners) {
  int error = 0;
  Socket listener(BindIPv4("127.0.0.1", 0, /*do_listen=*/true, &error));
  ASSERT_GE(listener.get(), 0) << std::strerror(error);
  const uint16_t port = LocalPort(listener.get());
  ASSERT_NE(port, 0);

  Socket client(socket(AF_INET, SOCK_STREAM, 0));
  ASSERT_GE(client.get(), 0) << std::strerror(errno);
  sockaddr_in address;
  std::memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(client.get(), reinterpret_cast<sockaddr*>(&address),
                    sizeof(address)),
            0)
      << std::strerror(errno);
  Socket accepted(accept(listener.get(), nullptr, nullptr));
  ASSERT_GE(accepted.get(), 0) << std::strerror(errno);
  const uint16_t client_port = LocalPort(client.get());
  ASSERT_NE(client_port, 0);

  // The client's port carries only an established connection.
  absl::StatusOr<std::vector<Listener>> found = FindListeners(client_port);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->empty()) << Describe(*found);

  // The server's port carries the listener and the accepted connection:
  // only the listener counts.
  found = FindListeners(port);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u) << Describe(*found);
  EXPECT_EQ((*found)[0].pid, std::optional<int64_t>(getpid()));

  // Without the listener, the accepted connection alone is nothing.
  listener.Close();
  found = FindListeners(port);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->empty()) << Describe(*found);
}

}  // namespace
}  // namespace berth::platform
