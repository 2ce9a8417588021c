// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/process.h on macOS, from sysctl(3).
//
// One sysctl {CTL_KERN, KERN_PROC, KERN_PROC_PID, pid} gives state, start
// time and name, also for other users' processes and for zombies. Success
// with a zero length means no such process. The start token is
// kp_proc.p_starttime as microseconds since the epoch (tv_sec * 1000000 +
// tv_usec), compared raw: a PID reused within the same microsecond is not a
// thing, so there is no separate unique id (it is 0; the kernel's
// p_uniqueid is only reachable through private headers). macOS has no PID
// namespaces: PidNamespace is 0. This file cannot be built on the Linux
// machines berth is developed on; the conformance suite runs it on macOS CI.

#include <errno.h>
#include <signal.h>
#include <sys/proc.h>
#include <sys/sysctl.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "platform/process.h"

namespace berth::platform {
namespace {

ProcessStatus Dead() { return ProcessStatus{Liveness::kDead, {}, {}}; }
ProcessStatus AliveWithoutToken() {
  return ProcessStatus{Liveness::kAlive, {}, {}};
}

// TimevalToken packs a timeval into microseconds; the result is only ever
// compared for equality.
uint64_t TimevalToken(const struct timeval& tv) {
  return static_cast<uint64_t>(tv.tv_sec) * 1000000u +
         static_cast<uint64_t>(tv.tv_usec);
}

class MacProcessInspector final : public ProcessInspector {
 public:
  absl::StatusOr<ProcessStatus> Inspect(int64_t pid) const override {
    if (absl::Status bad = CheckPid(pid); !bad.ok()) return bad;
    // No process can have a PID that pid_t cannot hold.
    if (pid > std::numeric_limits<pid_t>::max()) return Dead();

    int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PID, static_cast<int>(pid)};
    struct kinfo_proc info;
    std::memset(&info, 0, sizeof(info));
    size_t length = sizeof(info);
    if (sysctl(mib, 4, &info, &length, nullptr, 0) != 0) {
      const int err = errno;
      if (err == EPERM || err == EACCES) {
        // A sandbox may refuse the question; kill(pid, 0) still tells
        // whether the PID exists (EPERM: it does, but is not ours).
        if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
          return Dead();
        }
        return AliveWithoutToken();
      }
      return absl::ErrnoToStatus(err,
                                 absl::StrCat("sysctl kern.proc.pid.", pid));
    }
    if (length == 0) return Dead();  // no such process
    if (length != sizeof(info)) {
      return absl::InternalError(
          absl::StrCat("sysctl kern.proc.pid.", pid, ": returned ", length,
                       " bytes, expected ", sizeof(info)));
    }
    if (info.kp_proc.p_pid != pid) {
      return absl::InternalError(absl::StrCat("sysctl kern.proc.pid.", pid,
                                              ": names process ",
                                              info.kp_proc.p_pid));
    }
    if (info.kp_proc.p_stat == SZOMB) return Dead();

    const char* comm = info.kp_proc.p_comm;
    std::string name(comm, strnlen(comm, sizeof(info.kp_proc.p_comm)));
    return ProcessStatus{Liveness::kAlive,
                         TimevalToken(info.kp_proc.p_starttime),
                         std::move(name)};
  }

  absl::StatusOr<ProcessIdentity> Self() const override {
    const pid_t pid = getpid();
    absl::StatusOr<ProcessStatus> status = Inspect(pid);
    if (!status.ok()) return status.status();
    if (status->liveness != Liveness::kAlive ||
        !status->start_token.has_value()) {
      return absl::InternalError(absl::StrCat(
          "sysctl kern.proc.pid.", pid, " does not show this process (",
          LivenessName(status->liveness), ")"));
    }
    return ProcessIdentity{pid, *status->start_token};
  }

  absl::StatusOr<uint64_t> UniqueId(int64_t pid) const override {
    if (absl::Status bad = CheckPid(pid); !bad.ok()) return bad;
    if (pid > std::numeric_limits<pid_t>::max() ||
        (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) {
      return absl::NotFoundError(absl::StrCat("no process ", pid));
    }
    return 0;  // the microsecond start token says enough
  }

  absl::StatusOr<uint64_t> PidNamespace(int64_t pid) const override {
    if (absl::Status bad = CheckPid(pid); !bad.ok()) return bad;
    return 0;  // no PID namespaces
  }

  absl::StatusOr<ForeignProcess> FindInPidNamespace(uint64_t,
                                                    int64_t) const override {
    return absl::UnimplementedError("macOS has no PID namespaces");
  }
  absl::StatusOr<uint64_t> SelfPidNamespace() const override { return 0; }

  absl::StatusOr<std::string> BootId() const override {
    int mib[2] = {CTL_KERN, KERN_BOOTTIME};
    struct timeval boot;
    std::memset(&boot, 0, sizeof(boot));
    size_t length = sizeof(boot);
    if (sysctl(mib, 2, &boot, &length, nullptr, 0) != 0) {
      return absl::ErrnoToStatus(errno, "sysctl kern.boottime");
    }
    if (length != sizeof(boot) || boot.tv_sec <= 0) {
      return absl::InternalError(
          absl::StrCat("sysctl kern.boottime: unexpected value (", length,
                       " bytes, tv_sec ", boot.tv_sec, ")"));
    }
    return absl::StrCat(boot.tv_sec, ".",
                        absl::Dec(boot.tv_usec, absl::kZeroPad6));
  }
};

}  // namespace

const ProcessInspector& SystemProcessInspector() {
  static const MacProcessInspector* const inspector = new MacProcessInspector();
  return *inspector;
}

absl::StatusOr<int64_t> ParentProcessId() { return getppid(); }

int64_t CurrentProcessId() { return getpid(); }

}  // namespace berth::platform
