// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/process_tree.h on macOS: proc_pidinfo(PROC_PIDTBSDINFO). This
// file cannot be built on the Linux machines berth is developed on.

#include <errno.h>
#include <libproc.h>
#include <sys/proc_info.h>

#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "platform/process_tree.h"

namespace berth::platform {

absl::StatusOr<int64_t> ParentOf(int64_t pid) {
  if (pid <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("process id must be positive, got ", pid));
  }
  struct proc_bsdinfo info;
  std::memset(&info, 0, sizeof(info));
  const int n = proc_pidinfo(static_cast<int>(pid), PROC_PIDTBSDINFO, 0, &info,
                             static_cast<int>(sizeof(info)));
  if (n != static_cast<int>(sizeof(info))) {
    if (errno == ESRCH) {
      return absl::NotFoundError(absl::StrCat("process ", pid, " is gone"));
    }
    return absl::ErrnoToStatus(errno, absl::StrCat("proc_pidinfo ", pid));
  }
  return static_cast<int64_t>(info.pbi_ppid);
}

// Command substitutions are not recognized here (see process_tree.h).
bool CapturesOutputOf(int64_t, int64_t) { return false; }

}  // namespace berth::platform
