// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/process.h on Linux, from procfs and pidfds.
//
// Inspect reads /proc/PID/stat once, the least any procfs inspection can
// do: the state (a zombie is dead), the flags (kernel threads), the name,
// field 22, the start token (clock ticks after boot, compared raw:
// converting it to wall time via btime moves with NTP), and field 38,
// exit_signal, which is -1 for a thread that is not its process's main
// thread (a thread is not a process, psutil#687; /proc/TID resolves for
// those too). UniqueId opens a pidfd for the PID (pidfd_open, Linux 5.3+):
// on Linux 6.9+ its inode on pidfs is never reused during the boot.
//
// /proc must belong to this process's PID namespace: `unshare --pid` without
// --mount-proc leaves the old /proc, whose /proc/PID are other processes.
// That is detected (/proc/self must name getpid()), and such a /proc is not
// read: the answer then comes from kill(pid, 0) alone, without a token.

#include <dirent.h>
#include <pthread.h>
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
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/posix.h"
#include "platform/internal/proc_stat.h"
#include "platform/process.h"

namespace berth::platform {
namespace {

using internal::ScopedFd;

// pidfs's magic number (linux/magic.h, Linux 6.9+).
constexpr int64_t kPidfsMagic = 0x50494446;

// ReadProcFile reads all of a /proc file. The status carries the errno:
// NotFound for ENOENT/ESRCH, PermissionDenied for EACCES/EPERM.
absl::StatusOr<std::string> ReadProcFile(const std::string& path) {
  // A /proc file that fits the buffer comes whole in one read, ending in a
  // newline: one read, no second one to see the end.
  internal::ReadLimits limits;
  limits.chunk = 1024;
  limits.short_line_read_is_whole = true;
  return internal::ReadFile(path, limits);
}

ProcessStatus Dead() { return ProcessStatus{Liveness::kDead, {}, {}}; }
ProcessStatus AliveWithoutToken() {
  return ProcessStatus{Liveness::kAlive, {}, {}};
}

// What this process found out about itself, asked once per process: a
// forked child (pthread_atfork) starts over.
std::atomic<int> proc_is_ours{-1};  // -1: not asked yet
std::atomic<bool> self_namespace_known{false};
std::atomic<uint64_t> self_namespace{0};
std::atomic<int> self_generation{0};

void ForgetSelf() {
  proc_is_ours.store(-1);
  self_namespace_known.store(false);
  self_generation.fetch_add(1);
}

void ForgetSelfInForkedChildren() {
  static const bool registered = [] {
    pthread_atfork(nullptr, nullptr, ForgetSelf);
    return true;
  }();
  (void)registered;
}

// ProcIsOurs says whether /proc numbers processes as this process does: its
// /proc/self link names getpid().
bool ProcIsOurs() {
  ForgetSelfInForkedChildren();
  const int known = proc_is_ours.load(std::memory_order_acquire);
  if (known >= 0) return known == 1;
  const pid_t pid = getpid();
  char link[32];
  const ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);
  int64_t named = 0;
  const bool ours =
      n > 0 &&
      absl::SimpleAtoi(absl::string_view(link, static_cast<size_t>(n)),
                       &named) &&
      named == pid;
  proc_is_ours.store(ours ? 1 : 0, std::memory_order_release);
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

// FromStat turns a parsed stat line into a status: a thread that is not a
// process's main thread, X/x (dead) and a zombie with one thread are dead.
// A main thread that called pthread_exit shows Z while the other threads of
// its process run on (ps shows "Zl"): alive.
ProcessStatus FromStat(internal::ProcStat stat) {
  if (stat.exit_signal == -1) return Dead();
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
  status.kernel_thread = (stat.flags & internal::kProcessFlagKernelThread) != 0;
  return status;
}

class LinuxProcessInspector final : public ProcessInspector {
 public:
  absl::StatusOr<ProcessStatus> Inspect(int64_t pid) const override {
    if (absl::Status bad = CheckPid(pid); !bad.ok()) return bad;
    // No process can have a PID that pid_t cannot hold.
    if (pid > std::numeric_limits<pid_t>::max()) return Dead();
    if (!ProcIsOurs()) return InspectWithoutProc(static_cast<pid_t>(pid));

    const std::string path = absl::StrCat("/proc/", pid, "/stat");
    absl::StatusOr<std::string> text = ReadProcFile(path);
    // Gone, or hidden by hidepid: kill tells which.
    if (absl::IsNotFound(text.status())) {
      return InspectWithoutProc(static_cast<pid_t>(pid));
    }
    if (absl::IsPermissionDenied(text.status())) return AliveWithoutToken();
    if (!text.ok()) return text.status();
    absl::StatusOr<internal::ProcStat> stat = internal::ParseProcStat(*text);
    if (!stat.ok()) {
      return absl::InternalError(
          absl::StrCat("read ", path, ": ", stat.status().message()));
    }
    if (stat->pid != pid) {
      return absl::InternalError(
          absl::StrCat("read ", path, ": it names process ", stat->pid));
    }
    return FromStat(*std::move(stat));
  }

  absl::StatusOr<uint64_t> UniqueId(int64_t pid) const override {
    if (absl::Status bad = CheckPid(pid); !bad.ok()) return bad;
    if (pid > std::numeric_limits<pid_t>::max()) {
      return absl::NotFoundError(absl::StrCat("no process ", pid));
    }
#ifdef SYS_pidfd_open
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
      const int err = errno;
      // ESRCH: no such process. EINVAL: a thread of another process.
      if (err == ESRCH || err == EINVAL) {
        return absl::NotFoundError(absl::StrCat("no process ", pid));
      }
      return 0;  // ENOSYS (before 5.3), EPERM (a seccomp filter): none
    }
    ScopedFd closer(pidfd);
    struct stat st;
    if (!PidfdsAreUnique(pidfd) || fstat(pidfd, &st) != 0) return 0;
    return static_cast<uint64_t>(st.st_ino);
#else
    return 0;
#endif
  }

  absl::StatusOr<ProcessIdentity> Self() const override {
    ForgetSelfInForkedChildren();
    thread_local ProcessIdentity cached;
    thread_local int cached_generation = -1;
    if (cached_generation == self_generation.load()) return cached;
    const pid_t pid = getpid();
    absl::StatusOr<ProcessStatus> status = Inspect(pid);
    if (!status.ok()) return status.status();
    if (status->liveness != Liveness::kAlive ||
        !status->start_token.has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read this process's start time from /proc/", pid,
                       " (is /proc mounted for this PID namespace?)"));
    }
    absl::StatusOr<uint64_t> unique = UniqueId(pid);
    cached =
        ProcessIdentity{pid, *status->start_token, unique.ok() ? *unique : 0};
    cached_generation = self_generation.load();
    return cached;
  }

  absl::StatusOr<std::string> BootId() const override {
    static const absl::StatusOr<std::string>* const cached =
        new absl::StatusOr<std::string>(ReadBootId());
    return *cached;
  }

  absl::StatusOr<uint64_t> PidNamespace(int64_t pid) const override {
    if (absl::Status bad = CheckPid(pid); !bad.ok()) return bad;
    if (!ProcIsOurs()) return ForeignProc();
    return NamespaceInode(absl::StrCat("/proc/", pid, "/ns/pid"));
  }

  absl::StatusOr<uint64_t> SelfPidNamespace() const override {
    ForgetSelfInForkedChildren();
    if (self_namespace_known.load(std::memory_order_acquire)) {
      return self_namespace.load(std::memory_order_relaxed);
    }
    // /proc/self resolves wherever /proc's namespace sees this process: in
    // its own, and in an ancestor's (unshare --pid without --mount-proc).
    absl::StatusOr<uint64_t> ns = NamespaceInode("/proc/self/ns/pid");
    if (ns.ok()) {
      self_namespace.store(*ns, std::memory_order_relaxed);
      self_namespace_known.store(true, std::memory_order_release);
    }
    return ns;
  }

  absl::StatusOr<ForeignProcess> FindInPidNamespace(
      uint64_t pid_namespace, int64_t pid) const override {
    absl::StatusOr<uint64_t> self = SelfPidNamespace();
    if (!ProcIsOurs() || !self.ok() || *self != kInitialPidNamespace) {
      return absl::FailedPreconditionError(
          "only the initial PID namespace sees every other one");
    }
    const uid_t me = geteuid();
    const absl::StatusOr<uint64_t> my_time =
        NamespaceInode("/proc/self/ns/time");
    bool unreadable = false;
    DIR* proc = opendir("/proc");
    if (proc == nullptr) return absl::ErrnoToStatus(errno, "opendir /proc");
    ForeignProcess found;
    while (struct dirent* entry = readdir(proc)) {
      int64_t candidate = 0;
      // PID 1 of the initial namespace lives in it, whether or not it lets
      // itself be looked at (a VM's or container host's init may not).
      if (!absl::SimpleAtoi(entry->d_name, &candidate) || candidate <= 1) {
        continue;
      }
      const std::string dir = absl::StrCat("/proc/", candidate);
      absl::StatusOr<uint64_t> ns = NamespaceInode(dir + "/ns/pid");
      if (!ns.ok()) {
        // Gone meanwhile, or not ours to look at. Only a process of this
        // user could hold this user's port; one of those we could not read
        // leaves the answer open.
        struct stat st;
        if (!absl::IsNotFound(ns.status()) && stat(dir.c_str(), &st) == 0 &&
            st.st_uid == me) {
          unreadable = true;
        }
        continue;
      }
      if (*ns != pid_namespace) continue;
      absl::StatusOr<std::string> status = ReadProcFile(dir + "/status");
      if (!status.ok()) continue;  // gone meanwhile
      absl::StatusOr<std::vector<int64_t>> nspid =
          internal::ParseProcStatusNSpid(*status);
      if (!nspid.ok() || nspid->back() != pid) continue;
      found.pid = candidate;
      absl::StatusOr<uint64_t> time = NamespaceInode(dir + "/ns/time");
      found.same_time_namespace =
          !my_time.ok() || !time.ok() || *time == *my_time;
      break;
    }
    closedir(proc);
    if (found.pid == 0 && unreadable) {
      return absl::FailedPreconditionError(
          "could not read the PID namespace of every process of this user");
    }
    return found;
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

  static absl::StatusOr<std::string> ReadBootId() {
    constexpr char kPath[] = "/proc/sys/kernel/random/boot_id";
    absl::StatusOr<std::string> text = ReadProcFile(kPath);
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
