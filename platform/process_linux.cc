// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/process.h on Linux, from procfs and pidfds.
//
// Inspect first opens a pidfd for the PID (pidfd_open, Linux 5.3+): that
// fails for a PID nobody holds (ESRCH) and for a thread that is not its
// process's main thread (EINVAL: a thread is not a process, psutil#687), and
// on Linux 6.9+ the pidfd's inode on pidfs is an id never reused during the
// boot (the unique id). Then it reads /proc/PID/stat: state (a zombie is
// dead), flags (kernel threads), the name, and field 22, the start token
// (clock ticks after boot), compared raw: converting it to wall time via
// btime moves with NTP. Kernels or sandboxes without pidfd_open take the
// older path: /proc/PID opened as a directory, `stat` and `status` (Tgid)
// read relative to it so both describe the same process.
//
// /proc must belong to this process's PID namespace: `unshare --pid` without
// --mount-proc leaves the old /proc, whose /proc/PID are other processes.
// That is detected (/proc/self must name getpid()), and such a /proc is not
// read: the answer then comes from kill(pid, 0) alone, without a token.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/proc_stat.h"
#include "platform/internal/scoped_fd.h"
#include "platform/process.h"

namespace berth::platform {
namespace {

using internal::ScopedFd;

// pidfs's magic number (linux/magic.h, Linux 6.9+).
constexpr int64_t kPidfsMagic = 0x50494446;

int OpenAt(int dirfd, const char* name, int flags) {
  int fd;
  do {
    fd = openat(dirfd, name, flags | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// ReadFileAt reads all of `name` under the directory `dirfd` (`path` is only
// for messages). The status carries the errno: NotFound for ENOENT/ESRCH,
// PermissionDenied for EACCES/EPERM.
absl::StatusOr<std::string> ReadFileAt(int dirfd, const char* name,
                                       const std::string& path) {
  const int fd = OpenAt(dirfd, name, O_RDONLY);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  ScopedFd file(fd);
  std::string data;
  char buf[1024];
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

// ProcIsOurs says whether /proc numbers processes as this process does: its
// /proc/self link names getpid(). Asked once per process (a fork asks again).
bool ProcIsOurs() {
  static std::atomic<pid_t> answered_for{0};
  static std::atomic<bool> answer{false};
  const pid_t pid = getpid();
  if (answered_for.load(std::memory_order_acquire) == pid) {
    return answer.load(std::memory_order_relaxed);
  }
  char link[32];
  const ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);
  int64_t named = 0;
  const bool ours =
      n > 0 && absl::SimpleAtoi(absl::string_view(link, static_cast<size_t>(n)),
                                &named) &&
      named == pid;
  answer.store(ours, std::memory_order_relaxed);
  answered_for.store(pid, std::memory_order_release);
  return ours;
}

// InspectWithoutProc decides from kill(pid, 0) when /proc cannot tell:
// mounted with hidepid=2 it hides processes we may not ptrace; mounted for
// another PID namespace it shows other processes. kill tells whether the PID
// exists here (EPERM: it does, but is not ours); such a process is alive
// without a token (it could be a zombie: we cannot tell).
absl::StatusOr<ProcessStatus> InspectWithoutProc(pid_t pid) {
  if (kill(pid, 0) == 0) return AliveWithoutToken();
  const int err = errno;
  if (err == ESRCH) return Dead();
  if (err == EPERM) return AliveWithoutToken();
  return absl::ErrnoToStatus(err, absl::StrCat("kill(", pid, ", 0)"));
}

// PidfdsAreUnique says whether this kernel's pidfds live on pidfs, where a
// pidfd's inode number names its process for the whole boot (Linux 6.9+).
// Before, every pidfd shared one anonymous inode. Asked once.
bool PidfdsAreUnique(int pidfd) {
  static const bool unique = [pidfd] {
    struct statfs fs;
    return fstatfs(pidfd, &fs) == 0 &&
           static_cast<int64_t>(fs.f_type) == kPidfsMagic;
  }();
  return unique;
}

// FromStat turns a parsed stat line into a status: X/x (dead) and a zombie
// with one thread are dead. A main thread that called pthread_exit shows Z
// while the other threads of its process run on (ps shows "Zl"): alive.
ProcessStatus FromStat(internal::ProcStat stat, uint64_t unique_id) {
  switch (stat.state) {
    case 'X':
    case 'x':
      return Dead();
    case 'Z':
      if (stat.num_threads <= 1) return Dead();
      break;
    default:
      break;
  }
  ProcessStatus status{Liveness::kAlive, stat.start_ticks,
                       std::move(stat.name)};
  status.unique_id = unique_id;
  status.kernel_thread = (stat.flags & internal::kProcessFlagKernelThread) != 0;
  return status;
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
    if (!ProcIsOurs()) return InspectWithoutProc(static_cast<pid_t>(pid));

#ifdef SYS_pidfd_open
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
      uint64_t unique_id = 0;
      struct stat st;
      if (PidfdsAreUnique(pidfd) && fstat(pidfd, &st) == 0) {
        unique_id = static_cast<uint64_t>(st.st_ino);
      }
      close(pidfd);
      return InspectStat(pid, unique_id);
    }
    // ESRCH: no such process. EINVAL: a thread of another process, or gone.
    if (errno == ESRCH || errno == EINVAL) return Dead();
    // ENOSYS (before 5.3), EPERM (a seccomp filter), EMFILE: the old way.
#endif
    return InspectWithoutPidfd(pid);
  }

  absl::StatusOr<ProcessIdentity> Self() const override {
    const pid_t pid = getpid();
    thread_local ProcessIdentity cached;
    if (cached.pid == pid) return cached;
    absl::StatusOr<ProcessStatus> status = Inspect(pid);
    if (!status.ok()) return status.status();
    if (status->liveness != Liveness::kAlive ||
        !status->start_token.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot read this process's start time from /proc/", pid,
          " (is /proc mounted for this PID namespace?)"));
    }
    cached = ProcessIdentity{pid, *status->start_token, status->unique_id};
    return cached;
  }

  absl::StatusOr<std::string> BootId() const override {
    static const absl::StatusOr<std::string>* const cached =
        new absl::StatusOr<std::string>(ReadBootId());
    return *cached;
  }

  absl::StatusOr<uint64_t> PidNamespace(int64_t pid) const override {
    if (pid <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("process id must be positive, got ", pid));
    }
    if (!ProcIsOurs()) return ForeignProc();
    return NamespaceInode(absl::StrCat("/proc/", pid, "/ns/pid"));
  }

  absl::StatusOr<uint64_t> SelfPidNamespace() const override {
    const pid_t pid = getpid();
    static std::atomic<pid_t> cached_for{0};
    static std::atomic<uint64_t> cached{0};
    if (cached_for.load(std::memory_order_acquire) == pid) {
      return cached.load(std::memory_order_relaxed);
    }
    if (!ProcIsOurs()) return ForeignProc();
    absl::StatusOr<uint64_t> ns = NamespaceInode("/proc/self/ns/pid");
    if (ns.ok()) {
      cached.store(*ns, std::memory_order_relaxed);
      cached_for.store(pid, std::memory_order_release);
    }
    return ns;
  }

 private:
  static absl::Status ForeignProc() {
    return absl::FailedPreconditionError(
        "/proc belongs to another PID namespace (mount a /proc of this one, "
        "e.g. unshare --mount-proc)");
  }

  static absl::StatusOr<uint64_t> NamespaceInode(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("stat ", path));
    }
    return static_cast<uint64_t>(st.st_ino);
  }

  // InspectStat reads /proc/PID/stat for a PID that pidfd_open just found
  // to be a process.
  static absl::StatusOr<ProcessStatus> InspectStat(int64_t pid,
                                                   uint64_t unique_id) {
    const std::string path = absl::StrCat("/proc/", pid, "/stat");
    absl::StatusOr<std::string> text = ReadFileAt(AT_FDCWD, path.c_str(), path);
    // Reaped since pidfd_open, or hidden by hidepid (which pidfd_open does
    // not care about): kill tells which.
    if (absl::IsNotFound(text.status())) {
      return InspectWithoutProc(static_cast<pid_t>(pid));
    }
    if (absl::IsPermissionDenied(text.status())) return AliveWithoutToken();
    if (!text.ok()) return text.status();
    return Parsed(pid, path, *text, unique_id);
  }

  static absl::StatusOr<ProcessStatus> Parsed(int64_t pid,
                                              const std::string& path,
                                              absl::string_view text,
                                              uint64_t unique_id) {
    absl::StatusOr<internal::ProcStat> stat = internal::ParseProcStat(text);
    if (!stat.ok()) {
      return absl::InternalError(
          absl::StrCat("read ", path, ": ", stat.status().message()));
    }
    if (stat->pid != pid) {
      return absl::InternalError(
          absl::StrCat("read ", path, ": it names process ", stat->pid));
    }
    return FromStat(*std::move(stat), unique_id);
  }

  // InspectWithoutPidfd: /proc/PID as a directory, stat and status read
  // relative to it (they then describe the same process even if the PID is
  // reused meanwhile); status's Tgid tells a thread from a process.
  static absl::StatusOr<ProcessStatus> InspectWithoutPidfd(int64_t pid) {
    const std::string dir = absl::StrCat("/proc/", pid);
    const int fd = OpenAt(AT_FDCWD, dir.c_str(), O_RDONLY | O_DIRECTORY);
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
        return absl::InternalError(absl::StrCat("read ", status_path, ": ",
                                                tgid.status().message()));
      }
      if (*tgid != pid) return Dead();  // a thread of process *tgid
    } else if (!absl::IsPermissionDenied(status_text.status())) {
      return status_text.status();
    }
    return Parsed(pid, stat_path, *stat_text, /*unique_id=*/0);
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

int64_t CurrentProcessId() { return getpid(); }

}  // namespace berth::platform
