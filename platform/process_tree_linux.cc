// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/process_tree.h on Linux: field 4 of /proc/PID/stat.

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/proc_stat.h"
#include "platform/process_tree.h"

namespace berth::platform {

absl::StatusOr<int64_t> ParentOf(int64_t pid) {
  if (pid <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("process id must be positive, got ", pid));
  }
  const std::string path = absl::StrCat("/proc/", pid, "/stat");
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError(absl::StrCat("process ", pid, " is gone"));
  }
  std::ostringstream text;
  text << file.rdbuf();
  absl::StatusOr<internal::ProcStat> stat = internal::ParseProcStat(text.str());
  if (!stat.ok()) {
    return absl::InternalError(
        absl::StrCat("read ", path, ": ", stat.status().message()));
  }
  return stat->ppid;
}

}  // namespace berth::platform
