// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The berth command line: see cli/commands.h.

#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "api/run.h"
#include "cli/commands.h"

#ifndef _WIN32
#include <signal.h>
#endif

int main(int argc, char** argv) {
  // Before anything else opens a file: a closed stdin, stdout or stderr
  // must not become a lease lock that the server then writes to or closes.
  if (absl::Status s = berth::ProtectStandardStreams(); !s.ok()) return 1;
#ifndef _WIN32
  // Past a file size limit (ulimit -f) a write should fail with EFBIG and be
  // reported, not kill berth halfway through replacing the registry.
  signal(SIGXFSZ, SIG_IGN);
#endif
  std::vector<std::string> args(argv + 1, argv + argc);
  const int status = berth::cli::Main(args, std::cout, std::cerr);
  std::cout.flush();
  return status;
}
