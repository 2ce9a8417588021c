// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "api/internal/holder.h"

#include "absl/strings/str_cat.h"
#include "api/options.h"
#include "platform/process.h"

namespace berth::internal {

registry::Holder SelfHolder() {
  const platform::ProcessInspector& os = platform::SystemProcessInspector();
  registry::Holder holder;
  if (auto self = os.Self(); self.ok()) {
    holder.identity = *self;
  } else {
    holder.identity.pid = platform::CurrentProcessId();
    holder.start_known = false;
  }
  if (auto ns = os.SelfPidNamespace(); ns.ok()) holder.pid_namespace = *ns;
  holder.hold = registry::Hold::kLock;
  return holder;
}

absl::Status ValidateApps(const std::vector<std::string>& apps, size_t max) {
  if (apps.empty()) return absl::InvalidArgumentError("no app name given");
  if (apps.size() > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        apps.size(), " app names given; at most ", max, " at once"));
  }
  for (size_t i = 0; i < apps.size(); ++i) {
    if (absl::Status s = ValidateAppName(apps[i]); !s.ok()) return s;
    for (size_t j = 0; j < i; ++j) {
      if (apps[i] == apps[j]) {
        return absl::InvalidArgumentError(
            absl::StrCat("app \"", apps[i], "\" is named twice"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace berth::internal
