// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/internal/holder.h: who the calling process is, as the registry
// records it, and the checks every allocation's input goes through.

#ifndef BERTH_API_INTERNAL_HOLDER_H_
#define BERTH_API_INTERNAL_HOLDER_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "registry/registry.h"

namespace berth::internal {

// SelfHolder is the calling process as a lease holder (Hold::kLock). Where
// its start time cannot be read (no /proc), the record says so and the
// lease lock alone vouches for it.
registry::Holder SelfHolder();

// ValidateApps checks 1 to `max` distinct, valid app names.
absl::Status ValidateApps(const std::vector<std::string>& apps, size_t max);

}  // namespace berth::internal

#endif  // BERTH_API_INTERNAL_HOLDER_H_
