// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/file.h for Linux: the per-user directory on /dev/shm, and the
// memory mapping that keeps a flock held past close.

#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "platform/file.h"
#include "platform/internal/file_posix.h"

namespace berth::platform {

absl::StatusOr<std::string> PerUserDirectory(absl::string_view name) {
  // /dev/shm is a tmpfs on every Linux (systemd or not), writable by all
  // with the sticky bit, cleared at boot like the leases recorded in it,
  // and shared into build sandboxes (Bazel mounts it writable). A symlink
  // there (older Debian: /dev/shm -> /run/shm) is not followed.
  struct stat st;
  const bool shm = lstat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode);
  return absl::StrCat(shm ? "/dev/shm/" : "/tmp/", name, "-", geteuid());
}

namespace internal {

absl::StatusOr<void*> MapLockHold(int fd, const std::string& path) {
  const long page = sysconf(_SC_PAGESIZE);
  // The mapping holds a reference to the open file, so the kernel keeps its
  // flock until the mapping goes too. PROT_NONE: it is never read; mapping
  // past the end of the file is allowed.
  void* mapping = mmap(nullptr, static_cast<size_t>(page > 0 ? page : 4096),
                       PROT_NONE, MAP_SHARED, fd, 0);
  if (mapping == MAP_FAILED) {
    return absl::ErrnoToStatus(errno, absl::StrCat("mmap ", path));
  }
  // A forked child must not keep the lock behind the holder's back.
  madvise(mapping, static_cast<size_t>(page > 0 ? page : 4096), MADV_DONTFORK);
  return mapping;
}

void UnmapLockHold(void* mapping) {
  const long page = sysconf(_SC_PAGESIZE);
  munmap(mapping, static_cast<size_t>(page > 0 ? page : 4096));
}

}  // namespace internal
}  // namespace berth::platform
