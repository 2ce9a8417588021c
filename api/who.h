// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/who.h: which process listens on a port, and does berth hold it?

#ifndef BERTH_API_WHO_H_
#define BERTH_API_WHO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/options.h"
#include "platform/listener.h"

namespace berth {

// PortUser is one listening socket on the port, with the app berth holds
// the port for (when a registry entry has it).
struct PortUser {
  platform::Listener listener;
  std::optional<std::string> app;
};

// Who returns every listener on `port` (IPv4 and IPv6). Empty: nobody
// listens. Reads the registry without changing it.
absl::StatusOr<std::vector<PortUser>> Who(uint16_t port,
                                          const Options& options = {});

}  // namespace berth

#endif  // BERTH_API_WHO_H_
