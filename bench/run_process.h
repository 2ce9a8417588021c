// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// bench/run_process.h: run a program to completion and measure it as a
// whole process (wall time from spawn to reaping, peak RSS), through
// bench/measure_process so the RSS is the program's own, not ours (see
// measure_process.cc for why).

#ifndef BERTH_BENCH_RUN_PROCESS_H_
#define BERTH_BENCH_RUN_PROCESS_H_

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace berth::bench {

struct ProcessRun {
  int wait_status = 0;              // as from waitpid
  std::chrono::nanoseconds wall{};  // posix_spawn to wait4
  long max_rss_kib = 0;             // ru_maxrss of the program
  long floor_rss_kib = 0;  // measure_process's own peak: max_rss_kib's floor
  std::string output;      // the program's stdout
};

// RunProcess runs `argv` (argv[0] a path; PATH is not searched) with this
// process's environment, stdin and stderr, under the `measure_process`
// binary at `launcher`.
absl::StatusOr<ProcessRun> RunProcess(const std::string& launcher,
                                      const std::vector<std::string>& argv);

// LauncherBeside returns bench/measure_process from the runfiles of the
// running binary, else from beside it (bazel-bin/bench).
std::string LauncherBeside();

}  // namespace berth::bench

#endif  // BERTH_BENCH_RUN_PROCESS_H_
