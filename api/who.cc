// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "api/who.h"

#include <utility>

#include "api/admin.h"


namespace berth {

absl::StatusOr<std::vector<PortUser>> Who(uint16_t port,
                                          const Options& options) {
  if (port == 0) return absl::InvalidArgumentError("port 0 is not a port");
  auto listeners = platform::FindListeners(port);
  if (!listeners.ok()) return listeners.status();
  std::optional<std::string> app;
  if (!listeners->empty()) {
    auto entries = List(options);
    if (!entries.ok()) return entries.status();
    for (const Entry& e : *entries) {
      if (e.port == port && e.state != EntryState::kStale && !e.app.empty()) {
        app = e.app;
      }
    }
  }
  std::vector<PortUser> users;
  for (platform::Listener& l : *listeners) {
    users.push_back({std::move(l), app});
  }
  return users;
}

}  // namespace berth
