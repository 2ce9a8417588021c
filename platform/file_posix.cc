// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/file.h for Linux and macOS: flock and fcntl locks, the steps of
// an atomic replace (internal/file_ops.h: open O_EXCL, write, fsync or
// F_FULLFSYNC, rename, fsync of the directory), mkdir with lstat checks.
// Every descriptor is opened close-on-exec.

#include "platform/internal/file_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "platform/file.h"
#include "platform/internal/file_ops.h"
#include "platform/internal/posix.h"

namespace berth::platform {
namespace {

// OpenAboveStandardStreams is open(2) retried on EINTR, close-on-exec,
// never on 0-2; -1 with errno on failure.
int OpenAboveStandardStreams(const std::string& path, int flags,
                             mode_t mode = 0) {
  return internal::MoveAboveStandardStreams(
      internal::OpenFile(path.c_str(), flags, mode));
}

// CloseFile closes `fd` and says whether close reported an error (NFS
// reports deferred write errors there). Not retried on EINTR: Linux and
// macOS have released the descriptor by then.
int CloseFile(int fd) { return close(fd); }

// SyncFile makes the file's data durable. On macOS fsync only reaches the
// drive's cache; F_FULLFSYNC flushes the drive too, and where a file system
// refuses it (some network ones), fsync is the best there is.
int SyncFile(int fd) {
#ifdef F_FULLFSYNC
  if (fcntl(fd, F_FULLFSYNC) == 0) return 0;
#endif
  int rc;
  do {
    rc = fsync(fd);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

// WriteAll writes all of `data`, resuming after short writes and EINTR.
int WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const size_t chunk = std::min<size_t>(data.size(), size_t{1} << 30);
    ssize_t n = write(fd, data.data(), chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) {  // no progress and no error: give up rather than spin
      errno = EIO;
      return -1;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

// ParentDirectory returns the directory part of `path` ("." for a bare name).
std::string ParentDirectory(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

// --- FileLock ---------------------------------------------------------------

namespace {

// The kThisProcess locks this process holds, by path: record locks do not
// exclude the threads of one process from each other, so this does.
absl::Mutex held_here_mu(absl::kConstInit);
absl::flat_hash_set<std::string>* held_here ABSL_GUARDED_BY(held_here_mu) =
    nullptr;

// TryClaimHere marks `path` as locked by this process unless it already is.
bool TryClaimHere(const std::string& path) {
  absl::MutexLock lock(&held_here_mu);
  if (held_here == nullptr) held_here = new absl::flat_hash_set<std::string>;
  return held_here->insert(path).second;
}

void UnclaimHere(const std::string& path) {
  absl::MutexLock lock(&held_here_mu);
  if (held_here != nullptr) held_here->erase(path);
}

// TryLockFd tries once to lock `fd`: 0, or -1 with errno (EWOULDBLOCK when
// someone else holds it).
int TryLockFd(int fd, FileLock::Kind kind) {
  int rc;
  do {
    if (kind == FileLock::Kind::kShared) {
      rc = flock(fd, LOCK_EX | LOCK_NB);
    } else if (kind == FileLock::Kind::kReader) {
      rc = flock(fd, LOCK_SH | LOCK_NB);
    } else {
      struct flock whole;
      std::memset(&whole, 0, sizeof(whole));
      whole.l_type = F_WRLCK;
      whole.l_whence = SEEK_SET;  // l_start 0, l_len 0: the whole file
      rc = fcntl(fd, F_SETLK, &whole);
      if (rc != 0 && errno == EACCES) errno = EWOULDBLOCK;  // POSIX allows it
    }
  } while (rc != 0 && errno == EINTR);
  return rc;
}

}  // namespace

absl::StatusOr<FileLock> FileLock::Lock(const std::string& path,
                                        absl::Duration timeout, Kind kind) {
  int fd = OpenAboveStandardStreams(path, O_RDWR | O_CREAT, 0600);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));

  // Polled, not blocking: a blocking flock could only be cut short by a
  // signal or a thread, and berth uses neither.
  absl::Status locked =
      internal::WaitForLock(timeout, path, [&]() -> absl::StatusOr<bool> {
        if (kind == Kind::kThisProcess && !TryClaimHere(path)) return false;
        if (TryLockFd(fd, kind) == 0) return true;
        const int err = errno;
        if (kind == Kind::kThisProcess) UnclaimHere(path);
        if (err == EWOULDBLOCK) return false;
        return absl::ErrnoToStatus(
            err,
            absl::StrCat(kind == Kind::kShared ? "flock " : "fcntl ", path));
      });
  if (!locked.ok()) {
    CloseFile(fd);
    return locked;
  }
  return FileLock(path, fd, kind, getpid());
}

absl::StatusOr<FileLock> FileLock::TryLock(const std::string& path,
                                           bool create) {
  int fd = create ? OpenAboveStandardStreams(path, O_RDWR | O_CREAT, 0600)
                  : OpenAboveStandardStreams(path, O_RDWR);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  return TryOnce(fd, path, Kind::kShared);
}

absl::StatusOr<FileLock> FileLock::TryLockForReading(const std::string& path) {
  int fd = OpenAboveStandardStreams(path, O_RDONLY);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  return TryOnce(fd, path, Kind::kReader);
}

absl::StatusOr<FileLock> FileLock::TryOnce(intptr_t handle,
                                           const std::string& path, Kind kind) {
  const int fd = static_cast<int>(handle);
  if (TryLockFd(fd, kind) != 0) {
    absl::Status status =
        errno == EWOULDBLOCK
            ? absl::UnavailableError(
                  absl::StrCat("the lock on ", path, " is held"))
            : absl::ErrnoToStatus(errno, absl::StrCat("flock ", path));
    CloseFile(fd);
    return status;
  }
  return FileLock(path, fd, kind, getpid());
}

void FileLock::Unlock() {
  if (handle_ == -1) return;
  const int fd = static_cast<int>(handle_);
  handle_ = -1;
  const bool here = owner_pid_ == getpid();
  if (kind_ == Kind::kThisProcess) {
    // Record locks go with the process; a child never had this one.
    if (here) {
      struct flock whole;
      std::memset(&whole, 0, sizeof(whole));
      whole.l_type = F_UNLCK;
      whole.l_whence = SEEK_SET;
      fcntl(fd, F_SETLK, &whole);
      UnclaimHere(path_);
    }
    CloseFile(fd);
    return;
  }
  // close, not flock(LOCK_UN): the lock belongs to the open file description,
  // which a child given the descriptor by SetInheritable + exec (or by fork)
  // shares, and LOCK_UN would release it for that child too. Closing drops
  // the lock once no descriptor (or mapping) of it is left.
  if (mapping_ != nullptr) {
    // A forked child has no copy of the mapping (it is not inherited), and
    // may have mapped something else at that address since.
    if (here) internal::UnmapLockHold(mapping_);
    mapping_ = nullptr;
  }
  CloseFile(fd);
}

bool FileLock::TakenHere() const {
  return handle_ != -1 && owner_pid_ == getpid();
}

absl::StatusOr<bool> FileLock::HoldPastClose() {
  if (handle_ == -1 || kind_ != Kind::kShared) {
    return absl::FailedPreconditionError(
        absl::StrCat("HoldPastClose: no shared lock held on ", path_));
  }
  if (mapping_ != nullptr) return true;
  absl::StatusOr<void*> mapping =
      internal::MapLockHold(static_cast<int>(handle_), path_);
  if (!mapping.ok()) return mapping.status();
  mapping_ = *mapping;
  return mapping_ != nullptr;
}

absl::StatusOr<std::string> FileLock::ReadContents(int64_t max_bytes) const {
  if (handle_ == -1) {
    return absl::FailedPreconditionError(
        absl::StrCat("ReadContents: no lock held on ", path_));
  }
  internal::ReadLimits limits;
  limits.chunk = 4096;
  limits.max_bytes = static_cast<size_t>(std::max<int64_t>(max_bytes, 0));
  limits.from_offset_zero = true;
  std::string contents;
  if (absl::Status status = internal::ReadAll(static_cast<int>(handle_), path_,
                                              limits, &contents);
      !status.ok()) {
    return status;
  }
  if (static_cast<int64_t>(contents.size()) > max_bytes) {
    return absl::FailedPreconditionError(
        absl::StrCat(path_, " is over the limit of ", max_bytes, " bytes"));
  }
  return contents;
}

absl::Status FileLock::WriteContents(absl::string_view contents) {
  if (handle_ == -1 || kind_ == Kind::kReader) {
    return absl::FailedPreconditionError(
        absl::StrCat("WriteContents: no exclusive lock held on ", path_));
  }
  const int fd = static_cast<int>(handle_);
  // Emptied first: a writer killed halfway leaves an empty file (nobody on
  // file), never the head of one record over the tail of another.
  int rc;
  do {
    rc = ftruncate(fd, 0);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0)
    return absl::ErrnoToStatus(errno, absl::StrCat("truncate ", path_));
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = pwrite(fd, contents.data() + done, contents.size() - done,
                             static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return absl::ErrnoToStatus(n < 0 ? errno : EIO,
                                 absl::StrCat("write ", path_));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<intptr_t> FileLock::SetInheritable() {
  if (handle_ == -1 || kind_ == Kind::kReader) {
    return absl::FailedPreconditionError(
        absl::StrCat("SetInheritable: no exclusive lock held on ", path_));
  }
  const int fd = static_cast<int>(handle_);
  const int flags = fcntl(fd, F_GETFD);
  if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("fcntl F_SETFD ", path_));
  }
  return handle_;
}

// --- Whole files ------------------------------------------------------------

absl::StatusOr<FileSignature> SignatureOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("stat ", path));
  }
  FileSignature sig;
  sig.device = static_cast<uint64_t>(st.st_dev);
  sig.inode = static_cast<uint64_t>(st.st_ino);
  sig.size = static_cast<uint64_t>(st.st_size);
#ifdef __APPLE__
  sig.modified_ns =
      int64_t{st.st_mtimespec.tv_sec} * 1000000000 + st.st_mtimespec.tv_nsec;
#else
  sig.modified_ns =
      int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
#endif
  return sig;
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             int64_t max_bytes) {
  if (max_bytes < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ReadFileToString ", path, ": max_bytes ", max_bytes, " is negative"));
  }
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
  // writer, for good (it reads as empty instead); regular files ignore it.
  int fd = OpenAboveStandardStreams(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  auto too_big = [&](int64_t size) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " is ", size, " bytes or more, over the limit of ", max_bytes));
  };
  struct stat st;
  if (fstat(fd, &st) != 0) {
    absl::Status status =
        absl::ErrnoToStatus(errno, absl::StrCat("fstat ", path));
    CloseFile(fd);
    return status;
  }
  if (S_ISREG(st.st_mode) && st.st_size > max_bytes) {
    CloseFile(fd);
    return too_big(st.st_size);
  }
  std::string contents;
  if (S_ISREG(st.st_mode)) contents.reserve(static_cast<size_t>(st.st_size));
  // Read to the end, not to st_size: the file may change size meanwhile, and
  // /proc files say 0.
  internal::ReadLimits limits;
  limits.max_bytes = static_cast<size_t>(max_bytes);
  absl::Status status = internal::ReadAll(fd, path, limits, &contents);
  CloseFile(fd);
  if (!status.ok()) return status;
  if (static_cast<int64_t>(contents.size()) > max_bytes) {
    return too_big(static_cast<int64_t>(contents.size()));
  }
  return contents;
}

// --- The steps of ReplaceFileAtomically and WriteNewFile -------------------

namespace internal {
namespace {

class PosixFileOps final : public FileOps {
 public:
  absl::StatusOr<intptr_t> CreateNew(const std::string& path) const override {
    const int fd =
        OpenAboveStandardStreams(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
      return absl::ErrnoToStatus(errno, absl::StrCat("create ", path));
    // The mode is 0600 whatever the umask.
    if (fchmod(fd, 0600) != 0) {
      absl::Status status =
          absl::ErrnoToStatus(errno, absl::StrCat("fchmod ", path));
      CloseFile(fd);
      unlink(path.c_str());
      return status;
    }
    return fd;
  }

  absl::Status Write(intptr_t file, absl::string_view data,
                     const std::string& path) const override {
    // A write past RLIMIT_FSIZE raises SIGXFSZ, which kills the process
    // unless ignored (the CLI ignores it); ignored, it fails with EFBIG.
    if (WriteAll(static_cast<int>(file), data) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("write ", path));
    }
    return absl::OkStatus();
  }

  absl::Status Sync(intptr_t file, const std::string& path) const override {
    if (SyncFile(static_cast<int>(file)) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("fsync ", path));
    }
    return absl::OkStatus();
  }

  absl::Status Close(intptr_t file, const std::string& path) const override {
    if (CloseFile(static_cast<int>(file)) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("close ", path));
    }
    return absl::OkStatus();
  }

  absl::Status Rename(const std::string& from, const std::string& to,
                      Durability, bool* transient) const override {
    *transient = false;
    if (rename(from.c_str(), to.c_str()) != 0) {
      return absl::ErrnoToStatus(errno,
                                 absl::StrCat("rename ", from, " to ", to));
    }
    return absl::OkStatus();
  }

  void Remove(const std::string& path) const override { unlink(path.c_str()); }

  absl::Status SyncDirectoryOf(const std::string& path) const override {
    const std::string directory = ParentDirectory(path);
    const int fd = OpenAboveStandardStreams(directory, O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
      return absl::ErrnoToStatus(
          errno, absl::StrCat("open ", directory, " (to sync the replace of ",
                              path, ")"));
    }
    int rc;
    do {
      rc = fsync(fd);
    } while (rc != 0 && errno == EINTR);
    const int sync_errno = errno;
    CloseFile(fd);
    // EINVAL: the file system cannot sync directories (some FUSE ones).
    if (rc != 0 && sync_errno != EINVAL) {
      return absl::ErrnoToStatus(
          sync_errno,
          absl::StrCat("fsync ", directory, " (after replacing ", path, ")"));
    }
    return absl::OkStatus();
  }

  int64_t ProcessId() const override { return getpid(); }
};

}  // namespace

const FileOps& SystemFileOps() {
  static const PosixFileOps* const ops = new PosixFileOps();
  return *ops;
}

}  // namespace internal

// --- Directories ------------------------------------------------------------

absl::Status EnsurePrivateDirectory(const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("EnsurePrivateDirectory: empty path");
  }
  // A trailing slash would make lstat follow a symlink: drop it.
  std::string dir = path;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  {
    struct stat st;
    if (lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
        st.st_uid == geteuid() && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0) {
      return absl::OkStatus();  // the usual case: there already, and safe
    }
  }

  // mkdir -p, each new level 0700. An existing level is fine whatever mkdir
  // says about it (EEXIST, or EACCES/EROFS on some systems).
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i < dir.size() && dir[i] != '/') continue;
    if (dir[i - 1] == '/') continue;
    const std::string level = dir.substr(0, i);
    if (mkdir(level.c_str(), 0700) == 0) {
      // 0700 whatever the umask (one of 0777 would leave it 0000).
      if (chmod(level.c_str(), 0700) != 0) {
        return absl::ErrnoToStatus(errno, absl::StrCat("chmod ", level));
      }
      continue;
    }
    if (errno == EEXIST) continue;
    const int mkdir_errno = errno;
    struct stat st;
    if (stat(level.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
    return absl::ErrnoToStatus(mkdir_errno, absl::StrCat("mkdir ", level));
  }

  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("lstat ", dir));
  }
  if (S_ISLNK(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir,
                     " is a symbolic link; private state must live in a real "
                     "directory: remove the link"));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " exists and is not a directory"));
  }
  if (st.st_uid != geteuid()) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, " is owned by uid ", st.st_uid, ", not by this user (uid ",
        geteuid(), "): use a directory of your own"));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s is writable by other users (mode %04o), an unsafe place for "
        "private state: chmod 700 %s",
        dir, static_cast<unsigned>(st.st_mode & 07777), dir));
  }
  return absl::OkStatus();
}

void ReportFileSizeLimitAsError() { signal(SIGXFSZ, SIG_IGN); }

absl::Status OpenNullOnClosedStandardStreams() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // open returns the lowest free descriptor: this one.
    int null;
    do {
      null = open("/dev/null", O_RDWR);
    } while (null < 0 && errno == EINTR);
    if (null < 0) return absl::ErrnoToStatus(errno, "open /dev/null");
    if (null != fd) {  // another thread took it meanwhile
      close(null);
      return absl::InternalError(
          absl::StrCat("descriptor ", fd, " was taken while it was reopened"));
    }
  }
  return absl::OkStatus();
}

}  // namespace berth::platform
