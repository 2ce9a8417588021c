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
//     over the target (MoveFileExW with a short bounded retry on Windows,
//     where indexers and antivirus hold files briefly); on any failure the
//     target is left byte-for-byte as it was and the temp file is removed.
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
// polls with short growing sleeps (50 us to 2 ms): no threads, no signals.
// Not for network file systems, where flock may hang or be emulated.
//
// Two kinds (Kind):
//   - kShared (flock on POSIX): the lock belongs to the open file, which a
//     forked child shares and which survives exec when made inheritable;
//     the kernel drops it when the last descriptor of it closes. This is the
//     lock a lease holder keeps, for as long as it (or a child of it that
//     got the descriptor) lives.
//   - kThisProcess (a POSIX record lock, fcntl F_SETLK): a forked child never
//     holds it, so a fork() by another thread while it is held cannot leave
//     it held behind the holder's back. For short critical sections.
// On Windows both are LockFileEx on a handle that is not inherited.
// A third, kReader (TryLockForReading), is a shared lock for looking: any
// number of readers hold it at once, and it and the two exclusive kinds
// exclude each other.
//
// Descriptors are close-on-exec, and never 0, 1 or 2: a process whose
// standard descriptors are closed must not find its lock there (a program
// that reopens stdout would drop it).
class FileLock {
 public:
  enum class Kind { kShared, kThisProcess, kReader };

  // Lock opens (creating if needed, mode 0600) `path` and waits up to
  // `timeout` (absl::InfiniteDuration() waits for good; zero tries once) for
  // the exclusive lock. When the wait runs out: DeadlineExceeded, "timed out
  // after 5s waiting for the lock on /x/registry.lock (held by another
  // process)". NotFound when the directory does not exist.
  static absl::StatusOr<FileLock> Lock(const std::string& path,
                                       absl::Duration timeout,
                                       Kind kind = Kind::kShared);

  // TryLock takes a kShared lock only if it is free right now; Unavailable
  // when someone else holds it. `create`: create the file (mode 0600) when
  // missing; otherwise NotFound when it does not exist.
  static absl::StatusOr<FileLock> TryLock(const std::string& path,
                                          bool create = false);

  // TryLockForReading takes a kReader lock on an existing file only if no
  // exclusive lock is held on it right now: Unavailable when one is,
  // NotFound when the file does not exist. A reader holding it makes
  // TryLock fail, so readers hold it for as long as a look takes and no
  // longer. WriteContents, SetInheritable and HoldPastClose refuse it.
  static absl::StatusOr<FileLock> TryLockForReading(const std::string& path);

  FileLock() = default;
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  bool held() const;
  const std::string& path() const { return path_; }

  // TakenHere says whether this process took the lock (rather than
  // inheriting it through fork from the process that did).
  bool TakenHere() const;

  // Unlock releases the lock and closes the file (the file stays). A kShared
  // lock is only closed, never unlocked explicitly: a child that shares the
  // open file (fork, or SetInheritable + exec) keeps holding it until it
  // closes or exits. Called in a forked child, it closes that child's copy
  // of the descriptor and nothing else.
  void Unlock();

  // SetInheritable marks the descriptor to survive exec (POSIX: clears
  // FD_CLOEXEC; Windows: makes the handle inheritable), so a server started
  // by exec keeps holding the lock. Returns the descriptor or handle value.
  // FailedPrecondition when no lock is held.
  absl::StatusOr<intptr_t> SetInheritable();

  // HoldPastClose makes a kShared lock outlast its descriptor: if code in
  // this process closes every descriptor it has (closefrom, a server that
  // "closes inherited files"), the lock stays held until Unlock or the end
  // of the process. Linux keeps a lock for as long as a memory mapping of
  // the file exists, so this maps one page of it (never touched, not
  // inherited by fork). Returns false where the OS offers no such thing
  // (macOS, Windows), true when done.
  absl::StatusOr<bool> HoldPastClose();

  // ReadContents returns the file's contents (at most `max_bytes`, else
  // FailedPrecondition), read from the locked descriptor.
  absl::StatusOr<std::string> ReadContents(int64_t max_bytes) const;

  // WriteContents replaces the file's contents with `contents` in place
  // (no rename: the lock stays on the same file). Not durable, and not
  // atomic for readers who do not hold the lock.
  absl::Status WriteContents(absl::string_view contents);

 private:
  // A held lock, as Lock and TryLock return it.
  FileLock(std::string path, intptr_t handle, Kind kind, int64_t owner_pid);
  // TryOnce locks the freshly opened `handle` of `path` as a `kind` lock
  // without waiting, closing it on failure: Unavailable when held elsewhere.
  static absl::StatusOr<FileLock> TryOnce(intptr_t handle,
                                          const std::string& path, Kind kind);

  std::string path_;
  intptr_t handle_ = -1;  // fd on POSIX, HANDLE on Windows; -1 when not held
  Kind kind_ = Kind::kShared;
  int64_t owner_pid_ = 0;    // the process that took the lock
  void* mapping_ = nullptr;  // HoldPastClose's page (Linux)
};

// OpenNullOnClosedStandardStreams opens /dev/null on whichever of
// descriptors 0, 1 and 2 are closed, so that files opened later never land
// there (a server's "exec >log" would close them). Programs call it first
// thing; a library must not. Does nothing on Windows.
absl::Status OpenNullOnClosedStandardStreams();

// ReportFileSizeLimitAsError makes a write past the file size limit
// (ulimit -f) fail with EFBIG, reported like any failed write, instead of
// killing the process with SIGXFSZ halfway through replacing a file.
// Programs call it first thing; a library must not. Does nothing on
// Windows, which has no such limit.
void ReportFileSizeLimitAsError();

// FileSignature tells versions of a file apart with one stat: it changes
// when the file is replaced (another inode; on Windows, another creation
// time) or written (size, modification time in nanoseconds). Equal
// signatures mean the same contents, for files that are only ever replaced
// whole (ReplaceFileAtomically), which is what it is for: caching what was
// read from them.
struct FileSignature {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t modified_ns = 0;

  friend bool operator==(const FileSignature& a, const FileSignature& b) {
    return a.device == b.device && a.inode == b.inode && a.size == b.size &&
           a.modified_ns == b.modified_ns;
  }
  friend bool operator!=(const FileSignature& a, const FileSignature& b) {
    return !(a == b);
  }
};

// SignatureOf returns `path`'s signature; NotFound when it does not exist.
absl::StatusOr<FileSignature> SignatureOf(const std::string& path);

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
//
// Durability::kFast skips the syncs: readers still see the old contents or
// the new, but a crash of the machine may bring back the old (or, on some
// file systems, an empty file). For state a reboot voids anyway.
enum class Durability { kDurable, kFast };
absl::Status ReplaceFileAtomically(
    const std::string& path, absl::string_view contents,
    Durability durability = Durability::kDurable);

// TempFileWriter returns the PID in the name of a temp file that
// ReplaceFileAtomically made for a target named `target` (".TARGET.tmp-PID-
// HEX", beside it), or 0 for any other name: a temp file whose writer is
// dead was left by a crash and can go.
int64_t TempFileWriter(absl::string_view name, absl::string_view target);

// WriteNewFile creates `path` (mode 0600) with `contents`; AlreadyExists
// when a file of that name exists, which is left as it was. Not synced.
absl::Status WriteNewFile(const std::string& path, absl::string_view contents);

// EnsurePrivateDirectory creates `path` (and missing parents) with mode 0700
// if absent, whatever the umask, then checks it: not a symlink, a
// directory, owned by the calling (effective) user, not writable by group
// or others.
// FailedPrecondition with the reason otherwise. Only `path` itself is
// checked: symlinks among its parents (macOS /var, say) are fine. Windows
// refuses reparse points (symlinks, junctions) and non-directories; the
// directory inherits its parent's ACL and its owner is not checked.
absl::Status EnsurePrivateDirectory(const std::string& path);

// PerUserDirectory returns the directory where per-user state called `name`
// lives on this machine, the same for every process of the user whatever
// its environment (a desktop session, cron, ssh, su, a systemd service, a
// build sandbox without HOME): it derives from the effective user id and
// the machine, never from environment variables.
//   Linux:   /dev/shm/NAME-UID (a tmpfs every Linux has, shared by build
//            sandboxes; cleared at boot); /tmp/NAME-UID where /dev/shm is
//            missing or a symbolic link.
//   macOS:   /private/tmp/NAME-UID.
//   Windows: the user's local application data folder (the Known Folder
//            FOLDERID_LocalAppData, from the user's profile) + NAME.
// It does not create the directory; EnsurePrivateDirectory does.
absl::StatusOr<std::string> PerUserDirectory(absl::string_view name);

// JoinPath joins two path components with the OS separator, adding one only
// where neither side has it ("a/" + "/b" is "a/b"). An empty side gives the
// other. `b` is appended even when it is absolute.
std::string JoinPath(absl::string_view a, absl::string_view b);

}  // namespace berth::platform

#endif  // BERTH_PLATFORM_FILE_H_
