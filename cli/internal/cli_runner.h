// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// cli/internal/cli_runner.h (tests only): run berth's command line in this
// process through cli::Main, or in a child process (this test program
// started again, no fork, so Windows runs it too), and check what it
// printed.

#ifndef BERTH_CLI_INTERNAL_CLI_RUNNER_H_
#define BERTH_CLI_INTERNAL_CLI_RUNNER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "platform/testing/child_process.h"

namespace berth::cli::testing {

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

// RunCli runs cli::Main(argv) here.
Result RunCli(const std::vector<std::string>& argv);

// IsOneErrorLine says whether `err` is exactly one line starting "berth: ".
bool IsOneErrorLine(const std::string& err);

// TempDir returns $TEST_TMPDIR (or "."); NewDir a fresh path under it
// that does not exist yet.
std::string TempDir();
std::string NewDir(const std::string& stem);

// ReadFile returns the file's contents ("" when missing).
std::string ReadFile(const std::string& path);

// WaitForFile waits until `path` exists and returns its contents; "" after
// `timeout`. (Helpers write their files whole, by renaming.)
std::string WaitForFile(const std::string& path, absl::Duration timeout);

// HelperMain runs the helper modes a test program's main() hands over to
// when argv[1] names one, and returns its exit status; -1 when it names
// none:
//   --cli ARGS...    cli::Main(ARGS) with std::cout and std::cerr;
//   --serve FILE MS IGNORE WORDS...
//                    writes FILE: for each WORD "$NAME" a line
//                    "NAME=<its value in the environment>", for any other
//                    WORD a line "arg=WORD"; then listens on 127.0.0.1 port
//                    $PORT after MS milliseconds (never when negative),
//                    ignoring TERM when IGNORE is 1 (POSIX), and sleeps for
//                    two minutes;
//   --sleep          sleeps for two minutes and exits 3 (a process that
//                    lives, for owners).
// The cli tests' main() (cli_test_main) calls it before the tests.
int HelperMain(int argc, char** argv);

// StartCli starts this program again as `--cli ARGS...`.
absl::StatusOr<std::unique_ptr<platform::testing::ChildProcess>> StartCli(
    const std::vector<std::string>& args);

// ServeCommand is the command line of a `--serve` helper, for `berth run
// ... -- <ServeCommand>`.
std::vector<std::string> ServeCommand(const std::string& file,
                                      int listen_after_ms, bool ignore_term,
                                      const std::vector<std::string>& words);

// Server is `berth run ARGS -- <a --serve helper>` run through a `--cli`
// child: the child is berth, and (where berth execs, or stays the parent)
// the holder of the apps' ports.
struct Server {
  std::unique_ptr<platform::testing::ChildProcess> process;
  // The helper's report (see HelperMain); "" when it never started.
  std::string report;
};

// StartServer starts one and waits up to 30 s for the helper's report.
Server StartServer(const std::vector<std::string>& run_args,
                   int listen_after_ms, bool ignore_term,
                   const std::vector<std::string>& words);

// ReportValues returns the values of the report's lines "KEY=VALUE" for
// KEY, in order.
std::vector<std::string> ReportValues(const std::string& report,
                                      const std::string& key);

}  // namespace berth::cli::testing

#endif  // BERTH_CLI_INTERNAL_CLI_RUNNER_H_
