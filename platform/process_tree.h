// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/process_tree.h: which process started which.
//
// ParentOf reads a process's parent as the OS records it now:
//   - Linux: field 4 of /proc/PID/stat (0 for a process whose parent lives
//     outside the caller's PID namespace);
//   - macOS: proc_pidinfo(PROC_PIDTBSDINFO) pbi_ppid;
//   - Windows: the toolhelp snapshot's th32ParentProcessID. Windows keeps a
//     parent's PID after the parent exits, and may give that PID to a new
//     process: a "parent" created after its child is not the parent, and
//     ParentOf says 0 then.
// IsDescendantOf walks those links upwards. Both are snapshots: a process
// may exit or be re-parented (to init, or a subreaper) a moment later.
//
// This library knows nothing of registries or apps.

#ifndef BERTH_PLATFORM_PROCESS_TREE_H_
#define BERTH_PLATFORM_PROCESS_TREE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "platform/process.h"

namespace berth::platform {

// ParentOf returns the PID of `pid`'s parent, 0 when it has none this
// process can name (see above). NotFound when `pid` is gone;
// InvalidArgument for pid <= 0.
absl::StatusOr<int64_t> ParentOf(int64_t pid);

// IsDescendantOf says whether `pid` is `ancestor` itself or one of its
// descendants: a process whose chain of parents (at most 256 links) reaches
// `ancestor.pid` while `ancestor` still runs with its start token (where it
// can be read). False when a link cannot be read.
bool IsDescendantOf(int64_t pid, const ProcessIdentity& ancestor);

// CapturesOutputOf says whether `parent` holds the other end of the pipe
// that is `child`'s standard output: `child` runs for a shell's command
// substitution, `$(...)`, whose result `parent` is waiting to read. Linux
// compares the pipe inodes of /proc/CHILD/fd/1 and /proc/PARENT/fd/*; on
// macOS and Windows, and whenever a link cannot be read, false.
bool CapturesOutputOf(int64_t parent, int64_t child);

}  // namespace berth::platform

#endif  // BERTH_PLATFORM_PROCESS_TREE_H_
