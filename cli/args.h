// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// cli/args.h: the command line's small argument parser. Abseil's flags are
// process-wide and know no subcommands, so each berth command declares its
// own flags here and gets them parsed, with errors worded for people.

#ifndef BERTH_CLI_ARGS_H_
#define BERTH_CLI_ARGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace berth::cli {

struct FlagSpec {
  const char* name;  // without the leading "--"
  bool takes_value;
};

struct Args {
  std::vector<std::string> positional;
  // Flags seen, by name; a flag without a value maps to "".
  absl::flat_hash_map<std::string, std::string> flags;
  // Everything after a bare "--", when `stop_at_dashdash` was asked for.
  std::optional<std::vector<std::string>> command;

  bool Has(absl::string_view name) const { return flags.contains(name); }
  std::optional<std::string> Get(absl::string_view name) const;
};

// ParseArgs splits `argv` (without the program and command names) into
// flags and positional arguments. Accepts `--name value` and `--name=value`.
// Arguments that look like negative numbers ("-1") are positional, so they
// reach the command's own validation. With `stop_at_dashdash`, "--" ends
// parsing and the rest is Args::command. InvalidArgument for an unknown
// flag, a missing value, or a value given to a flag that takes none.
absl::StatusOr<Args> ParseArgs(absl::Span<const std::string> argv,
                               absl::Span<const FlagSpec> specs,
                               bool stop_at_dashdash = false);

// ParsePid parses a process ID: decimal, 1 to the largest the OS allows.
absl::StatusOr<int64_t> ParsePid(absl::string_view text);

// ParsePort parses a TCP port, 1-65535.
absl::StatusOr<uint16_t> ParsePort(absl::string_view text);

}  // namespace berth::cli

#endif  // BERTH_CLI_ARGS_H_
