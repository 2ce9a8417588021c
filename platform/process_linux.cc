// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/process.h on Linux, from procfs.
//
// Inspect opens /proc/PID as a directory and reads `stat` and `status`
// relative to it, so both describe the same process even if the PID is
// reused meanwhile. The start token is field 22 of stat (clock ticks after
// boot), compared raw: converting it to wall time via btime moves with NTP.
// A thread id also resolves under /proc: its status `Tgid:` differs from the
// id, and it is reported dead (a thread is not a process, psutil#687).

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/proc_stat.h"
#include "platform/internal/scoped_fd.h"
#include "platform/process.h"

namespace berth::platform {
namespace {

using internal::ScopedFd;

// ReadFileAt reads all of `name` under the directory `dirfd` (`path` is only
// for messages). The status carries the errno: NotFound for ENOENT/ESRCH,
// PermissionDenied for EACCES/EPERM.
absl::StatusOr<std::string> ReadFileAt(int dirfd, const char* name,
                                       const std::string& path) {
  int fd;
  do {
    fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  ScopedFd file(fd);
  std::string data;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(file.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, absl::StrCat("read ", path));
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

ProcessStatus Dead() { return ProcessStatus{Liveness::kDead, {}, {}}; }
ProcessStatus AliveWithoutToken() {
  return ProcessStatus{Liveness::kAlive, {}, {}};
}

// InspectWithoutProc decides from kill(pid, 0) when /proc/PID is missing.
// /proc hides processes that exist: mounted with hidepid=2, it hides those
// we may not ptrace (other users', or non-dumpable ones); mounted for
// another PID namespace, it shows other PIDs. kill tells whether the PID
// exists here (EPERM: it does, but is not ours); such a process is alive
// without a token (it could be a zombie: we cannot tell).
absl::StatusOr<ProcessStatus> InspectWithoutProc(pid_t pid) {
  if (kill(pid, 0) == 0) return AliveWithoutToken();
  const int err = errno;
  if (err == ESRCH) return Dead();
  if (err == EPERM) return AliveWithoutToken();
  return absl::ErrnoToStatus(err, absl::StrCat("kill(", pid, ", 0)"));
}

// IsProcess asks pidfd_open whether `pid` is a live or zombie process
// (true) rather than a thread of one or nothing (false). Unavailable when
// the kernel (before 5.3) or a seccomp filter does not offer pidfd_open.
absl::StatusOr<bool> IsProcess(int64_t pid) {
#ifdef SYS_pidfd_open
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    close(pidfd);
    return true;
  }
  if (errno == EINVAL || errno == ESRCH) return false;
#endif
  return absl::UnavailableError("pidfd_open is not available");
}

class LinuxProcessInspector final : public ProcessInspector {
 public:
  absl::StatusOr<ProcessStatus> Inspect(int64_t pid) const override {
    if (pid <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("process id must be positive, got ", pid));
    }
    // No process can have a PID that pid_t cannot hold.
    if (pid > std::numeric_limits<pid_t>::max()) return Dead();

    const std::string dir = absl::StrCat("/proc/", pid);
    int fd;
    do {
      fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
      const int err = errno;
      if (err == ENOENT || err == ESRCH) {
        return InspectWithoutProc(static_cast<pid_t>(pid));
      }
      if (err == EACCES || err == EPERM) return AliveWithoutToken();
      return absl::ErrnoToStatus(err, absl::StrCat("open ", dir));
    }
    ScopedFd dirfd(fd);

    const std::string stat_path = absl::StrCat(dir, "/stat");
    absl::StatusOr<std::string> stat_text =
        ReadFileAt(dirfd.get(), "stat", stat_path);
    if (absl::IsNotFound(stat_text.status())) return Dead();
    if (absl::IsPermissionDenied(stat_text.status())) {
      return AliveWithoutToken();
    }
    if (!stat_text.ok()) return stat_text.status();
    absl::StatusOr<internal::ProcStat> stat =
        internal::ParseProcStat(*stat_text);
    if (!stat.ok()) {
      return absl::InternalError(
          absl::StrCat("read ", stat_path, ": ", stat.status().message()));
    }
    if (stat->pid != pid) {
      return absl::InternalError(
          absl::StrCat("read ", stat_path, ": it names process ", stat->pid));
    }

    // Is `pid` a process (a thread-group leader), not a thread of one?
    // pidfd_open answers without reading /proc/PID/status (Linux 5.3+).
    if (absl::StatusOr<bool> leader = IsProcess(pid); !leader.ok()) {
      // No pidfd_open: the Tgid line of status says it.
      const std::string status_path = absl::StrCat(dir, "/status");
      absl::StatusOr<std::string> status_text =
          ReadFileAt(dirfd.get(), "status", status_path);
      if (absl::IsNotFound(status_text.status())) return Dead();
      // Without status (denied) the thread check is skipped: alive is the
      // cautious answer.
      if (status_text.ok()) {
        absl::StatusOr<int64_t> tgid =
            internal::ParseProcStatusTgid(*status_text);
        if (!tgid.ok()) {
          return absl::InternalError(absl::StrCat(
              "read ", status_path, ": ", tgid.status().message()));
        }
        if (*tgid != pid) return Dead();  // a thread of process *tgid
      } else if (!absl::IsPermissionDenied(status_text.status())) {
        return status_text.status();
      }
    } else if (!*leader) {
      return Dead();  // a thread of another process, or gone
    }

    switch (stat->state) {
      case 'X':  // dead
      case 'x':  // dead (Linux 2.6.33 to 3.13)
        return Dead();
      case 'Z':
        // A main thread that called pthread_exit shows Z while the other
        // threads of its process run on (ps shows "Zl"): that process is
        // alive. A zombie process has one thread left.
        if (stat->num_threads <= 1) return Dead();
        break;
      default:
        break;
    }
    return ProcessStatus{Liveness::kAlive, stat->start_ticks,
                         std::move(stat->name)};
  }

  absl::StatusOr<ProcessIdentity> Self() const override {
    const pid_t pid = getpid();
    thread_local ProcessIdentity cached;
    if (cached.pid == pid) return cached;
    absl::StatusOr<ProcessStatus> status = Inspect(pid);
    if (!status.ok()) return status.status();
    if (status->liveness != Liveness::kAlive ||
        !status->start_token.has_value()) {
      return absl::InternalError(
          absl::StrCat("/proc/", pid, " does not show this process (",
                       LivenessName(status->liveness),
                       status->start_token.has_value() ? ")" : ", no token)"));
    }
    cached = ProcessIdentity{pid, *status->start_token};
    return cached;
  }

  absl::StatusOr<std::string> BootId() const override {
    static const absl::StatusOr<std::string>* const cached =
        new absl::StatusOr<std::string>(ReadBootId());
    return *cached;
  }
  static absl::StatusOr<std::string> ReadBootId() {
    constexpr char kPath[] = "/proc/sys/kernel/random/boot_id";
    absl::StatusOr<std::string> text = ReadFileAt(AT_FDCWD, kPath, kPath);
    if (!text.ok()) return text.status();
    std::string id(absl::StripAsciiWhitespace(*text));
    if (id.empty()) {
      return absl::InternalError(absl::StrCat("read ", kPath, ": empty"));
    }
    return id;
  }
};

}  // namespace

const ProcessInspector& SystemProcessInspector() {
  static const LinuxProcessInspector* const inspector =
      new LinuxProcessInspector();
  return *inspector;
}

absl::StatusOr<int64_t> ParentProcessId() { return getppid(); }

}  // namespace berth::platform
