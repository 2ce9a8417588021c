// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/process_tree.h on Linux: field 4 of /proc/PID/stat; pipes by
// the targets of /proc/PID/fd links ("pipe:[INODE]", the same for both ends).

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
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

namespace {

// LinkOf reads the symbolic link `path`, nullopt when it cannot.
std::optional<std::string> LinkOf(const std::string& path) {
  char buffer[256];
  const ssize_t n = readlink(path.c_str(), buffer, sizeof(buffer));
  if (n <= 0 || n == static_cast<ssize_t>(sizeof(buffer))) return std::nullopt;
  return std::string(buffer, static_cast<size_t>(n));
}

}  // namespace

bool CapturesOutputOf(int64_t parent, int64_t child) {
  if (parent <= 0 || child <= 0 || parent == child) return false;
  const std::optional<std::string> out =
      LinkOf(absl::StrCat("/proc/", child, "/fd/1"));
  if (!out.has_value() || !absl::StartsWith(*out, "pipe:[")) return false;
  const std::string dir = absl::StrCat("/proc/", parent, "/fd");
  DIR* fds = opendir(dir.c_str());
  if (fds == nullptr) return false;
  bool found = false;
  while (const dirent* e = readdir(fds)) {
    if (e->d_name[0] == '.') continue;
    if (LinkOf(absl::StrCat(dir, "/", e->d_name)) == out) {
      found = true;
      break;
    }
  }
  closedir(fds);
  return found;
}

}  // namespace berth::platform
