// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/proc_stat.h: pure parsers of Linux /proc/PID text.
//
// These take the bytes of a /proc file and return what berth needs from it;
// they never touch the file system, so tests feed them captured and hostile
// lines. A process name (comm) may hold any byte but NUL, including spaces,
// '(' and ')': /proc/PID/stat is therefore split at the LAST ')'.

#ifndef BERTH_PLATFORM_INTERNAL_PROC_STAT_H_
#define BERTH_PLATFORM_INTERNAL_PROC_STAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::platform::internal {

// ProcStat holds the fields of /proc/PID/stat that berth reads.
struct ProcStat {
  int64_t pid = 0;           // field 1
  std::string name;          // field 2, without the parentheses
  char state = '?';          // field 3: R, S, D, Z, X, T, t, I, ...
  int64_t ppid = 0;          // field 4
  uint64_t flags = 0;        // field 9: PF_* flags of the kernel task
  int64_t num_threads = 0;   // field 20
  uint64_t start_ticks = 0;  // field 22: clock ticks after boot
  // field 38: the signal its parent gets when it exits; -1 for a thread
  // that is not its process's main thread (CLONE_THREAD).
  int64_t exit_signal = 0;
};

// kProcessFlagKernelThread is PF_KTHREAD in ProcStat::flags.
inline constexpr uint64_t kProcessFlagKernelThread = 0x00200000;

// ParseProcStat parses one /proc/PID/stat line (a trailing newline is
// allowed). InvalidArgument when the line is empty, truncated before field
// 38, or holds a field that is not a decimal number in range.
absl::StatusOr<ProcStat> ParseProcStat(absl::string_view line);


// ParseProcStatusNSpid returns the `NSpid:` values of /proc/PID/status
// text: the process's PID in each PID namespace it belongs to, from the
// namespace of the /proc mount down to its own (the last). InvalidArgument
// when the line is missing (kernels before 4.1) or malformed.
absl::StatusOr<std::vector<int64_t>> ParseProcStatusNSpid(
    absl::string_view status);

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_PROC_STAT_H_
