// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/file.h: the few file operations that must be right on every OS.
//
//   - FileLock: an exclusive lock on a lock file (flock on POSIX, LockFileEx on
//     Windows). The kernel drops it when the holder's last descriptor closes,
//     also when the process is killed. Lock files are never unlinked: removing
//     one while someone waits on it would let two holders in.
//   - ReplaceFileAtomically: readers see the old contents or the new, never a
//     mix. A temp file in the same directory is written, synced and renamed
//     over the target (ReplaceFileW / MoveFileExW with a short bounded retry
//     on Windows, where indexers and antivirus hold files briefly); on any
//     failure the target is left byte-for-byte as it was and the temp file is
//     removed.
//   - EnsurePrivateDirectory: a per-user directory, created 0700, refused if
//     it is a symlink, not a directory, owned by another user, or writable
//     by other users.
//
// Errors name the call and the path ("open /x/registry: No such file or
// directory"). Every descriptor and handle is close-on-exec / not
// inheritable unless FileLock::SetInheritable says otherwise. Paths are
// UTF-8; Windows converts them to UTF-16.

#ifndef BERTH_PLATFORM_FILE_H_
#define BERTH_PLATFORM_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace berth::platform {

// FileLock holds an exclusive lock on a file until destroyed or Unlock()ed.
// Move-only. Locks exclude other holders in the same process too. Waiting
// polls with short growing sleeps (1 ms to 50 ms): no threads, no signals.
// Not for network file systems, where flock may hang or be emulated.
class FileLock {
 public:
  // Lock opens (creating if needed, mode 0600) `path` and waits up to
  // `timeout` (absl::InfiniteDuration() waits for good; zero tries once) for
  // the exclusive lock. When the wait runs out: DeadlineExceeded, "timed out
  // after 5s waiting for the lock on /x/registry.lock (held by another
  // process)". NotFound when the directory does not exist.
  static absl::StatusOr<FileLock> Lock(const std::string& path,
                                       absl::Duration timeout);

  // TryLock takes the lock only if it is free right now; Unavailable when
  // someone else holds it. NotFound when the file does not exist (it is not
  // created).
  static absl::StatusOr<FileLock> TryLock(const std::string& path);

  FileLock() = default;
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  bool held() const;
  const std::string& path() const { return path_; }

  // Unlock releases the lock and closes the file (the file stays). It only
  // closes (POSIX) or skips UnlockFileEx (Windows) for an inheritable lock:
  // a child that inherited it keeps holding it until it closes or exits.
  void Unlock();

  // SetInheritable marks the descriptor to survive exec (POSIX: clears
  // FD_CLOEXEC; Windows: makes the handle inheritable), so a server started
  // by exec keeps holding the lock. Returns the descriptor or handle value.
  // FailedPrecondition when no lock is held.
  absl::StatusOr<intptr_t> SetInheritable();

 private:
  std::string path_;
  intptr_t handle_ = -1;  // fd on POSIX, HANDLE on Windows; -1 when not held
};

// ReadFileToString returns the whole file. NotFound when it does not exist.
// Refuses (FailedPrecondition) files larger than `max_bytes`, also one that
// grows past it while being read.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             int64_t max_bytes);

// ReplaceFileAtomically replaces (or creates) `path` with `contents`, mode
// 0600, durably: see the file comment. The temp file is `.NAME.tmp-PID-HEX`
// beside the target; POSIX syncs it (F_FULLFSYNC on macOS), renames it over
// the target and syncs the directory. An error from that last sync means
// the new contents are in place but may not survive a crash.
//
// A write beyond RLIMIT_FSIZE raises SIGXFSZ, whose default action kills the
// process: programs that may run under such a limit (the berth CLI does)
// set SIGXFSZ to SIG_IGN, and then the write fails with EFBIG and this
// returns an error with the target intact. A library must not change signal
// dispositions for its host, so this function does not.
absl::Status ReplaceFileAtomically(const std::string& path,
                                   absl::string_view contents);

// EnsurePrivateDirectory creates `path` (and missing parents) with mode 0700
// if absent, then checks it: not a symlink, a directory, owned by the
// calling (effective) user, not writable by group or others.
// FailedPrecondition with the reason otherwise. Only `path` itself is
// checked: symlinks among its parents (macOS /var, say) are fine. Windows
// refuses reparse points (symlinks, junctions) and non-directories; the
// directory inherits its parent's ACL and its owner is not checked.
absl::Status EnsurePrivateDirectory(const std::string& path);

// UserStateDirectory returns the per-user base directory for runtime state
// (callers append their own name): Linux $XDG_RUNTIME_DIR, else
// $XDG_STATE_HOME, else ~/.local/state; macOS ~/Library/Application Support;
// Windows %LOCALAPPDATA%. Only absolute paths from the environment are used:
// an empty or relative value counts as unset. ~ is $HOME, else the password
// database's home of the effective user. FailedPrecondition when none is
// found. It does not create the directory.
absl::StatusOr<std::string> UserStateDirectory();

// JoinPath joins two path components with the OS separator, adding one only
// where neither side has it ("a/" + "/b" is "a/b"). An empty side gives the
// other. `b` is appended even when it is absolute.
std::string JoinPath(absl::string_view a, absl::string_view b);

}  // namespace berth::platform

#endif  // BERTH_PLATFORM_FILE_H_
