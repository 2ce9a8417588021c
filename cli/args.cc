// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "cli/args.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "api/inspect.h"

namespace berth::cli {
namespace {

const FlagSpec* FindSpec(absl::Span<const FlagSpec> specs,
                         absl::string_view name) {
  for (const FlagSpec& spec : specs) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

bool LooksNegativeNumber(absl::string_view arg) {
  return arg.size() > 1 && arg[0] == '-' && absl::ascii_isdigit(arg[1]);
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
                               absl::Span<const FlagSpec> specs,
                               bool stop_at_dashdash) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--" && stop_at_dashdash) {
      args.command.emplace(argv.begin() + i + 1, argv.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-' || LooksNegativeNumber(arg)) {
      args.positional.push_back(arg);
      continue;
    }
    absl::string_view name = arg;
    if (absl::StartsWith(name, "--")) {
      name.remove_prefix(2);
    } else if (name == "-h") {
      name = "help";
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option ", arg, " (options start with --)"));
    }
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); eq != absl::string_view::npos) {
      value = std::string(name.substr(eq + 1));
      name = name.substr(0, eq);
    }
    const FlagSpec* spec = FindSpec(specs, name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option --", name));
    }
    if (spec->takes_value && !value.has_value()) {
      if (i + 1 >= argv.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("option --", name, " needs a value"));
      }
      value = argv[++i];
    }
    if (!spec->takes_value && value.has_value()) {
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

}  // namespace berth::cli
