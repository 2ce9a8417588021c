// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "api/lease.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "platform/listener.h"

namespace berth {
namespace {

constexpr size_t kMaxAppBytes = 200;

absl::Status Annotate(const absl::Status& status, absl::string_view what) {
  return absl::Status(status.code(), absl::StrCat(what, ": ", status.message()));
}

// DescribeListeners says who listens on `port` in a few words, e.g.
// "python3 (pid 77)", or "" when the OS does not tell. Only asked for ports
// found busy, so its cost (a scan of /proc on Linux) is rarely paid.
std::string DescribeListeners(uint16_t port) {
  auto listeners = platform::FindListeners(port);
  if (!listeners.ok()) return "";
  std::vector<std::string> who;
  for (const platform::Listener& l : *listeners) {
    if (!l.pid) continue;
    std::string one = absl::StrCat(l.name.empty() ? "process" : l.name,
                                   " (pid ", *l.pid, ")");
    if (std::find(who.begin(), who.end(), one) == who.end()) {
      who.push_back(std::move(one));
    }
  }
  return absl::StrJoin(who, ", ");
}

// Resolved is Options with every default filled in.
struct Resolved {
  registry::Options registry;
  allocator::PortRange range;
  std::optional<uint16_t> port;
};

absl::StatusOr<Resolved> Resolve(const Options& options) {
  Resolved r;
  auto dir = registry::ResolveDirectory(options.registry_dir);
  if (!dir.ok()) return dir.status();
  r.registry.dir = *dir;
  r.registry.describe_listener = DescribeListeners;

  if (options.lock_timeout) {
    r.registry.lock_timeout = *options.lock_timeout;
  } else if (const char* env = std::getenv("BERTH_LOCK_TIMEOUT")) {
    double seconds = 0;
    if (!absl::SimpleAtod(env, &seconds) || !(seconds >= 0) ||
        seconds > 3600) {
      return absl::InvalidArgumentError(absl::StrCat(
          "BERTH_LOCK_TIMEOUT=\"", env,
          "\" is not a number of seconds from 0 to 3600"));
    }
    r.registry.lock_timeout = absl::Seconds(seconds);
  }

  PortRange range;
  if (options.range) {
    range = *options.range;
  } else if (const char* env = std::getenv("BERTH_RANGE")) {
    auto parsed = ParseRange(env);
    if (!parsed.ok()) return Annotate(parsed.status(), "BERTH_RANGE");
    range = *parsed;
  }
  if (range.lo == 0 || range.lo > range.hi) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid port range ", range.lo, "-", range.hi));
  }
  r.range = {range.lo, range.hi};
  if (options.port && *options.port == 0) {
    return absl::InvalidArgumentError("port 0 is not a port to ask for");
  }
  r.port = options.port;
  return r;
}

}  // namespace

absl::Status ValidateAppName(absl::string_view app) {
  if (app.empty()) return absl::InvalidArgumentError("the app name is empty");
  if (app.size() > kMaxAppBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the app name is ", app.size(), " bytes long; at most ", kMaxAppBytes,
        " are allowed"));
  }
  for (unsigned char c : app) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "the app name holds a control character");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PortRange> ParseRange(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  uint32_t lo = 0, hi = 0;
  const auto digits = [](absl::string_view s) {
    if (s.empty() || s.size() > 5) return false;
    for (char c : s) {
      if (!absl::ascii_isdigit(c)) return false;
    }
    return true;
  };
  if (parts.size() != 2 || !digits(parts[0]) || !digits(parts[1]) ||
      !absl::SimpleAtoi(parts[0], &lo) || !absl::SimpleAtoi(parts[1], &hi) ||
      lo == 0 || hi > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid port range \"", text, "\": expected LO-HI, e.g. 8800-8999"));
  }
  if (lo > hi) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid port range \"", text, "\": ", lo, " is above ", hi));
  }
  return PortRange{static_cast<uint16_t>(lo), static_cast<uint16_t>(hi)};
}

Lease::Lease(Lease&& other) noexcept
    : app_(std::move(other.app_)),
      port_(std::exchange(other.port_, 0)),
      reason_(std::move(other.reason_)),
      owner_(other.owner_),
      registry_options_(std::move(other.registry_options_)),
      lock_(std::move(other.lock_)) {}

Lease& Lease::operator=(Lease&& other) {
  if (this != &other) {
    Release().IgnoreError();
    app_ = std::move(other.app_);
    port_ = std::exchange(other.port_, 0);
    reason_ = std::move(other.reason_);
    owner_ = other.owner_;
    registry_options_ = std::move(other.registry_options_);
    lock_ = std::move(other.lock_);
  }
  return *this;
}

Lease::~Lease() { Release().IgnoreError(); }

absl::Status Lease::Release() {
  if (port_ == 0) return absl::OkStatus();
  const uint16_t port = std::exchange(port_, 0);
  registry::Registry reg(registry_options_);
  auto released = reg.ReleasePort(port, owner_);
  // Unlock even if the registry could not be updated: the free lease lock
  // alone makes the entry stale for everyone else.
  lock_.Unlock();
  return released.ok() ? absl::OkStatus() : released.status();
}

absl::StatusOr<intptr_t> Lease::InheritAcrossExec() {
  return lock_.SetInheritable();
}

absl::StatusOr<Lease> Acquire(absl::string_view app, const Options& options) {
  if (absl::Status s = ValidateAppName(app); !s.ok()) return s;
  auto resolved = Resolve(options);
  if (!resolved.ok()) return resolved.status();
  auto self = platform::SystemProcessInspector().Self();
  if (!self.ok()) return self.status();

  registry::Registry reg(resolved->registry);
  registry::AllocateRequest request;
  request.app = std::string(app);
  request.owner = *self;
  request.wanted = resolved->port;
  request.range = resolved->range;
  request.lease = true;
  auto allocation = reg.Allocate(request);
  if (!allocation.ok()) return allocation.status();

  Lease lease;
  lease.app_ = std::string(app);
  lease.port_ = allocation->entry.port;
  lease.reason_ = std::move(allocation->reason);
  lease.owner_ = *self;
  lease.registry_options_ = resolved->registry;
  lease.lock_ = std::move(allocation->lease_lock);
  return lease;
}

absl::StatusOr<std::vector<Lease>> AcquireGroup(
    const std::vector<std::string>& apps, const Options& options) {
  if (apps.empty()) return absl::InvalidArgumentError("no app names given");
  std::vector<Lease> leases;
  Options rest = options;
  for (const std::string& app : apps) {
    auto lease = Acquire(app, rest);
    if (!lease.ok()) return lease.status();  // `leases` releases the others
    leases.push_back(*std::move(lease));
    rest.port.reset();
  }
  return leases;
}

absl::StatusOr<Reservation> Reserve(absl::string_view app, int64_t owner_pid,
                                    const Options& options) {
  if (absl::Status s = ValidateAppName(app); !s.ok()) return s;
  auto resolved = Resolve(options);
  if (!resolved.ok()) return resolved.status();
  if (owner_pid <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("owner PID ", owner_pid, " is not a process ID"));
  }
  auto status = platform::SystemProcessInspector().Inspect(owner_pid);
  if (!status.ok()) return Annotate(status.status(), "inspect owner");
  if (status->liveness != platform::Liveness::kAlive) {
    return absl::InvalidArgumentError(absl::StrCat(
        "owner process ", owner_pid, " is not alive (",
        platform::LivenessName(status->liveness), ")"));
  }
  registry::Registry reg(resolved->registry);
  registry::AllocateRequest request;
  request.app = std::string(app);
  request.owner = {owner_pid, status->start_token.value_or(0)};
  request.wanted = resolved->port;
  request.range = resolved->range;
  request.lease = false;
  auto allocation = reg.Allocate(request);
  if (!allocation.ok()) return allocation.status();
  Reservation out;
  out.port = allocation->entry.port;
  out.reason = std::move(allocation->reason);
  out.existing = allocation->existing;
  out.entry = std::move(allocation->entry);
  return out;
}

absl::StatusOr<int> ReleaseApp(absl::string_view app, const Options& options) {
  if (absl::Status s = ValidateAppName(app); !s.ok()) return s;
  auto resolved = Resolve(options);
  if (!resolved.ok()) return resolved.status();
  return registry::Registry(resolved->registry)
      .ReleaseApp(std::string(app), std::nullopt);
}

absl::StatusOr<int> ReleasePort(uint16_t port, const Options& options) {
  if (port == 0) return absl::InvalidArgumentError("port 0 is not a port");
  auto resolved = Resolve(options);
  if (!resolved.ok()) return resolved.status();
  return registry::Registry(resolved->registry).ReleasePort(port, std::nullopt);
}

absl::StatusOr<std::vector<registry::Entry>> List(const Options& options) {
  auto resolved = Resolve(options);
  if (!resolved.ok()) return resolved.status();
  return registry::Registry(resolved->registry).List();
}

absl::StatusOr<int> Prune(const Options& options) {
  auto resolved = Resolve(options);
  if (!resolved.ok()) return resolved.status();
  return registry::Registry(resolved->registry).Prune();
}

}  // namespace berth
