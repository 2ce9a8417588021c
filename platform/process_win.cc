// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/process.h on Windows.
//
// A PID is opened with PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE and
// judged by WaitForSingleObject(h, 0): OpenProcess succeeds for a process
// that has exited while anyone still holds a handle to it (psutil#1094), and
// STILL_ACTIVE (259) is also a legal exit code, so neither is trusted. The
// start token is the creation FILETIME (100 ns units since 1601) from
// GetProcessTimes, compared raw; with 100 ns resolution it already tells a
// reused PID apart, so there is no separate unique id (it stays 0).

#include "platform/internal/win.h"
// tlhelp32.h needs windows.h first.
#include <tlhelp32.h>

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "platform/process.h"

namespace berth::platform {
namespace {

using internal::ScopedHandle;
using internal::WindowsErrorToStatus;

uint64_t FiletimeToken(const FILETIME& time) {
  return (static_cast<uint64_t>(time.dwHighDateTime) << 32) |
         static_cast<uint64_t>(time.dwLowDateTime);
}

ProcessStatus Dead() { return ProcessStatus{Liveness::kDead, {}, {}}; }
ProcessStatus AliveWithoutToken() {
  return ProcessStatus{Liveness::kAlive, {}, {}};
}

class WindowsProcessInspector final : public ProcessInspector {
 public:
  absl::StatusOr<ProcessStatus> Inspect(int64_t pid) const override {
    if (absl::Status bad = CheckPid(pid); !bad.ok()) return bad;
    // No process can have a PID that a DWORD cannot hold.
    if (pid > std::numeric_limits<DWORD>::max()) return Dead();
    const DWORD id = static_cast<DWORD>(pid);

    HANDLE raw =
        OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, id);
    if (raw == nullptr) {
      const DWORD error = GetLastError();
      if (error == ERROR_INVALID_PARAMETER) return Dead();  // no such PID
      if (error == ERROR_ACCESS_DENIED) return AliveWithoutToken();
      return WindowsErrorToStatus(error, absl::StrCat("OpenProcess ", pid));
    }
    ScopedHandle process(raw);
    // The kernel ignores the low two bits of a PID: OpenProcess(4k + 1)
    // opens process 4k, which is not the process asked about.
    if (GetProcessId(process.get()) != id) return Dead();

    switch (WaitForSingleObject(process.get(), 0)) {
      case WAIT_TIMEOUT:
        break;  // still running
      case WAIT_OBJECT_0:
        return Dead();  // exited; someone still holds a handle
      default:
        return WindowsErrorToStatus(
            GetLastError(), absl::StrCat("WaitForSingleObject process ", pid));
    }

    FILETIME creation, exit, kernel, user;
    if (!GetProcessTimes(process.get(), &creation, &exit, &kernel, &user)) {
      return WindowsErrorToStatus(GetLastError(),
                                  absl::StrCat("GetProcessTimes ", pid));
    }
    return ProcessStatus{Liveness::kAlive, FiletimeToken(creation),
                         internal::ProcessImageName(process.get())};
  }

  absl::StatusOr<ProcessIdentity> Self() const override {
    // GetCurrentProcess() is a pseudo-handle: nothing to open or close.
    FILETIME creation, exit, kernel, user;
    if (!GetProcessTimes(GetCurrentProcess(), &creation, &exit, &kernel,
                         &user)) {
      return WindowsErrorToStatus(GetLastError(),
                                  "GetProcessTimes (current process)");
    }
    return ProcessIdentity{static_cast<int64_t>(GetCurrentProcessId()),
                           FiletimeToken(creation)};
  }

  // BootId is the boot time, now minus the time since boot, floored to a
  // minute: the two clocks are read at slightly different moments and drift
  // apart slowly (the wall clock is NTP-disciplined), so the exact difference
  // wobbles by milliseconds between calls. Two boots lie at least one uptime
  // apart, far more than a minute in practice.
  absl::StatusOr<std::string> BootId() const override {
    FILETIME now;
    GetSystemTimeAsFileTime(&now);
    const ULONGLONG since_boot_ms = GetTickCount64();
    constexpr uint64_t kTicksPerMs = 10000;  // 100 ns ticks
    constexpr uint64_t kTicksPerMinute = 60000 * kTicksPerMs;
    const uint64_t boot = FiletimeToken(now) - since_boot_ms * kTicksPerMs;
    return absl::StrCat(boot / kTicksPerMinute);
  }

  // The creation time is the start token, at 100 ns: no separate id.
  absl::StatusOr<uint64_t> UniqueId(int64_t pid) const override {
    if (absl::Status bad = CheckPid(pid); !bad.ok()) return bad;
    return 0;
  }

  // Windows has no PID namespaces (a container's processes are numbered in
  // its own silo, which berth cannot see into; they are not on file here).
  absl::StatusOr<uint64_t> PidNamespace(int64_t pid) const override {
    if (absl::Status bad = CheckPid(pid); !bad.ok()) return bad;
    return 0;
  }
  absl::StatusOr<ForeignProcess> FindInPidNamespace(uint64_t,
                                                    int64_t) const override {
    return absl::UnimplementedError("Windows has no PID namespaces");
  }
  absl::StatusOr<uint64_t> SelfPidNamespace() const override { return 0; }
};

}  // namespace

const ProcessInspector& SystemProcessInspector() {
  static const WindowsProcessInspector* const inspector =
      new WindowsProcessInspector();
  return *inspector;
}

absl::StatusOr<int64_t> ParentProcessId() {
  // Windows keeps no parent link beyond the PID recorded at creation; the
  // toolhelp snapshot is where it is published.
  ScopedHandle snapshot(CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
  if (!snapshot.valid()) {
    return absl::UnavailableError(
        absl::StrCat("CreateToolhelp32Snapshot: ",
                     internal::WindowsErrorText(GetLastError())));
  }
  const DWORD self = GetCurrentProcessId();
  PROCESSENTRY32W entry;
  entry.dwSize = sizeof(entry);
  for (BOOL ok = Process32FirstW(snapshot.get(), &entry); ok;
       ok = Process32NextW(snapshot.get(), &entry)) {
    if (entry.th32ProcessID != self) continue;
    if (entry.th32ParentProcessID == 0) {
      return absl::NotFoundError(
          "the calling process has no parent process on record");
    }
    return static_cast<int64_t>(entry.th32ParentProcessID);
  }
  return absl::NotFoundError("the calling process is not in the process list");
}

int64_t CurrentProcessId() { return GetCurrentProcessId(); }

}  // namespace berth::platform
