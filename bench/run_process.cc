// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "bench/run_process.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

extern char** environ;

namespace berth::bench {

absl::StatusOr<ProcessRun> RunProcess(const std::string& launcher,
                                      const std::vector<std::string>& argv) {
  if (argv.empty()) return absl::InvalidArgumentError("RunProcess: no argv");
  std::vector<char*> args = {const_cast<char*>(launcher.c_str())};
  for (const std::string& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 clears close-on-exec on the new descriptor 1.
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  pid_t pid = 0;
  const int rc =
      posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return absl::ErrnoToStatus(rc, absl::StrCat("posix_spawn ", launcher));
  }
  std::string text;
  char buffer[512];
  for (;;) {
    const ssize_t n = read(out[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  pid_t waited;
  do {
    waited = waitpid(pid, &status, 0);
  } while (waited < 0 && errno == EINTR);
  if (waited != pid) return absl::ErrnoToStatus(errno, "waitpid");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrCat(launcher, " failed (wait status ", status, ")"));
  }

  // "WALL_NS MAX_RSS_KIB WAIT_STATUS SELF_MAX_RSS_KIB\n" + the output.
  const size_t eol = text.find('\n');
  const std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(text).substr(0, eol), ' ');
  ProcessRun run;
  int64_t wall = 0;
  if (eol == std::string::npos || fields.size() != 4 ||
      !absl::SimpleAtoi(fields[0], &wall) ||
      !absl::SimpleAtoi(fields[1], &run.max_rss_kib) ||
      !absl::SimpleAtoi(fields[2], &run.wait_status) ||
      !absl::SimpleAtoi(fields[3], &run.floor_rss_kib)) {
    return absl::InternalError(
        absl::StrCat(launcher, " printed \"", text, "\""));
  }
  run.wall = std::chrono::nanoseconds(wall);
  run.output = text.substr(eol + 1);
  return run;
}

std::string LauncherBeside() {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return "measure_process";
  const std::string exe(self, static_cast<size_t>(n));
  const std::string runfiles = exe + ".runfiles/berth/bench/measure_process";
  if (access(runfiles.c_str(), X_OK) == 0) return runfiles;
  return exe.substr(0, exe.rfind('/') + 1) + "measure_process";
}

}  // namespace berth::bench
