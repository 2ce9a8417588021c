// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/internal/settings.h: Options with every default filled in, from the
// environment and the machine. The one place that reads BERTH_HOME,
// BERTH_RANGE, BERTH_LOCK_TIMEOUT and BERTH_SCOPE.

#ifndef BERTH_API_INTERNAL_SETTINGS_H_
#define BERTH_API_INTERNAL_SETTINGS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/options.h"
#include "registry/registry.h"

namespace berth::internal {

struct Settings {
  registry::Options registry;
  PortRange range;
  std::optional<uint16_t> port;
  std::string scope;  // "" global
};

// Resolve fills in `options`. InvalidArgument, naming the variable or
// option, for a bad value.
absl::StatusOr<Settings> Resolve(const Options& options);

// ScopeOf resolves a scope setting: nullopt looks at $BERTH_SCOPE and then
// for the git work tree around `cwd`; "" and "none" are global; anything
// else must be an absolute directory of at most 1024 bytes.
absl::StatusOr<std::string> ScopeOf(const std::optional<std::string>& setting,
                                    const std::string& cwd);

// GitWorkTree returns the nearest directory at or above `dir` that holds a
// `.git` (a directory, or a work tree's `.git` file), or "" when none does.
// Found by looking, without running git.
std::string GitWorkTree(const std::string& dir);

// Describe returns who listens on `port` in a few words, e.g. "python3
// (pid 77)", or "" when the OS does not tell. A scan of every process on
// Linux: only for reasons shown to people.
std::string DescribeListeners(uint16_t port);

}  // namespace berth::internal

#endif  // BERTH_API_INTERNAL_SETTINGS_H_
