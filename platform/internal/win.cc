// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/win.h: errors, text and handles, once for Windows.

#include "platform/internal/win.h"
// winsock2.h after windows.h (WIN32_LEAN_AND_MEAN keeps the old winsock.h
// out): only for the WSAE* error codes.
#include <winsock2.h>

#include <climits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace berth::platform::internal {
namespace {

// Quote returns `text` C-escaped in double quotes, cut to a readable length.
std::string Quote(absl::string_view text) {
  constexpr size_t kMax = 64;
  if (text.size() <= kMax) return absl::StrCat("\"", absl::CEscape(text), "\"");
  return absl::StrCat("\"", absl::CEscape(text.substr(0, kMax)), "\"...");
}

}  // namespace

absl::StatusCode WindowsErrorCode(DWORD error) {
  switch (error) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
      return absl::StatusCode::kNotFound;
    case ERROR_ACCESS_DENIED:
    case WSAEACCES:
      return absl::StatusCode::kPermissionDenied;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case WSANOTINITIALISED:
    case WSAENETDOWN:
      return absl::StatusCode::kUnavailable;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
      return absl::StatusCode::kAlreadyExists;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_TOO_MANY_OPEN_FILES:
    case WSAEMFILE:
    case WSAENOBUFS:
      return absl::StatusCode::kResourceExhausted;
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_FILENAME_EXCED_RANGE:
    case ERROR_INVALID_PARAMETER:
    case WSAEINVAL:
    case WSAEFAULT:
      return absl::StatusCode::kInvalidArgument;
    default:
      return absl::StatusCode::kUnknown;
  }
}

std::string WindowsErrorText(DWORD error) {
  char* text = nullptr;
  const DWORD length = FormatMessageA(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
          FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, error, 0, reinterpret_cast<char*>(&text), 0, nullptr);
  std::string description;
  if (length > 0 && text != nullptr) {
    description = std::string(absl::StripAsciiWhitespace(
        absl::string_view(text, static_cast<size_t>(length))));
  }
  if (text != nullptr) LocalFree(text);
  while (!description.empty() && description.back() == '.') {
    description.pop_back();
  }
  if (description.empty()) return absl::StrCat("Windows error ", error);
  return absl::StrCat(description, " (Windows error ", error, ")");
}

absl::Status WindowsErrorToStatus(DWORD error, absl::string_view what) {
  return absl::Status(WindowsErrorCode(error),
                      absl::StrCat(what, ": ", WindowsErrorText(error)));
}

absl::StatusOr<std::wstring> Utf8ToWide(absl::string_view utf8) {
  if (utf8.empty()) return std::wstring();
  if (utf8.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("text too long to convert to UTF-16");
  }
  const int size = static_cast<int>(utf8.size());
  const int length = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS,
                                         utf8.data(), size, nullptr, 0);
  if (length <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(Quote(utf8), " is not valid UTF-8"));
  }
  std::wstring wide(static_cast<size_t>(length), L'\0');
  if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), size,
                          &wide[0], length) != length) {
    return absl::InvalidArgumentError(
        absl::StrCat(Quote(utf8), " is not valid UTF-8"));
  }
  return wide;
}

absl::StatusOr<std::string> WideToUtf8(std::wstring_view wide) {
  if (wide.empty()) return std::string();
  if (wide.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("text too long to convert to UTF-8");
  }
  const int size = static_cast<int>(wide.size());
  const int length =
      WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, wide.data(), size,
                          nullptr, 0, nullptr, nullptr);
  if (length <= 0) {
    return absl::InvalidArgumentError(
        "text from Windows is not valid UTF-16 (an unpaired surrogate)");
  }
  std::string utf8(static_cast<size_t>(length), '\0');
  if (WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, wide.data(), size,
                          &utf8[0], length, nullptr, nullptr) != length) {
    return absl::InvalidArgumentError(
        "text from Windows is not valid UTF-16 (an unpaired surrogate)");
  }
  return utf8;
}

BOOL StartProcess(LPCWSTR application, LPWSTR command_line,
                  LPSECURITY_ATTRIBUTES process_attributes,
                  BOOL inherit_handles, DWORD flags, STARTUPINFOW* startup,
                  PROCESS_INFORMATION* info) {
  for (int tries = 1;; ++tries) {
    if (CreateProcessW(application, command_line, process_attributes, nullptr,
                       inherit_handles, flags, nullptr, nullptr, startup,
                       info)) {
      return TRUE;
    }
    const DWORD error = GetLastError();
    if (error != ERROR_INTERNAL_ERROR || tries == 3) return FALSE;
    Sleep(50);
  }
}

std::string ProcessImageName(HANDLE process) {
  std::vector<wchar_t> path(32768);
  DWORD length = static_cast<DWORD>(path.size());
  if (!QueryFullProcessImageNameW(process, 0, path.data(), &length)) {
    return "";
  }
  DWORD start = length;
  while (start > 0 && path[start - 1] != L'\\' && path[start - 1] != L'/') {
    --start;
  }
  absl::StatusOr<std::string> name =
      WideToUtf8(std::wstring_view(path.data() + start, length - start));
  return name.ok() ? *std::move(name) : "";
}

}  // namespace berth::platform::internal
