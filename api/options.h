// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/options.h: the settings every berth call takes. Unset fields come from
// the environment, then the defaults, all resolved in one place:
//   registry_dir  $BERTH_HOME, else the per-user directory of this machine
//                 (Linux /dev/shm/berth-UID, macOS /private/tmp/berth-UID,
//                 Windows %LOCALAPPDATA%\berth from the user's profile);
//   range         $BERTH_RANGE ("LO-HI"), else 8800-8999;
//   lock_timeout  $BERTH_LOCK_TIMEOUT (seconds), else 5 s;
//   scope         $BERTH_SCOPE ("none" for global), else the root of the git
//                 work tree the current directory is in, else global.

#ifndef BERTH_API_OPTIONS_H_
#define BERTH_API_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "allocator/allocator.h"

namespace berth {

// A closed range of ports, lo <= hi.
using PortRange = allocator::PortRange;

struct Options {
  std::optional<std::string> registry_dir;
  std::optional<uint16_t> port;  // ask for this port first (the first app)
  std::optional<PortRange> range;
  // How long to wait for the registry's one shared lock, taken only when an
  // app gets a port it never had (to remember it). Allocation itself never
  // waits for another.
  std::optional<absl::Duration> lock_timeout;
  // The scope app names live in: the same app in two scopes is two apps,
  // each with its own remembered port. "" or "none": global; otherwise an
  // absolute directory.
  std::optional<std::string> scope;
};

// ValidateAppName accepts 1-200 bytes without control characters.
absl::Status ValidateAppName(absl::string_view app);

// ParseRange parses "LO-HI" (1 <= LO <= HI <= 65535).
absl::StatusOr<PortRange> ParseRange(absl::string_view text);

// ResolvedScope returns the scope `options` stand for ("" is global), after
// the environment and the current directory: for showing to people.
absl::StatusOr<std::string> ResolvedScope(const Options& options);

}  // namespace berth

#endif  // BERTH_API_OPTIONS_H_
