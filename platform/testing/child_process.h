// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/testing/child_process.h (tests only): start a program as a
// child process without fork, so that the same test runs on Windows; most
// often the test program itself again, in a helper mode of its main().

#ifndef BERTH_PLATFORM_TESTING_CHILD_PROCESS_H_
#define BERTH_PLATFORM_TESTING_CHILD_PROCESS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace berth::platform::testing {

// SelfPath returns the path of the running program.
absl::StatusOr<std::string> SelfPath();

// ChildProcess is a started program; destroying it kills (KILL,
// TerminateProcess) and collects it if it still runs.
class ChildProcess {
 public:
  // Start runs argv[0] (a path) with the arguments argv[1...], sharing this
  // process's standard streams and environment.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::vector<std::string>& argv);

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  int64_t pid() const { return pid_; }

  // Kill ends the child at once, without collecting it.
  void Kill();

  // Wait collects the child and returns its exit code (POSIX: 128 + N when
  // killed by signal N).
  int Wait();

 private:
  ChildProcess() = default;

  int64_t pid_ = 0;
  intptr_t process_ = 0;  // Windows: the process handle
  bool collected_ = false;
  int exit_code_ = -1;
};

}  // namespace berth::platform::testing

#endif  // BERTH_PLATFORM_TESTING_CHILD_PROCESS_H_
