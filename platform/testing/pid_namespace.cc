// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/testing/pid_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace berth::platform::testing {
namespace {

// A namespace child reports one line: "ok TEXT", "skip REASON" or
// "error MESSAGE".
std::string SkipOrError(int err, absl::string_view what) {
  // EPERM/EINVAL/ENOSPC/EUSERS: not permitted or not supported here.
  const bool not_permitted = err == EPERM || err == EINVAL || err == ENOSPC ||
                             err == EUSERS || err == EACCES;
  return absl::StrCat(not_permitted ? "skip " : "error ", what, ": ",
                      std::strerror(err));
}

}  // namespace

void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

absl::StatusOr<std::string> RunInNewPidNamespace(
    const char* proc_options, const std::function<std::string()>& body,
    std::string* skipped) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  const pid_t outer = fork();
  if (outer < 0) {
    const int err = errno;
    close(fds[0]);
    close(fds[1]);
    return absl::ErrnoToStatus(err, "fork");
  }
  if (outer == 0) {
    close(fds[0]);
    // unshare(CLONE_NEWPID) moves only the children into the namespace.
    if (unshare(CLONE_NEWPID | CLONE_NEWNS) != 0) {
      WriteAll(fds[1], SkipOrError(errno, "unshare(CLONE_NEWPID|CLONE_NEWNS)"));
      _exit(0);
    }
    // Private propagation first, or the /proc mount below would propagate
    // back into the test's own mount namespace.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      WriteAll(fds[1], SkipOrError(errno, "mount / MS_REC|MS_PRIVATE"));
      _exit(0);
    }
    const pid_t init = fork();
    if (init < 0) {
      WriteAll(fds[1], absl::StrCat("error fork: ", std::strerror(errno)));
      _exit(0);
    }
    if (init == 0) {
      if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                proc_options) != 0) {
        WriteAll(fds[1],
                 SkipOrError(errno, absl::StrCat("mount proc on /proc (",
                                                 proc_options, ")")));
        _exit(0);
      }
      WriteAll(fds[1], absl::StrCat("ok ", body()));
      _exit(0);
    }
    close(fds[1]);
    int status = 0;
    while (waitpid(init, &status, 0) < 0 && errno == EINTR) {
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  close(fds[1]);
  std::string message;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    message.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(outer, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrCat("namespace child failed (wait status ", status,
                     "); it said: \"", message, "\""));
  }
  absl::string_view rest = message;
  if (absl::ConsumePrefix(&rest, "ok ")) return std::string(rest);
  if (absl::ConsumePrefix(&rest, "skip ")) {
    *skipped = std::string(rest);
    return std::string();
  }
  return absl::InternalError(
      absl::StrCat("namespace child: \"", message, "\""));
}

absl::Status SetNextPid(int64_t want) {
  constexpr char kPath[] = "/proc/sys/kernel/ns_last_pid";
  const int fd = open(kPath, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return absl::UnimplementedError(
          absl::StrCat("open ", kPath, ": ", std::strerror(err)));
    }
    return absl::ErrnoToStatus(err, absl::StrCat("open ", kPath));
  }
  const std::string last = absl::StrCat(want - 1);
  const ssize_t n = write(fd, last.data(), last.size());
  const int err = errno;
  close(fd);
  if (n != static_cast<ssize_t>(last.size())) {
    return absl::ErrnoToStatus(err, absl::StrCat("write ", kPath));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ForkWithPid(int want) {
  if (absl::Status s = SetNextPid(want); !s.ok()) return s;
  const pid_t pid = fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
  if (pid == 0) {
    for (;;) pause();
  }
  if (pid != want) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return absl::InternalError(
        absl::StrCat("wanted pid ", want, ", fork gave ", pid));
  }
  return pid;
}

}  // namespace berth::platform::testing
