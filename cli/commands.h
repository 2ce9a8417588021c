// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// cli/commands.h: the berth command line. Parses arguments, calls the API,
// prints. Exit status: 0 success, 1 a runtime failure, 2 bad input; every
// error is one line on stderr starting "berth: ".

#ifndef BERTH_CLI_COMMANDS_H_
#define BERTH_CLI_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "cli/command.h"

namespace berth::cli {

// Main runs the command line `argv` (without the program name), printing
// results to `out` and one-line `berth: ...` errors to `err`.
int Main(const std::vector<std::string>& argv, std::ostream& out,
         std::ostream& err);

// Commands returns the command table, in the order `berth --help` lists
// it.
absl::Span<const Command> Commands();

}  // namespace berth::cli

#endif  // BERTH_CLI_COMMANDS_H_
