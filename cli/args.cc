// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "cli/args.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "api/inspect.h"

namespace berth::cli {
namespace {

constexpr Flag kHelpFlag = {"help", nullptr, "show this help"};

const Flag* FindFlag(absl::Span<const Flag> flags, absl::string_view name) {
  if (name == kHelpFlag.name) return &kHelpFlag;
  for (const Flag& flag : flags) {
    if (name == flag.name) return &flag;
  }
  return nullptr;
}

bool LooksNegativeNumber(absl::string_view arg) {
  return arg.size() > 1 && arg[0] == '-' && absl::ascii_isdigit(arg[1]);
}

bool IsOption(absl::string_view arg) {
  return arg.size() >= 2 && arg[0] == '-' && !LooksNegativeNumber(arg);
}

// ParseDecimal accepts only ASCII digits (no sign, no spaces) up to `max`.
bool ParseDecimal(absl::string_view text, uint64_t max, uint64_t* out) {
  if (text.empty() || text.size() > 19) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return absl::SimpleAtoi(text, out) && *out <= max;
}

}  // namespace

std::optional<std::string> Args::Get(absl::string_view name) const {
  auto it = flags.find(name);
  if (it == flags.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<Args> ParseArgs(absl::Span<const std::string> argv,
                               absl::Span<const Flag> flags,
                               Operands operands) {
  Args args;
  bool options_ended = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--") {
      if (operands == Operands::kAppsThenCommand &&
          (options_ended || !args.positional.empty())) {
        args.command.emplace(argv.begin() + i + 1, argv.end());
        break;
      }
      if (!options_ended) {
        options_ended = true;
        continue;
      }
    }
    if (options_ended || !IsOption(arg)) {
      args.positional.push_back(arg);
      continue;
    }
    absl::string_view name = arg;
    if (name == "-h") {
      name = "help";
    } else if (!absl::ConsumePrefix(&name, "--")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown option ", arg,
          " (options start with --; put -- before an operand that starts "
          "with -)"));
    }
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); eq != absl::string_view::npos) {
      value = std::string(name.substr(eq + 1));
      name = name.substr(0, eq);
    }
    const Flag* flag = FindFlag(flags, name);
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option --", name));
    }
    if (args.Has(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("option --", name, " is given twice"));
    }
    if (flag->value != nullptr && !value.has_value()) {
      if (i + 1 >= argv.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("option --", name, " needs a value (--", name, " ",
                         flag->value, ")"));
      }
      value = argv[++i];
    }
    if (flag->value == nullptr && value.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("option --", name, " takes no value"));
    }
    args.flags[name] = value.value_or("");
  }
  return args;
}

absl::StatusOr<int64_t> ParsePid(absl::string_view text) {
  constexpr uint64_t kMaxPid = berth::kMaxPid;
  uint64_t pid = 0;
  if (!ParseDecimal(text, kMaxPid, &pid) || pid == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid PID \"", text, "\": expected a number from 1 to ", kMaxPid));
  }
  return static_cast<int64_t>(pid);
}

absl::StatusOr<uint16_t> ParsePort(absl::string_view text) {
  uint64_t port = 0;
  if (!ParseDecimal(text, 65535, &port) || port == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid port \"", text, "\": expected a number from 1 to 65535"));
  }
  return static_cast<uint16_t>(port);
}

absl::StatusOr<absl::Duration> ParseSeconds(absl::string_view text) {
  constexpr double kMaxSeconds = 86400;
  const absl::Status bad = absl::InvalidArgumentError(
      absl::StrCat("invalid number of seconds \"", text,
                   "\": expected e.g. 30 or 0.5, at most 86400"));
  const size_t dot = text.find('.');
  const absl::string_view whole = text.substr(0, dot);
  const absl::string_view part =
      dot == absl::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 6 || part.size() > 9 ||
      (dot != absl::string_view::npos && part.empty())) {
    return bad;
  }
  for (char c : whole) {
    if (!absl::ascii_isdigit(c)) return bad;
  }
  for (char c : part) {
    if (!absl::ascii_isdigit(c)) return bad;
  }
  double seconds = 0;
  if (!absl::SimpleAtod(text, &seconds) || seconds > kMaxSeconds) return bad;
  return absl::Seconds(seconds);
}

}  // namespace berth::cli
