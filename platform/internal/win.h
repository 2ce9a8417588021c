// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/win.h: what the Windows files of platform/ share,
// written once: <windows.h> as they all include it (WIN32_LEAN_AND_MEAN,
// NOMINMAX), a handle closed at scope exit, GetLastError() and
// WSAGetLastError() codes as absl::Status, UTF-8 <-> UTF-16 conversion that
// refuses what is not valid, and a process's executable name. Defined in
// internal/win.cc.
//
// Include it first: headers such as tlhelp32.h and shlobj.h need windows.h
// before them.

#ifndef BERTH_PLATFORM_INTERNAL_WIN_H_
#define BERTH_PLATFORM_INTERNAL_WIN_H_

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::platform::internal {

// ScopedHandle closes a handle when it goes out of scope. Both of Windows'
// "no handle" values (nullptr, INVALID_HANDLE_VALUE) are left alone.
class ScopedHandle {
 public:
  explicit ScopedHandle(HANDLE handle = nullptr) : handle_(handle) {}
  ScopedHandle(const ScopedHandle&) = delete;
  ScopedHandle& operator=(const ScopedHandle&) = delete;
  ~ScopedHandle() {
    if (valid()) CloseHandle(handle_);
  }
  HANDLE get() const { return handle_; }
  bool valid() const {
    return handle_ != nullptr && handle_ != INVALID_HANDLE_VALUE;
  }

 private:
  HANDLE handle_;
};

// WindowsErrorCode is the absl::StatusCode for a GetLastError() or
// WSAGetLastError() code (one number space): NotFound for a missing file or
// path, PermissionDenied for ERROR_ACCESS_DENIED, Unavailable for a file
// someone holds (sharing or lock violation) or a network that is down,
// AlreadyExists, ResourceExhausted (disk, memory, handles, sockets),
// InvalidArgument for bad names and parameters; Unknown for the rest.
absl::StatusCode WindowsErrorCode(DWORD error);

// WindowsErrorText describes `error` for people: the system's text and the
// number, "Access is denied (Windows error 5)", or "Windows error 5" when
// the system has no text for it.
std::string WindowsErrorText(DWORD error);

// WindowsErrorToStatus is absl::ErrnoToStatus for Windows: a status with
// WindowsErrorCode(error) and the message "WHAT: WindowsErrorText(error)",
// where `what` names the call and its object ("CreateFileW C:\x").
absl::Status WindowsErrorToStatus(DWORD error, absl::string_view what);

// Utf8ToWide converts UTF-8 to UTF-16 for Windows' W functions.
// InvalidArgument, quoting the text, when it is not valid UTF-8: it is
// never patched up into another name.
absl::StatusOr<std::wstring> Utf8ToWide(absl::string_view utf8);

// WideToUtf8 converts UTF-16 from Windows to UTF-8. InvalidArgument when it
// is not valid UTF-16 (an unpaired surrogate, which NTFS names may hold).
absl::StatusOr<std::string> WideToUtf8(std::wstring_view wide);

// StartProcess is CreateProcessW with no thread attributes, this process's
// environment and directory, tried again (three tries in all, 50 ms apart)
// when it fails with ERROR_INTERNAL_ERROR: wine reports so a new process
// that died while it started, which a loaded machine sees now and then.
// Any other failure returns at once; GetLastError() is as the last try
// left it.
BOOL StartProcess(LPCWSTR application, LPWSTR command_line,
                  LPSECURITY_ATTRIBUTES process_attributes,
                  BOOL inherit_handles, DWORD flags, STARTUPINFOW* startup,
                  PROCESS_INFORMATION* info);

// ProcessImageName returns the file name of the executable `process` runs
// ("python.exe"), from a handle with PROCESS_QUERY_LIMITED_INFORMATION;
// "" when it cannot be read or is not valid UTF-16 (names are for people
// only).
std::string ProcessImageName(HANDLE process);

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_WIN_H_
