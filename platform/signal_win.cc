// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/signal.h on Windows: a process handle whose creation time was
// checked; TerminateProcess, or a console control event where one reaches
// the process (and its descendants) alone.

// First: windows.h, as every Windows file of platform/ includes it.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "platform/internal/win.h"
#include "platform/process_tree.h"
#include "platform/signal.h"

namespace berth::platform {
namespace {

HANDLE AsHandle(intptr_t h) { return reinterpret_cast<HANDLE>(h); }

bool Exited(HANDLE process) {
  return WaitForSingleObject(process, 0) == WAIT_OBJECT_0;
}

// AloneOnConsole says whether every process attached to the console this
// process is attached to is `target`, a descendant of it, or this process.
bool AloneOnConsole(const ProcessIdentity& target) {
  std::vector<DWORD> pids(64);
  DWORD n = GetConsoleProcessList(pids.data(), static_cast<DWORD>(pids.size()));
  if (n > pids.size()) {
    pids.resize(n + 16);
    n = GetConsoleProcessList(pids.data(), static_cast<DWORD>(pids.size()));
  }
  if (n == 0 || n > pids.size()) return false;
  const DWORD self = GetCurrentProcessId();
  for (DWORD i = 0; i < n; ++i) {
    if (pids[i] == self) continue;
    if (!IsDescendantOf(pids[i], target)) return false;
  }
  return true;
}

// SendConsoleEvent delivers Ctrl+C or Ctrl+Break to the console `target`
// runs on, only when nobody but it and its descendants would get it. This
// process leaves its own console for that moment (its standard handles stay
// what they were) and ignores the event itself.
bool SendConsoleEvent(const ProcessIdentity& target, DWORD event) {
  const HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  const HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  const HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
  FreeConsole();
  bool sent = false;
  if (AttachConsole(static_cast<DWORD>(target.pid))) {
    if (AloneOnConsole(target) && SetConsoleCtrlHandler(nullptr, TRUE)) {
      sent = GenerateConsoleCtrlEvent(event, 0) != 0;
      // The event reaches this process on a thread of its own, later: keep
      // ignoring it until then.
      Sleep(50);
      SetConsoleCtrlHandler(nullptr, FALSE);
    }
    FreeConsole();
  }
  AttachConsole(ATTACH_PARENT_PROCESS);
  SetStdHandle(STD_INPUT_HANDLE, in);
  SetStdHandle(STD_OUTPUT_HANDLE, out);
  SetStdHandle(STD_ERROR_HANDLE, err);
  return sent;
}

}  // namespace

absl::StatusOr<ProcessHandle> ProcessHandle::Open(const ProcessIdentity& id) {
  if (id.pid <= 0 || id.pid > 0xffffffffLL) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a process id: ", id.pid));
  }
  HANDLE h = OpenProcess(
      PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE | PROCESS_TERMINATE,
      FALSE, static_cast<DWORD>(id.pid));
  if (h == nullptr) {
    const DWORD error = GetLastError();
    if (error == ERROR_INVALID_PARAMETER) {
      return absl::NotFoundError(
          absl::StrCat("process ", id.pid, " has exited"));
    }
    return internal::WindowsErrorToStatus(
        error, absl::StrCat("open process ", id.pid));
  }
  ProcessHandle handle(id, reinterpret_cast<intptr_t>(h));
  FILETIME creation, exit, kernel, user;
  if (!GetProcessTimes(h, &creation, &exit, &kernel, &user)) {
    return internal::WindowsErrorToStatus(
        GetLastError(), absl::StrCat("GetProcessTimes ", id.pid));
  }
  const uint64_t token =
      (static_cast<uint64_t>(creation.dwHighDateTime) << 32) |
      creation.dwLowDateTime;
  if (token != id.start_token) {
    return absl::NotFoundError(
        absl::StrCat("process ", id.pid,
                     " has exited and its PID now belongs to another "
                     "process"));
  }
  if (Exited(h)) {
    return absl::NotFoundError(absl::StrCat("process ", id.pid, " has exited"));
  }
  return handle;
}

absl::Status ProcessHandle::Send(Signal signal) {
  const HANDLE h = AsHandle(handle_);
  if (Exited(h)) {
    return absl::NotFoundError(
        absl::StrCat("process ", identity_.pid, " has exited"));
  }
  if (signal != Signal::kKill &&
      SendConsoleEvent(identity_, signal == Signal::kInt ? CTRL_C_EVENT
                                                         : CTRL_BREAK_EVENT)) {
    return absl::OkStatus();
  }
  // 128 + 15 (or + 9), the status a POSIX shell reports for the signal.
  const UINT code = signal == Signal::kKill ? 137 : 143;
  if (!TerminateProcess(h, code)) {
    const DWORD error = GetLastError();
    if (Exited(h)) {
      return absl::NotFoundError(
          absl::StrCat("process ", identity_.pid, " has exited"));
    }
    return internal::WindowsErrorToStatus(
        error, absl::StrCat("TerminateProcess ", identity_.pid));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ProcessHandle::WaitForExit(absl::Duration timeout) {
  const int64_t ms = std::min<int64_t>(
      absl::ToInt64Milliseconds(timeout + absl::Microseconds(999)),
      INFINITE - 1);
  switch (WaitForSingleObject(AsHandle(handle_), static_cast<DWORD>(ms))) {
    case WAIT_OBJECT_0:
      return true;
    case WAIT_TIMEOUT:
      return false;
    default:
      return internal::WindowsErrorToStatus(GetLastError(),
                                            "WaitForSingleObject");
  }
}

void ProcessHandle::Close() {
  if (handle_ != -1 && handle_ != 0) CloseHandle(AsHandle(handle_));
  handle_ = -1;
}

}  // namespace berth::platform
