// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/signal.h: what every OS shares.

#include "platform/signal.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace berth::platform {
namespace {

struct Named {
  Signal signal;
  const char* name;
};

constexpr Named kSignals[] = {
    {Signal::kHup, "HUP"},   {Signal::kInt, "INT"},   {Signal::kQuit, "QUIT"},
    {Signal::kKill, "KILL"}, {Signal::kUsr1, "USR1"}, {Signal::kUsr2, "USR2"},
    {Signal::kTerm, "TERM"},
};

}  // namespace

absl::StatusOr<Signal> ParseSignal(absl::string_view name) {
  std::string upper = absl::AsciiStrToUpper(name);
  absl::string_view bare = upper;
  absl::ConsumePrefix(&bare, "SIG");
  for (const Named& n : kSignals) {
    if (bare == n.name) return n.signal;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown signal \"", absl::CHexEscape(name),
                   "\": expected TERM, INT, HUP, QUIT, KILL, USR1 or USR2"));
}

const char* SignalName(Signal signal) {
  for (const Named& n : kSignals) {
    if (n.signal == signal) return n.name;
  }
  return "?";
}

absl::Status VerifyIdentity(const ProcessIdentity& id) {
  if (id.pid <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("process id must be positive, got ", id.pid));
  }
  absl::StatusOr<ProcessStatus> now = SystemProcessInspector().Inspect(id.pid);
  if (!now.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "cannot inspect process ", id.pid, ": ", now.status().message()));
  }
  switch (now->liveness) {
    case Liveness::kDead:
      return absl::NotFoundError(
          absl::StrCat("process ", id.pid, " has exited"));
    case Liveness::kUnknown:
      return absl::UnavailableError(
          absl::StrCat("the OS cannot say whether process ", id.pid, " runs"));
    case Liveness::kAlive:
      break;
  }
  if (!now->start_token.has_value()) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot read the start time of process ", id.pid,
                     " to tell it from a later process with its PID"));
  }
  bool other = *now->start_token != id.start_token;
  if (!other && id.unique_id != 0) {
    // The same start time, within one clock tick: the unique id tells.
    absl::StatusOr<uint64_t> unique =
        SystemProcessInspector().UniqueId(id.pid);
    other = unique.ok() && *unique != 0 && *unique != id.unique_id;
  }
  if (other) {
    return absl::NotFoundError(
        absl::StrCat("process ", id.pid,
                     " has exited and its PID now belongs to another "
                     "process"));
  }
  return absl::OkStatus();
}

ProcessHandle::ProcessHandle(ProcessHandle&& other) noexcept
    : identity_(other.identity_), handle_(std::exchange(other.handle_, -1)) {}

ProcessHandle& ProcessHandle::operator=(ProcessHandle&& other) noexcept {
  if (this != &other) {
    Close();
    identity_ = other.identity_;
    handle_ = std::exchange(other.handle_, -1);
  }
  return *this;
}

ProcessHandle::~ProcessHandle() { Close(); }

}  // namespace berth::platform
