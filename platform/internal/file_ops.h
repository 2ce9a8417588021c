// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/file_ops.h: the OS steps that ReplaceFileAtomically and
// WriteNewFile are made of, and the policy over them; and how FileLock::Lock
// waits.
//
// The policy is file.cc's and exists once, as LevelDB's SetCurrentFile does
// over its Env: the temp file's name and place (beside the target), the
// order of the steps, which failures are retried and how long, and removing
// the temp file on any failure, so the target is never touched unless the
// rename happens. Each OS gives the steps (SystemFileOps, defined in
// file_posix.cc, file_win.cc and file_unsupported.cc); tests give fakes.

#ifndef BERTH_PLATFORM_INTERNAL_FILE_OPS_H_
#define BERTH_PLATFORM_INTERNAL_FILE_OPS_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "platform/file.h"

namespace berth::platform::internal {

// FileOps are the steps. Errors name the OS call and the path, as the OS
// files always have ("rename /x/.registry.tmp-1-ab to /x/registry: ...").
class FileOps {
 public:
  virtual ~FileOps() = default;

  // CreateNew creates `path` for writing and returns its descriptor (POSIX)
  // or handle (Windows): mode 0600 whatever the umask, not inherited, not
  // shared. AlreadyExists when something has that name; it is left alone.
  virtual absl::StatusOr<intptr_t> CreateNew(const std::string& path) const = 0;

  // Write writes all of `data` to `file` (`path` for messages).
  virtual absl::Status Write(intptr_t file, absl::string_view data,
                             const std::string& path) const = 0;

  // Sync makes what was written to `file` durable.
  virtual absl::Status Sync(intptr_t file, const std::string& path) const = 0;

  // Close closes `file`, whatever it returns, and reports an error the OS
  // kept for it (NFS reports deferred write errors there).
  virtual absl::Status Close(intptr_t file, const std::string& path) const = 0;

  // Rename puts `from` in the place of `to` in one step: readers see the old
  // file or the new one. With kDurable the move is on disk when it returns
  // where the OS can do that in the same call (Windows). `*transient` tells
  // whether a moment's wait may cure the failure (Windows: errors 5, 32 and
  // 33, an indexer, antivirus or reader holding a file).
  virtual absl::Status Rename(const std::string& from, const std::string& to,
                              Durability durability, bool* transient) const = 0;

  // Remove deletes `path`, ignoring errors: it only cleans up.
  virtual void Remove(const std::string& path) const = 0;

  // SyncDirectoryOf makes a rename to `path` durable (POSIX: fsync of its
  // directory; nothing where Rename did it).
  virtual absl::Status SyncDirectoryOf(const std::string& path) const = 0;

  // Pause waits before a retry (absl::SleepFor unless a test says not).
  virtual void Pause(absl::Duration duration) const;

  // ProcessId is this process's ID, for temp file names.
  virtual int64_t ProcessId() const = 0;
};

// SystemFileOps are this OS's steps.
const FileOps& SystemFileOps();

// ReplaceFile is ReplaceFileAtomically (platform/file.h) over `ops`.
absl::Status ReplaceFile(const FileOps& ops, const std::string& path,
                         absl::string_view contents, Durability durability);

// WriteNew is WriteNewFile (platform/file.h) over `ops`.
absl::Status WriteNew(const FileOps& ops, const std::string& path,
                      absl::string_view contents);

// WaitForLock calls `try_once` until it returns true (locked) or an error,
// with short growing sleeps between tries (50 us, doubling up to 2 ms) for up
// to `timeout` (zero: one try), then DeadlineExceeded naming `path`: "timed out
// after 5s waiting for the lock on PATH (held by another process)". Each
// OS's FileLock::Lock passes its own try.
absl::Status WaitForLock(absl::Duration timeout, const std::string& path,
                         absl::FunctionRef<absl::StatusOr<bool>()> try_once);

// TempFileName returns a name for ReplaceFile's temp file for the target
// file named `target` (no directory), made by process `pid`:
// ".TARGET.tmp-PID-HEX", HEX 16 digits unlikely to be in use. TempFileWriter
// reads the PID back.
std::string TempFileName(absl::string_view target, int64_t pid);

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_FILE_OPS_H_
