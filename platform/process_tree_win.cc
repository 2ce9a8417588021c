// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/process_tree.h on Windows: the toolhelp snapshot's parent PID,
// believed only when that parent was created before the child.

// First: windows.h, as every Windows file of platform/ includes it.
#include "platform/internal/win.h"
// tlhelp32.h needs windows.h first.
#include <tlhelp32.h>

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "platform/process_tree.h"

namespace berth::platform {
namespace {

// CreationTime returns when `pid` was created, or nullopt when it cannot be
// told; *gone says whether that is because no such process runs.
std::optional<uint64_t> CreationTime(DWORD pid, bool* gone) {
  *gone = false;
  HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
  if (h == nullptr) {
    *gone = GetLastError() == ERROR_INVALID_PARAMETER;
    return std::nullopt;
  }
  FILETIME creation, exit, kernel, user;
  std::optional<uint64_t> out;
  if (GetProcessTimes(h, &creation, &exit, &kernel, &user)) {
    out = (static_cast<uint64_t>(creation.dwHighDateTime) << 32) |
          creation.dwLowDateTime;
  }
  CloseHandle(h);
  return out;
}

}  // namespace

absl::StatusOr<int64_t> ParentOf(int64_t pid) {
  if (pid <= 0 || pid > 0xffffffffLL) {
    return absl::InvalidArgumentError(absl::StrCat("not a process id: ", pid));
  }
  HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snapshot == INVALID_HANDLE_VALUE) {
    return internal::WindowsErrorToStatus(GetLastError(),
                                          "CreateToolhelp32Snapshot");
  }
  PROCESSENTRY32W entry;
  entry.dwSize = sizeof(entry);
  std::optional<DWORD> parent;
  for (BOOL ok = Process32FirstW(snapshot, &entry); ok;
       ok = Process32NextW(snapshot, &entry)) {
    if (entry.th32ProcessID == static_cast<DWORD>(pid)) {
      parent = entry.th32ParentProcessID;
      break;
    }
  }
  CloseHandle(snapshot);
  if (!parent) {
    return absl::NotFoundError(absl::StrCat("process ", pid, " is gone"));
  }
  if (*parent == 0) return 0;
  // A parent PID that now names a younger process is a reused PID.
  bool child_gone = false, parent_gone = false;
  const std::optional<uint64_t> child_time =
      CreationTime(static_cast<DWORD>(pid), &child_gone);
  const std::optional<uint64_t> parent_time =
      CreationTime(*parent, &parent_gone);
  if (parent_gone) return 0;  // the parent exited; its PID names nobody
  if (child_time && parent_time && *parent_time > *child_time) return 0;
  return static_cast<int64_t>(*parent);
}

// Command substitutions are not recognized here (see process_tree.h).
bool CapturesOutputOf(int64_t, int64_t) { return false; }

}  // namespace berth::platform
