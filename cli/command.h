// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// cli/command.h: what a berth command is. Every command is one row of the
// command table (cli/commands.cc): its name, operands, one-line summary,
// help text, flags and handler. Dispatch, `berth --help`, `berth COMMAND
// --help`, argument parsing (cli/args.h) and the operand count are all
// driven by that row, so a command cannot be listed without being
// dispatched, or documented with other flags than it takes.
//
// A handler gets an Invocation: its parsed arguments, its output streams,
// and the one way to report an error (Fail: one line, escaped, with the
// exit status the error's kind calls for).

#ifndef BERTH_CLI_COMMAND_H_
#define BERTH_CLI_COMMAND_H_

#include <cstddef>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "api/options.h"
#include "cli/args.h"

namespace berth::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

class Invocation;

struct Command {
  const char* name;
  const char* operands;  // for usage lines: "APP...", "" for none
  const char* summary;   // one line for `berth --help`
  const char* help;      // paragraphs for `berth NAME --help`
  absl::Span<const Flag> flags;
  Operands kind;
  size_t min_operands;
  size_t max_operands;
  int (*run)(Invocation& call);
};

// The flags several commands share, spelled once.
inline constexpr Flag kRegistryFlag = {
    "registry", "DIR",
    "the registry directory (default $BERTH_HOME, else the per-user one)"};
inline constexpr Flag kScopeFlag = {
    "scope", "DIR",
    "the scope apps live in (default $BERTH_SCOPE, else the git work tree "
    "of the current directory; none: global)"};
inline constexpr Flag kJsonFlag = {"json", nullptr, "print JSON"};

class Invocation {
 public:
  Invocation(const Command& command, Args args, std::ostream& out,
             std::ostream& err)
      : command_(command), args_(std::move(args)), out_(out), err_(err) {}

  const Command& command() const { return command_; }
  const Args& args() const { return args_; }
  std::ostream& out() { return out_; }

  // Fail prints `status` as the one error line and returns the exit
  // status: 2 (kExitUsage) for InvalidArgument, else 1.
  int Fail(const absl::Status& status);

  // Usage prints `message` with a pointer to the command's help and
  // returns 2.
  int Usage(absl::string_view message);

  // Note prints one line on stderr ("berth: NAME: message"), escaped.
  void Note(absl::string_view message);

  // Options returns the settings of --registry and --scope (for commands
  // that take them); InvalidArgument for a bad value.
  absl::StatusOr<Options> CommonOptions() const;

  // FlushOutput flushes the output and says whether everything written to
  // it so far got out; when not, it prints the error line (once).
  bool FlushOutput();

 private:
  const Command& command_;
  const Args args_;
  std::ostream& out_;
  std::ostream& err_;
  bool output_failure_reported_ = false;
};

}  // namespace berth::cli

#endif  // BERTH_CLI_COMMAND_H_
