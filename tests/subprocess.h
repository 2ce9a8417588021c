// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// tests/subprocess.h: programs a test starts, on every OS, without fork()
// (posix_spawn on POSIX, CreateProcessW on Windows), so that the same test
// runs on Windows too. A program's stdout and stderr can go to files, and
// the programs and the test talk through files in a directory of the
// test's own. For tests only: failures are reported, not recovered from.

#ifndef BERTH_TESTS_SUBPROCESS_H_
#define BERTH_TESTS_SUBPROCESS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace berth::tests {

// Subprocess is a started program, killed and collected when destroyed.
class Subprocess {
 public:
  struct Options {
    std::string stdout_path;  // empty: the test's own stdout
    std::string stderr_path;  // empty: the test's own stderr
  };

  // Start runs the program at path argv[0] (not looked up on PATH; a
  // relative path is taken from the current directory) with `argv`.
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(
      const std::vector<std::string>& argv, const Options& options);
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(
      const std::vector<std::string>& argv) {
    return Start(argv, Options());
  }

  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();

  int64_t pid() const { return pid_; }

  // Kill ends the program at once (SIGKILL; TerminateProcess with 137, the
  // status a shell gives a SIGKILLed program), without collecting it.
  void Kill();

  // Wait collects the program and returns its exit status: 128 + N for a
  // POSIX program killed by signal N, as shells say.
  int Wait();

  // WaitFor is Wait that gives up after `timeout` (nullopt then; the program
  // runs on).
  std::optional<int> WaitFor(absl::Duration timeout);

 private:
  Subprocess() = default;

  int64_t pid_ = 0;
  std::optional<int> exit_status_;
  void* process_ = nullptr;  // Windows: the process handle
};

// TestDirectory returns a new empty directory for the running test (named
// after it, under TEST_TMPDIR), or "" when it cannot be made.
std::string TestDirectory();

// WaitForFile waits until `path` exists; false after `timeout`.
bool WaitForFile(const std::string& path, absl::Duration timeout);

// KillProcess ends process `pid` at once, as Subprocess::Kill does.
absl::Status KillProcess(int64_t pid);

// ProgramPath returns an absolute path to the running test program;
// `argv0` is main's argv[0] (Windows asks the OS instead).
std::string ProgramPath(const char* argv0);

// RunsUnderWine says whether this is a Windows program running under wine
// (always false elsewhere), for the few things wine cannot show.
bool RunsUnderWine();

}  // namespace berth::tests

#endif  // BERTH_TESTS_SUBPROCESS_H_
