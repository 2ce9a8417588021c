// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/file.h for Windows: LockFileEx, the steps of an atomic replace
// (internal/file_ops.h: CreateFileW CREATE_NEW, WriteFile,
// FlushFileBuffers, MoveFileExW, whose errors 5, 32 and 33 the policy
// retries), CreateDirectoryW with a reparse-point check. Paths are UTF-8 in the
// API and UTF-16 towards Windows. Handles are never inheritable unless
// SetInheritable says so.

#include "platform/internal/win.h"
// shlobj.h needs windows.h first.
#include <knownfolders.h>
#include <objbase.h>
#include <shlobj.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "platform/file.h"
#include "platform/internal/file_ops.h"

namespace berth::platform {
namespace {

using internal::Utf8ToWide;
using internal::WideToUtf8;
using internal::WindowsErrorToStatus;

bool IsSeparator(wchar_t c) { return c == L'\\' || c == L'/'; }

// OpenLockFile opens (or with OPEN_ALWAYS creates) a lock file, shared with
// every other opener, not inheritable (no SECURITY_ATTRIBUTES).
HANDLE OpenLockFile(const std::wstring& path, DWORD disposition) {
  return CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE,
                     FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                     nullptr, disposition, FILE_ATTRIBUTE_NORMAL, nullptr);
}

// Windows byte-range locks are mandatory: a locked byte can be neither read
// nor written through another handle. The lock therefore sits on one byte
// far past anything a lock file holds (locking past the end is allowed), so
// the contents stay readable while the lock is held.
constexpr DWORD kLockOffsetHigh = 0x40000000;  // byte 2^62

OVERLAPPED LockPosition() {
  OVERLAPPED overlapped = {};
  overlapped.OffsetHigh = kLockOffsetHigh;
  return overlapped;
}

// LockByte takes the lock without waiting: exclusive, or for a kReader
// shared.
bool LockByte(HANDLE handle, FileLock::Kind kind = FileLock::Kind::kShared) {
  OVERLAPPED overlapped = LockPosition();
  const DWORD exclusive =
      kind == FileLock::Kind::kReader ? 0 : LOCKFILE_EXCLUSIVE_LOCK;
  return LockFileEx(handle, exclusive | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0,
                    &overlapped) != 0;
}

// IsRetryableReplaceError: an indexer, antivirus or reader holds the file
// for a moment.
bool IsRetryableReplaceError(DWORD error) {
  return error == ERROR_ACCESS_DENIED || error == ERROR_SHARING_VIOLATION ||
         error == ERROR_LOCK_VIOLATION;
}

// RootLength returns how many leading characters of `path` name its root,
// which is not to be created: "C:\" (3), "\\server\share\" or
// "\\?\C:\" (up to and with the separator that ends the root), "\" (1).
size_t RootLength(const std::wstring& path) {
  if (path.size() >= 2 && IsSeparator(path[0]) && IsSeparator(path[1])) {
    // \\server\share\ and \\?\C:\ end at their fourth separator,
    // \\?\UNC\server\share\ at its sixth.
    size_t separators_left = path.compare(0, 8, L"\\\\?\\UNC\\") == 0 ? 6 : 4;
    for (size_t i = 0; i < path.size(); ++i) {
      if (IsSeparator(path[i]) && --separators_left == 0) return i + 1;
    }
    return path.size();
  }
  if (path.size() >= 3 && path[1] == L':' && IsSeparator(path[2])) return 3;
  if (!path.empty() && IsSeparator(path[0])) return 1;
  return 0;
}

bool IsDirectory(const std::wstring& path) {
  const DWORD attributes = GetFileAttributesW(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES &&
         (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

}  // namespace

// --- FileLock ---------------------------------------------------------------

// Kind::kThisProcess is the same lock: Windows has no fork, and a handle
// that is not inheritable stays with its process.
absl::StatusOr<FileLock> FileLock::Lock(const std::string& path,
                                        absl::Duration timeout, Kind kind) {
  absl::StatusOr<std::wstring> wide = Utf8ToWide(path);
  if (!wide.ok()) return wide.status();

  HANDLE handle = INVALID_HANDLE_VALUE;
  absl::Status locked =
      internal::WaitForLock(timeout, path, [&]() -> absl::StatusOr<bool> {
        if (handle == INVALID_HANDLE_VALUE) {
          handle = OpenLockFile(*wide, OPEN_ALWAYS);
          if (handle == INVALID_HANDLE_VALUE) {
            const DWORD error = GetLastError();
            // A sharing violation is someone opening the file without
            // sharing (antivirus, say): wait for it like for the lock.
            if (error == ERROR_SHARING_VIOLATION) return false;
            return WindowsErrorToStatus(error,
                                        absl::StrCat("CreateFileW ", path));
          }
        }
        if (LockByte(handle)) return true;
        const DWORD error = GetLastError();
        if (error == ERROR_LOCK_VIOLATION) return false;
        return WindowsErrorToStatus(error, absl::StrCat("LockFileEx ", path));
      });
  if (!locked.ok()) {
    if (handle != INVALID_HANDLE_VALUE) CloseHandle(handle);
    return locked;
  }
  return FileLock(path, reinterpret_cast<intptr_t>(handle), kind,
                  GetCurrentProcessId());
}

absl::StatusOr<FileLock> FileLock::TryLock(const std::string& path,
                                           bool create) {
  absl::StatusOr<std::wstring> wide = Utf8ToWide(path);
  if (!wide.ok()) return wide.status();
  HANDLE handle = OpenLockFile(*wide, create ? OPEN_ALWAYS : OPEN_EXISTING);
  if (handle == INVALID_HANDLE_VALUE) {
    return WindowsErrorToStatus(GetLastError(),
                                absl::StrCat("CreateFileW ", path));
  }
  return TryOnce(reinterpret_cast<intptr_t>(handle), path, Kind::kShared);
}

absl::StatusOr<FileLock> FileLock::TryLockForReading(const std::string& path) {
  absl::StatusOr<std::wstring> wide = Utf8ToWide(path);
  if (!wide.ok()) return wide.status();
  HANDLE handle = OpenLockFile(*wide, OPEN_EXISTING);
  if (handle == INVALID_HANDLE_VALUE) {
    return WindowsErrorToStatus(GetLastError(),
                                absl::StrCat("CreateFileW ", path));
  }
  return TryOnce(reinterpret_cast<intptr_t>(handle), path, Kind::kReader);
}

absl::StatusOr<FileLock> FileLock::TryOnce(intptr_t value,
                                           const std::string& path, Kind kind) {
  HANDLE handle = reinterpret_cast<HANDLE>(value);
  if (!LockByte(handle, kind)) {
    const DWORD error = GetLastError();
    CloseHandle(handle);
    if (error == ERROR_LOCK_VIOLATION) {
      return absl::UnavailableError(
          absl::StrCat("the lock on ", path, " is held"));
    }
    return WindowsErrorToStatus(error, absl::StrCat("LockFileEx ", path));
  }
  return FileLock(path, value, kind, GetCurrentProcessId());
}

void FileLock::Unlock() {
  if (handle_ == -1) return;
  HANDLE handle = reinterpret_cast<HANDLE>(handle_);
  // Unlock explicitly: Windows releases the locks of a closed handle only
  // "when resources allow". Not when the handle was made inheritable, though:
  // a child that inherited it holds the lock on and must keep it.
  DWORD flags = 0;
  if (GetHandleInformation(handle, &flags) &&
      (flags & HANDLE_FLAG_INHERIT) == 0) {
    OVERLAPPED overlapped = LockPosition();
    UnlockFileEx(handle, 0, 1, 0, &overlapped);
  }
  CloseHandle(handle);
  handle_ = -1;
}

absl::StatusOr<intptr_t> FileLock::SetInheritable() {
  if (handle_ == -1 || kind_ == Kind::kReader) {
    return absl::FailedPreconditionError(
        absl::StrCat("SetInheritable: no exclusive lock held on ", path_));
  }
  if (!SetHandleInformation(reinterpret_cast<HANDLE>(handle_),
                            HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)) {
    return WindowsErrorToStatus(GetLastError(),
                                absl::StrCat("SetHandleInformation ", path_));
  }
  return handle_;
}

bool FileLock::TakenHere() const { return handle_ != -1; }  // no fork

absl::StatusOr<bool> FileLock::HoldPastClose() {
  if (handle_ == -1 || kind_ == Kind::kReader) {
    return absl::FailedPreconditionError(
        absl::StrCat("HoldPastClose: no lock held on ", path_));
  }
  return false;  // a lock goes with its handle on Windows
}

absl::StatusOr<std::string> FileLock::ReadContents(int64_t max_bytes) const {
  if (handle_ == -1) {
    return absl::FailedPreconditionError(
        absl::StrCat("ReadContents: no lock held on ", path_));
  }
  HANDLE handle = reinterpret_cast<HANDLE>(handle_);
  std::string contents;
  char buffer[4096];
  for (;;) {
    OVERLAPPED at = {};
    at.Offset = static_cast<DWORD>(contents.size());
    DWORD n = 0;
    if (!ReadFile(handle, buffer, sizeof(buffer), &n, &at)) {
      const DWORD error = GetLastError();
      if (error == ERROR_HANDLE_EOF) return contents;
      return WindowsErrorToStatus(error, absl::StrCat("ReadFile ", path_));
    }
    if (n == 0) return contents;
    contents.append(buffer, n);
    if (static_cast<int64_t>(contents.size()) > max_bytes) {
      return absl::FailedPreconditionError(
          absl::StrCat(path_, " is over the limit of ", max_bytes, " bytes"));
    }
  }
}

absl::Status FileLock::WriteContents(absl::string_view contents) {
  if (handle_ == -1 || kind_ == Kind::kReader) {
    return absl::FailedPreconditionError(
        absl::StrCat("WriteContents: no exclusive lock held on ", path_));
  }
  HANDLE handle = reinterpret_cast<HANDLE>(handle_);
  // Emptied first: a writer killed halfway leaves an empty file (nobody on
  // file), never the head of one record over the tail of another.
  LARGE_INTEGER start;
  start.QuadPart = 0;
  if (!SetFilePointerEx(handle, start, nullptr, FILE_BEGIN) ||
      !SetEndOfFile(handle)) {
    return WindowsErrorToStatus(GetLastError(),
                                absl::StrCat("SetEndOfFile ", path_));
  }
  size_t done = 0;
  while (done < contents.size()) {
    OVERLAPPED at = {};
    at.Offset = static_cast<DWORD>(done);
    DWORD n = 0;
    const DWORD chunk =
        static_cast<DWORD>(std::min<size_t>(contents.size() - done, 1u << 30));
    if (!WriteFile(handle, contents.data() + done, chunk, &n, &at) || n == 0) {
      return WindowsErrorToStatus(GetLastError(),
                                  absl::StrCat("WriteFile ", path_));
    }
    done += n;
  }
  return absl::OkStatus();
}

absl::Status OpenNullOnClosedStandardStreams() { return absl::OkStatus(); }

void ReportFileSizeLimitAsError() {}

// --- Whole files ------------------------------------------------------------

absl::StatusOr<FileSignature> SignatureOf(const std::string& path) {
  absl::StatusOr<std::wstring> wide = Utf8ToWide(path);
  if (!wide.ok()) return wide.status();
  WIN32_FILE_ATTRIBUTE_DATA data;
  if (!GetFileAttributesExW(wide->c_str(), GetFileExInfoStandard, &data)) {
    return WindowsErrorToStatus(GetLastError(),
                                absl::StrCat("GetFileAttributesExW ", path));
  }
  auto ticks = [](const FILETIME& t) {
    return (uint64_t{t.dwHighDateTime} << 32) | t.dwLowDateTime;
  };
  FileSignature sig;
  // A replace brings the new file's creation time along: it stands in for
  // an inode number.
  sig.inode = ticks(data.ftCreationTime);
  sig.size = (uint64_t{data.nFileSizeHigh} << 32) | data.nFileSizeLow;
  sig.modified_ns = static_cast<int64_t>(ticks(data.ftLastWriteTime) * 100);
  return sig;
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             int64_t max_bytes) {
  if (max_bytes < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ReadFileToString ", path, ": max_bytes ", max_bytes, " is negative"));
  }
  absl::StatusOr<std::wstring> wide = Utf8ToWide(path);
  if (!wide.ok()) return wide.status();
  // FILE_SHARE_DELETE: a reader must not stop a writer's replace.
  HANDLE handle =
      CreateFileW(wide->c_str(), GENERIC_READ,
                  FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                  nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (handle == INVALID_HANDLE_VALUE) {
    return WindowsErrorToStatus(GetLastError(),
                                absl::StrCat("CreateFileW ", path));
  }
  auto too_big = [&](int64_t size) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " is ", size, " bytes or more, over the limit of ", max_bytes));
  };
  LARGE_INTEGER size;
  if (GetFileSizeEx(handle, &size) && size.QuadPart > max_bytes) {
    CloseHandle(handle);
    return too_big(size.QuadPart);
  }
  std::string contents;
  char buffer[64 * 1024];
  for (;;) {
    DWORD read = 0;
    if (!ReadFile(handle, buffer, sizeof(buffer), &read, nullptr)) {
      absl::Status status =
          WindowsErrorToStatus(GetLastError(), absl::StrCat("ReadFile ", path));
      CloseHandle(handle);
      return status;
    }
    if (read == 0) break;
    contents.append(buffer, read);
    if (static_cast<int64_t>(contents.size()) > max_bytes) {
      CloseHandle(handle);
      return too_big(static_cast<int64_t>(contents.size()));
    }
  }
  CloseHandle(handle);
  return contents;
}

// --- The steps of ReplaceFileAtomically and WriteNewFile -------------------

namespace internal {
namespace {

class WindowsFileOps final : public FileOps {
 public:
  absl::StatusOr<intptr_t> CreateNew(const std::string& path) const override {
    absl::StatusOr<std::wstring> wide = Utf8ToWide(path);
    if (!wide.ok()) return wide.status();
    HANDLE handle = CreateFileW(wide->c_str(), GENERIC_WRITE, 0, nullptr,
                                CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (handle == INVALID_HANDLE_VALUE) {
      return WindowsErrorToStatus(GetLastError(),
                                  absl::StrCat("CreateFileW ", path));
    }
    return reinterpret_cast<intptr_t>(handle);
  }

  absl::Status Write(intptr_t file, absl::string_view data,
                     const std::string& path) const override {
    while (!data.empty()) {
      const DWORD chunk =
          static_cast<DWORD>(std::min<size_t>(data.size(), size_t{1} << 30));
      DWORD written = 0;
      if (!WriteFile(reinterpret_cast<HANDLE>(file), data.data(), chunk,
                     &written, nullptr)) {
        return WindowsErrorToStatus(GetLastError(),
                                    absl::StrCat("WriteFile ", path));
      }
      if (written == 0) {
        return WindowsErrorToStatus(ERROR_WRITE_FAULT,
                                    absl::StrCat("WriteFile ", path));
      }
      data.remove_prefix(written);
    }
    return absl::OkStatus();
  }

  absl::Status Sync(intptr_t file, const std::string& path) const override {
    if (!FlushFileBuffers(reinterpret_cast<HANDLE>(file))) {
      return WindowsErrorToStatus(GetLastError(),
                                  absl::StrCat("FlushFileBuffers ", path));
    }
    return absl::OkStatus();
  }

  absl::Status Close(intptr_t file, const std::string& path) const override {
    if (!CloseHandle(reinterpret_cast<HANDLE>(file))) {
      return WindowsErrorToStatus(GetLastError(),
                                  absl::StrCat("CloseHandle ", path));
    }
    return absl::OkStatus();
  }

  // MOVEFILE_REPLACE_EXISTING replaces the target whole, or creates it where
  // it is missing; MOVEFILE_WRITE_THROUGH returns only once the move is on
  // disk.
  absl::Status Rename(const std::string& from, const std::string& to,
                      Durability durability, bool* transient) const override {
    *transient = false;
    absl::StatusOr<std::wstring> wide_from = Utf8ToWide(from);
    if (!wide_from.ok()) return wide_from.status();
    absl::StatusOr<std::wstring> wide_to = Utf8ToWide(to);
    if (!wide_to.ok()) return wide_to.status();
    const DWORD flags =
        MOVEFILE_REPLACE_EXISTING |
        (durability == Durability::kDurable ? MOVEFILE_WRITE_THROUGH : 0);
    if (MoveFileExW(wide_from->c_str(), wide_to->c_str(), flags)) {
      return absl::OkStatus();
    }
    const DWORD error = GetLastError();
    *transient = IsRetryableReplaceError(error);
    return WindowsErrorToStatus(error,
                                absl::StrCat("MoveFileExW ", from, " to ", to));
  }

  void Remove(const std::string& path) const override {
    absl::StatusOr<std::wstring> wide = Utf8ToWide(path);
    if (wide.ok()) DeleteFileW(wide->c_str());
  }

  // Rename wrote the move through already.
  absl::Status SyncDirectoryOf(const std::string&) const override {
    return absl::OkStatus();
  }

  int64_t ProcessId() const override { return GetCurrentProcessId(); }
};

}  // namespace

const FileOps& SystemFileOps() {
  static const WindowsFileOps* const ops = new WindowsFileOps();
  return *ops;
}

}  // namespace internal

// --- Directories ------------------------------------------------------------

// The directory's ACL is inherited from its parent (%LOCALAPPDATA% is the
// user's own); ownership is not checked on Windows.
absl::Status EnsurePrivateDirectory(const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("EnsurePrivateDirectory: empty path");
  }
  absl::StatusOr<std::wstring> wide_or = Utf8ToWide(path);
  if (!wide_or.ok()) return wide_or.status();
  std::wstring dir = *std::move(wide_or);
  const size_t root = RootLength(dir);
  while (dir.size() > std::max<size_t>(root, 1) && IsSeparator(dir.back())) {
    dir.pop_back();
  }

  for (size_t i = root + 1; i <= dir.size(); ++i) {
    if (i < dir.size() && !IsSeparator(dir[i])) continue;
    if (IsSeparator(dir[i - 1])) continue;
    const std::wstring level = dir.substr(0, i);
    if (CreateDirectoryW(level.c_str(), nullptr)) continue;
    const DWORD error = GetLastError();
    if (error == ERROR_ALREADY_EXISTS || IsDirectory(level)) continue;
    absl::StatusOr<std::string> name = WideToUtf8(level);
    return WindowsErrorToStatus(
        error, absl::StrCat("CreateDirectoryW ", name.ok() ? *name : path));
  }

  const DWORD attributes = GetFileAttributesW(dir.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    return WindowsErrorToStatus(GetLastError(),
                                absl::StrCat("GetFileAttributesW ", path));
  }
  if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        path,
        " is a symbolic link or junction; private state must live in a "
        "real directory: remove the link"));
  }
  if ((attributes & FILE_ATTRIBUTE_DIRECTORY) == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " exists and is not a directory"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> PerUserDirectory(absl::string_view name) {
  // From the user's profile, not from %LOCALAPPDATA%: a service or a
  // scheduled task sees the same folder as a desktop session.
  PWSTR folder = nullptr;
  const HRESULT result = SHGetKnownFolderPath(
      FOLDERID_LocalAppData, KF_FLAG_DEFAULT, nullptr, &folder);
  if (FAILED(result) || folder == nullptr) {
    if (folder != nullptr) CoTaskMemFree(folder);
    return absl::FailedPreconditionError(absl::StrCat(
        "the local application data folder of this user is unknown "
        "(SHGetKnownFolderPath failed with ",
        absl::Hex(static_cast<uint32_t>(result)),
        "); set BERTH_HOME to a directory of your own"));
  }
  const std::wstring wide(folder);
  CoTaskMemFree(folder);
  absl::StatusOr<std::string> base = WideToUtf8(wide);
  if (!base.ok()) return base.status();
  return JoinPath(*base, name);
}

}  // namespace berth::platform
