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

#include "absl/status/statusor.h"

namespace berth::platform {

// ProcessIdentity names one process for its whole life: reusing the PID
// gives a different identity.
struct ProcessIdentity {
  int64_t pid = 0;
  uint64_t start_token = 0;

  friend bool operator==(const ProcessIdentity& a, const ProcessIdentity& b) {
    return a.pid == b.pid && a.start_token == b.start_token;
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
};

// SystemProcessInspector returns the inspector for the OS this runs on
// (UnimplementedError from every method on an unsupported OS).
const ProcessInspector& SystemProcessInspector();

// ParentProcessId returns the PID of the calling process's parent.
absl::StatusOr<int64_t> ParentProcessId();

// CheckIdentity says whether `id` still names a live process:
//   kAlive   - the PID is alive with the same start token, or alive but its
//              token cannot be read (not inspectable counts as alive);
//   kDead    - the PID is dead (or a zombie), or alive with another token;
//   kUnknown - the OS could not say.
Liveness CheckIdentity(const ProcessInspector& inspector,
                       const ProcessIdentity& id);

}  // namespace berth::platform

#endif  // BERTH_PLATFORM_PROCESS_H_
