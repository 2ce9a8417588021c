// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "api/admin.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "api/internal/holder.h"
#include "api/internal/settings.h"
#include "platform/process.h"
#include "registry/registry.h"

namespace berth {
namespace {

constexpr size_t kMaxGroup = 64;

EntryState ToState(registry::EntryState state) {
  switch (state) {
    case registry::EntryState::kLive:
      return EntryState::kLive;
    case registry::EntryState::kStale:
      return EntryState::kStale;
    case registry::EntryState::kUnknown:
      break;
  }
  return EntryState::kUnknown;
}

Entry ToEntry(const registry::Entry& e) {
  Entry out;
  out.port = e.record.port;
  out.app = e.record.app;
  out.scope = e.record.scope;
  out.pid = e.record.pid;
  out.start = e.record.start;
  out.since = e.record.since;
  out.hold = registry::HoldName(e.record.hold);
  out.state = ToState(e.state);
  out.why = e.why;
  return out;
}

std::vector<Entry> ToEntries(const std::vector<registry::Entry>& entries) {
  std::vector<Entry> out;
  out.reserve(entries.size());
  for (const registry::Entry& e : entries) out.push_back(ToEntry(e));
  return out;
}

// Owner checks that `pid` can own a reservation and returns it as a holder.
absl::StatusOr<registry::Holder> Owner(int64_t pid) {
  if (pid <= 0 || pid > platform::kMaxPid) {
    return absl::InvalidArgumentError(
        absl::StrCat("owner PID ", pid, " is not a process ID"));
  }
  if (pid == 1) {
    return absl::FailedPreconditionError(
        "the owner would be process 1 (init), which never exits, so the "
        "port would never be given back");
  }
  const platform::ProcessInspector& os = platform::SystemProcessInspector();
  auto status = os.Inspect(pid);
  if (!status.ok()) {
    return absl::Status(status.status().code(),
                        absl::StrCat("inspect owner process ", pid, ": ",
                                     status.status().message()));
  }
  if (status->liveness != platform::Liveness::kAlive) {
    return absl::InvalidArgumentError(
        absl::StrCat("owner process ", pid, " is not alive (",
                     platform::LivenessName(status->liveness), ")"));
  }
  if (status->kernel_thread) {
    return absl::FailedPreconditionError(absl::StrCat(
        "owner process ", pid, " is a kernel thread, which never exits"));
  }
  registry::Holder holder;
  absl::StatusOr<uint64_t> unique = os.UniqueId(pid);
  holder.identity = {pid, status->start_token.value_or(0),
                     unique.ok() ? *unique : 0};
  holder.start_known = status->start_token.has_value();
  holder.hold = registry::Hold::kPid;
  // Only the owner's PID and start time will vouch for this entry, so
  // every caller must be able to check them: no PID namespace of its own.
  auto ns = os.PidNamespace(pid);
  constexpr char kSafeWay[] =
      "; hold the port with `berth run APP -- CMD`, or from the program "
      "itself with the library (berth::Acquire, berth_acquire, the Python or "
      "Node package), which keep a kernel lock every caller can check";
  if (!ns.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot tell which PID namespace process ", pid, " lives in (",
        ns.status().message(), ")", kSafeWay));
  }
  if (!platform::IsInitialPidNamespace(*ns)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "process ", pid,
        " lives in a PID namespace of its own (a container, unshare --pid, "
        "or bazel test's sandbox), where berth callers outside it cannot "
        "tell whether it still runs",
        kSafeWay));
  }
  holder.pid_namespace = *ns;
  return holder;
}

}  // namespace

const char* EntryStateName(EntryState state) {
  switch (state) {
    case EntryState::kLive:
      return "live";
    case EntryState::kStale:
      return "stale";
    case EntryState::kUnknown:
      break;
  }
  return "unknown";
}

absl::StatusOr<std::vector<Reservation>> ReserveGroup(
    const std::vector<std::string>& apps, int64_t owner_pid,
    const Options& options) {
  if (absl::Status s = internal::ValidateApps(apps, kMaxGroup); !s.ok()) {
    return s;
  }
  auto settings = internal::Resolve(options);
  if (!settings.ok()) return settings.status();
  auto holder = Owner(owner_pid);
  if (!holder.ok()) return holder.status();
  registry::AllocateRequest request;
  request.apps = apps;
  request.scope = settings->scope;
  request.holder = *holder;
  request.wanted = settings->port;
  request.range = settings->range;
  request.reuse_existing = true;
  auto claims = registry::Registry(settings->registry).Allocate(request);
  if (!claims.ok()) return claims.status();
  std::vector<Reservation> out;
  for (registry::Claim& claim : *claims) {
    Reservation r;
    r.port = claim.entry.record.port;
    r.reason = std::move(claim.reason);
    r.existing = claim.existing;
    r.entry = ToEntry(claim.entry);
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<Reservation> Reserve(absl::string_view app, int64_t owner_pid,
                                    const Options& options) {
  auto group = ReserveGroup({std::string(app)}, owner_pid, options);
  if (!group.ok()) return group.status();
  return std::move(group->front());
}

absl::StatusOr<std::vector<Entry>> List(const Options& options) {
  auto settings = internal::Resolve(options);
  if (!settings.ok()) return settings.status();
  auto entries = registry::Registry(settings->registry).List();
  if (!entries.ok()) return entries.status();
  return ToEntries(*entries);
}

absl::StatusOr<std::vector<Entry>> Find(absl::string_view app,
                                        const Options& options) {
  if (absl::Status s = ValidateAppName(app); !s.ok()) return s;
  auto settings = internal::Resolve(options);
  if (!settings.ok()) return settings.status();
  auto entries = registry::Registry(settings->registry).List();
  if (!entries.ok()) return entries.status();
  std::vector<Entry> found;
  for (const registry::Entry& e : *entries) {
    if (e.record.app == app && e.record.scope == settings->scope &&
        e.state != registry::EntryState::kStale) {
      found.push_back(ToEntry(e));
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Entry& a, const Entry& b) {
                     return a.since > b.since;
                   });
  return found;
}

absl::StatusOr<ReleaseResult> ReleaseApp(absl::string_view app,
                                         const Options& options) {
  if (absl::Status s = ValidateAppName(app); !s.ok()) return s;
  auto settings = internal::Resolve(options);
  if (!settings.ok()) return settings.status();
  registry::ReleaseFilter filter;
  filter.app = std::string(app);
  filter.scope = settings->scope;
  auto released = registry::Registry(settings->registry).Release(filter);
  if (!released.ok()) return released.status();
  return ReleaseResult{ToEntries(released->dropped),
                       ToEntries(released->held)};
}

absl::StatusOr<ReleaseResult> ReleasePort(uint16_t port,
                                          const Options& options) {
  if (port == 0) return absl::InvalidArgumentError("port 0 is not a port");
  auto settings = internal::Resolve(options);
  if (!settings.ok()) return settings.status();
  registry::ReleaseFilter filter;
  filter.port = port;
  auto released = registry::Registry(settings->registry).Release(filter);
  if (!released.ok()) return released.status();
  return ReleaseResult{ToEntries(released->dropped),
                       ToEntries(released->held)};
}

absl::StatusOr<int> Prune(const Options& options) {
  auto settings = internal::Resolve(options);
  if (!settings.ok()) return settings.status();
  return registry::Registry(settings->registry).Prune();
}

}  // namespace berth
