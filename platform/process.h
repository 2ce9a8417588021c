// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/process.h: is a process alive, and is it still the same process?
//
// A `ProcessIdentity` is a PID plus the OS's own raw start token for it
// (Linux: field 22 of /proc/PID/stat in clock ticks since boot; macOS: the
// process start time as microseconds since the epoch, from kinfo_proc or
// proc_bsdinfo; Windows: the creation FILETIME in 100 ns units). Start
// tokens are compared for equality only, never converted to wall time for
// identity: wall-clock conversions move with NTP and misjudge live
// processes. A reused PID carries a different start token.
//
// The rules every implementation follows:
//   - a zombie (exited, not yet reaped) is dead;
//   - a process that exists but may not be inspected (EPERM, EACCES,
//     ERROR_ACCESS_DENIED) is alive, with no start token;
//   - when the OS cannot say, the answer is unknown, and unknown is never
//     treated as dead;
//   - PID <= 0 is InvalidArgument.
//
// This library knows nothing of ports or registries; other tools may depend
// on //platform:process alone.

#ifndef BERTH_PLATFORM_PROCESS_H_
#define BERTH_PLATFORM_PROCESS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace berth::platform {

// ProcessIdentity names one process for its whole life: reusing the PID
// gives a different identity.
struct ProcessIdentity {
  int64_t pid = 0;
  uint64_t start_token = 0;
  // Never reused while the machine runs (see above; Linux 6.9+); 0 where the
  // OS offers no such id.
  uint64_t unique_id = 0;

  friend bool operator==(const ProcessIdentity& a, const ProcessIdentity& b) {
    return a.pid == b.pid && a.start_token == b.start_token &&
           a.unique_id == b.unique_id;
  }
  friend bool operator!=(const ProcessIdentity& a, const ProcessIdentity& b) {
    return !(a == b);
  }
};

enum class Liveness { kAlive, kDead, kUnknown };

// LivenessName returns "alive", "dead" or "unknown".
const char* LivenessName(Liveness liveness);

// ProcessStatus is what the OS says of a PID at one moment.
struct ProcessStatus {
  Liveness liveness = Liveness::kUnknown;
  // The start token, when the process is alive and it could be read.
  std::optional<uint64_t> start_token;
  // The process (executable) name where readable, else empty.
  std::string name;
  // A kernel thread (Linux), not a program: it never holds a port.
  bool kernel_thread = false;
};

// ForeignProcess is a process of another PID namespace, as the caller sees
// it (FindInPidNamespace).
struct ForeignProcess {
  int64_t pid = 0;  // as the caller numbers it; 0: no such process
  // It shares the caller's time namespace, so their start tokens compare
  // (Linux shows start times relative to the reader's time namespace).
  bool same_time_namespace = true;
};

// ProcessInspector answers questions about processes. The system one talks
// to the OS; tests of higher layers use FakeProcessInspector
// (platform/fake_process.h). Implementations are thread-safe.
class ProcessInspector {
 public:
  virtual ~ProcessInspector() = default;

  // Inspect reports the status of `pid` now. InvalidArgument for pid <= 0.
  // A missing process is {kDead}, not an error; errors are reserved for
  // failures that say nothing about the process (and then the caller should
  // treat the process as unknown).
  virtual absl::StatusOr<ProcessStatus> Inspect(int64_t pid) const = 0;

  // Self returns the identity of the calling process.
  virtual absl::StatusOr<ProcessIdentity> Self() const = 0;

  // BootId returns an opaque string that changes when the machine reboots
  // (Linux boot_id, macOS kern.boottime, Windows boot time). Start tokens
  // recorded under another boot id mean nothing.
  virtual absl::StatusOr<std::string> BootId() const = 0;

  // UniqueId returns the id of `pid` that the OS never reuses during a boot
  // (ProcessIdentity::unique_id), or 0 where the OS offers none. NotFound
  // when the process is gone. Asked apart from Inspect, only when a start
  // token matched: it costs as much again (Linux: opening a pidfd).
  virtual absl::StatusOr<uint64_t> UniqueId(int64_t pid) const = 0;

  // PidNamespace names the PID namespace `pid` (as this process numbers
  // it) lives in: an opaque nonzero number (Linux: the inode of
  // /proc/PID/ns/pid), or 0 on an OS without PID namespaces. NotFound when
  // the process is gone; other errors when the OS will not say (another
  // user's process, or a /proc that belongs to another namespace).
  virtual absl::StatusOr<uint64_t> PidNamespace(int64_t pid) const = 0;

  // SelfPidNamespace is PidNamespace for the calling process.
  virtual absl::StatusOr<uint64_t> SelfPidNamespace() const = 0;

  // FindInPidNamespace finds, from the initial PID namespace (which sees
  // every process of the machine), the process that PID namespace
  // `pid_namespace` numbers `pid`. Returns its PID as the caller numbers it,
  // or 0 when there is none: that namespace has no such PID, or is gone.
  // FailedPrecondition when the caller cannot see every namespace (it is
  // not in the initial one), or could not read some process of its own
  // user; Unimplemented on an OS without PID namespaces.
  virtual absl::StatusOr<ForeignProcess> FindInPidNamespace(
      uint64_t pid_namespace, int64_t pid) const = 0;
};

// CheckPid returns InvalidArgument for a PID below 1, which names no
// process ("process id must be positive, got 0"): what every inspector's
// methods answer for one. OK otherwise.
absl::Status CheckPid(int64_t pid);

// kInitialPidNamespace is the PID namespace a Linux machine boots with
// (PROC_PID_INIT_INO): every process of the machine is visible from it.
inline constexpr uint64_t kInitialPidNamespace = 0xEFFFFFFCu;

// IsInitialPidNamespace says whether `pid_namespace` (from PidNamespace)
// is one whose PIDs every process on the machine can check: the initial
// namespace, or 0 (an OS without PID namespaces).
inline bool IsInitialPidNamespace(uint64_t pid_namespace) {
  return pid_namespace == 0 || pid_namespace == kInitialPidNamespace;
}

// kMaxPid is the largest number a PID can be on this OS: what pid_t holds
// on POSIX, a DWORD on Windows. Input above it names no process.
#ifdef _WIN32
inline constexpr int64_t kMaxPid = 4294967295;
#else
inline constexpr int64_t kMaxPid = 2147483647;
#endif

// SystemProcessInspector returns the inspector for the OS this runs on
// (UnimplementedError from every method on an unsupported OS).
const ProcessInspector& SystemProcessInspector();

// ParentProcessId returns the PID of the calling process's parent: 0 when
// the parent lives outside this process's PID namespace (the first process
// of `unshare --pid`, `docker exec`, `nsenter`).
absl::StatusOr<int64_t> ParentProcessId();

// CurrentProcessId returns the PID of the calling process.
int64_t CurrentProcessId();

// CheckIdentity says whether `id` still names a live process:
//   kAlive   - the PID is alive with the same start token (and the same
//              unique id, when both are known), or alive but its token
//              cannot be read (not inspectable counts as alive);
//   kDead    - the PID is dead (or a zombie), or alive with another token
//              or another unique id;
//   kUnknown - the OS could not say.
Liveness CheckIdentity(const ProcessInspector& inspector,
                       const ProcessIdentity& id);

}  // namespace berth::platform

#endif  // BERTH_PLATFORM_PROCESS_H_
