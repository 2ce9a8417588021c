// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The berth command line: see cli/commands.h.

#include <iostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/run.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  // Before anything else opens a file (see PrepareProgram).
  absl::StatusOr<std::vector<std::string>> args =
      berth::PrepareProgram(argc, argv);
  if (!args.ok()) {
    std::cerr << "berth: " << args.status().message() << "\n";
    return 2;
  }
  const int status = berth::cli::Main(*args, std::cout, std::cerr);
  std::cout.flush();
  return status;
}
