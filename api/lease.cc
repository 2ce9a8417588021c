// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "api/lease.h"

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "api/internal/holder.h"
#include "api/internal/settings.h"
#include "platform/file.h"
#include "registry/registry.h"

namespace berth {

// The group size limit keeps one call's work (and descriptors) bounded.
constexpr size_t kMaxGroup = 64;

struct Lease::State {
  std::string app;
  uint16_t port = 0;
  std::string reason;
  platform::FileLock lock;
};

Lease::Lease(std::unique_ptr<State> state) : state_(std::move(state)) {}
Lease::Lease(Lease&& other) noexcept = default;

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Release().IgnoreError();
    state_ = std::move(other.state_);
  }
  return *this;
}

Lease::~Lease() { Release().IgnoreError(); }

uint16_t Lease::port() const { return state_ ? state_->port : 0; }

const std::string& Lease::app() const {
  static const std::string* const none = new std::string;
  return state_ ? state_->app : *none;
}

const std::string& Lease::reason() const {
  static const std::string* const none = new std::string;
  return state_ ? state_->reason : *none;
}

absl::Status Lease::Release() {
  if (!state_ || state_->port == 0) return absl::OkStatus();
  state_->port = 0;
  return registry::VacateLease(state_->lock);
}

absl::StatusOr<intptr_t> Lease::InheritAcrossExec() {
  if (!state_ || state_->port == 0 || !state_->lock.TakenHere()) {
    return absl::FailedPreconditionError(
        "InheritAcrossExec: this process holds no such lease");
  }
  if (absl::Status s = registry::RecordHold(state_->lock,
                                            registry::Hold::kLockOrPid);
      !s.ok()) {
    return s;
  }
  return state_->lock.SetInheritable();
}

absl::StatusOr<intptr_t> Lease::InheritByChildren() {
  if (!state_ || state_->port == 0 || !state_->lock.held()) {
    return absl::FailedPreconditionError(
        "InheritByChildren: this process holds no such lease");
  }
  return state_->lock.SetInheritable();
}

absl::StatusOr<Lease> Acquire(absl::string_view app, const Options& options) {
  auto group = AcquireGroup({std::string(app)}, options);
  if (!group.ok()) return group.status();
  return std::move(group->front());
}

absl::StatusOr<std::vector<Lease>> AcquireGroup(
    const std::vector<std::string>& apps, const Options& options) {
  if (absl::Status s = internal::ValidateApps(apps, kMaxGroup); !s.ok()) {
    return s;
  }
  auto settings = internal::Resolve(options);
  if (!settings.ok()) return settings.status();
  registry::AllocateRequest request;
  request.apps = apps;
  request.scope = settings->scope;
  request.holder = internal::SelfHolder();
  request.wanted = settings->port;
  request.range = settings->range;
  auto claims = registry::Registry(settings->registry).Allocate(request);
  if (!claims.ok()) return claims.status();
  std::vector<Lease> leases;
  leases.reserve(claims->size());
  for (registry::Claim& claim : *claims) {
    auto state = std::make_unique<Lease::State>();
    state->app = claim.entry.record.app;
    state->port = claim.entry.record.port;
    state->reason = std::move(claim.reason);
    state->lock = std::move(claim.lock);
    leases.push_back(Lease(std::move(state)));
  }
  return leases;
}

}  // namespace berth
