// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// cli/args.h: the one argument parser every berth command uses. Abseil's
// flags are process-wide and know no subcommands, so each command declares
// its flags in the command table (cli/command.h) and gets them parsed here,
// with errors worded for people.
//
// The rules, the same for every command:
//   - `--name value` and `--name=value`; `-h` is `--help`;
//   - an argument that looks like a negative number ("-1") is an operand,
//     so it reaches the command's own validation;
//   - `--` ends the options: everything after it is an operand, so an app
//     named "-x" can be named (`berth get -- -x`);
//   - for a command that runs a program (Operands::kAppsThenCommand), the
//     `--` that follows the first operand starts the program's command
//     line: `berth run web api -- ./dev --port {port}`; a `--` before any
//     operand still only ends the options (`berth run -- -x -- CMD`).

#ifndef BERTH_CLI_ARGS_H_
#define BERTH_CLI_ARGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace berth::cli {

// Flag is one option of a command.
struct Flag {
  const char* name;   // without the leading "--"
  const char* value;  // the value's placeholder ("P"); nullptr: no value
  const char* help;   // one line for --help
  // The values it takes, space-separated, when they are a fixed set (shell
  // completion offers them; the command checks them); nullptr: any value.
  const char* choices = nullptr;
};

enum class Operands {
  kPlain,            // operands only
  kAppsThenCommand,  // APP... -- CMD ARGS...
};

struct Args {
  std::vector<std::string> positional;
  // Flags seen, by name; a flag without a value maps to "".
  absl::flat_hash_map<std::string, std::string> flags;
  // The command line after the `--` that follows the operands
  // (Operands::kAppsThenCommand), when there is one.
  std::optional<std::vector<std::string>> command;

  bool Has(absl::string_view name) const { return flags.contains(name); }
  std::optional<std::string> Get(absl::string_view name) const;
};

// ParseArgs splits `argv` (without the program and command names) by the
// rules above. InvalidArgument for an unknown flag, a flag given twice, a
// missing value, or a value given to a flag that takes none. "help" is
// always known.
absl::StatusOr<Args> ParseArgs(absl::Span<const std::string> argv,
                               absl::Span<const Flag> flags,
                               Operands operands = Operands::kPlain);

// ParsePid parses a process ID: decimal, 1 to the largest the OS allows.
absl::StatusOr<int64_t> ParsePid(absl::string_view text);

// ParsePort parses a TCP port, 1-65535.
absl::StatusOr<uint16_t> ParsePort(absl::string_view text);

// ParseSeconds parses a duration in seconds: digits with an optional
// decimal point ("30", "0.5"), at most a day.
absl::StatusOr<absl::Duration> ParseSeconds(absl::string_view text);

}  // namespace berth::cli

#endif  // BERTH_CLI_ARGS_H_
