// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// cli/commands.h: the berth command line. Parses arguments, calls the API,
// prints. Exit status: 0 success, 1 a runtime failure, 2 bad input.

#ifndef BERTH_CLI_COMMANDS_H_
#define BERTH_CLI_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

namespace berth::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Main runs the command line `argv` (without the program name), printing
// results to `out` and one-line `berth: ...` errors to `err`.
int Main(const std::vector<std::string>& argv, std::ostream& out,
         std::ostream& err);

// The commands, each given the arguments after its name.
int InspectCommand(const std::vector<std::string>& argv, std::ostream& out,
                   std::ostream& err);
int GetCommand(const std::vector<std::string>& argv, std::ostream& out,
               std::ostream& err);
int ReleaseCommand(const std::vector<std::string>& argv, std::ostream& out,
                   std::ostream& err);
int ListCommand(const std::vector<std::string>& argv, std::ostream& out,
                std::ostream& err);
int RunCommand(const std::vector<std::string>& argv, std::ostream& out,
               std::ostream& err);
int WhoCommand(const std::vector<std::string>& argv, std::ostream& out,
               std::ostream& err);
int PruneCommand(const std::vector<std::string>& argv, std::ostream& out,
                 std::ostream& err);

}  // namespace berth::cli

#endif  // BERTH_CLI_COMMANDS_H_
