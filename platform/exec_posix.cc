// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "platform/exec.h"

namespace berth::platform {
namespace {

constexpr int kListenFd = 3;  // SD_LISTEN_FDS_START

absl::Status ExecError(int err, const std::string& program) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(absl::StrCat(program, ": command not found"));
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(
          absl::StrCat(program, ": permission denied (not executable)"));
    default:
      return absl::FailedPreconditionError(
          absl::StrCat(program, ": cannot execute: ", std::strerror(err)));
  }
}

}  // namespace

absl::Status ReplaceProcess(const ExecRequest& request) {
  if (request.argv.empty() || request.argv[0].empty()) {
    return absl::InvalidArgumentError("no program to run");
  }
  for (const auto& [name, value] : request.env) {
    if (setenv(name.c_str(), value.c_str(), 1) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("setenv ", name));
    }
  }
  if (request.listen_socket.has_value()) {
    const int sock = static_cast<int>(*request.listen_socket);
    // A descriptor we must keep that sits on 3 moves up first; the copy
    // shares its open file description, so a lock on it stays held.
    for (intptr_t fd : request.keep) {
      if (fd == kListenFd && sock != kListenFd) {
        if (fcntl(kListenFd, F_DUPFD, kListenFd + 1) < 0) {
          return absl::ErrnoToStatus(errno, "fcntl F_DUPFD");
        }
      }
    }
    if (sock != kListenFd) {
      if (dup2(sock, kListenFd) < 0) return absl::ErrnoToStatus(errno, "dup2");
    } else if (fcntl(kListenFd, F_SETFD, 0) != 0) {
      return absl::ErrnoToStatus(errno, "fcntl F_SETFD");
    }
    setenv("LISTEN_FDS", "1", 1);
    setenv("LISTEN_PID", absl::StrCat(getpid()).c_str(), 1);
    setenv("LISTEN_FDNAMES", request.listen_name.c_str(), 1);
  } else {
    // Never pass on socket activation variables meant for berth itself.
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDNAMES");
  }
  std::vector<char*> argv;
  argv.reserve(request.argv.size() + 1);
  for (const std::string& arg : request.argv) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  return ExecError(errno, request.argv[0]);
}

absl::StatusOr<int> SpawnAndWait(const ExecRequest&) {
  return absl::UnimplementedError(
      "SpawnAndWait is for Windows; POSIX replaces the process");
}

}  // namespace berth::platform
