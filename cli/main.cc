// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The berth command line: see cli/commands.h.

#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const int status = berth::cli::Main(args, std::cout, std::cerr);
  std::cout.flush();
  return status;
}
