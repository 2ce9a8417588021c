// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "registry/verdict.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace berth::registry {
namespace {

// InOwnersNamespace says whether the judge can judge the owner by PID: it
// is in the owner's PID namespace, or the record predates namespaces being
// recorded (format 1, which judged by PID everywhere).
bool InOwnersNamespace(const Facts& facts) {
  const LeaseRecord& r = *facts.record;
  if (!r.pid_namespace.has_value()) return true;
  return facts.judge_namespace.has_value() &&
         *facts.judge_namespace == *r.pid_namespace;
}

bool OtherBoot(const Facts& facts) {
  return !facts.boot_id.empty() && !facts.record->boot_id.empty() &&
         facts.boot_id != facts.record->boot_id;
}

// Judgeable says whether a free lock leaves the record's owner to decide:
// the record is there, of this boot, and not a lock holder's.
bool Judgeable(const Facts& facts) {
  return !facts.lock_held && facts.record != nullptr && !OtherBoot(facts) &&
         facts.record->hold != Hold::kLock;
}

// Found is the owner as the judge numbers it, when FindInPidNamespace found
// it in its namespace.
const platform::ForeignProcess* Found(const Facts& facts) {
  if (!facts.foreign.has_value() || !facts.foreign->ok() ||
      (*facts.foreign)->pid == 0) {
    return nullptr;
  }
  return &**facts.foreign;
}

// OwnerPid is the recorded owner's PID as the judge numbers it.
int64_t OwnerPid(const Facts& facts) {
  const platform::ForeignProcess* found = Found(facts);
  return found != nullptr ? found->pid : facts.record->pid;
}

// TokensCompare says whether the owner's start token now can be compared
// with the recorded one: not across time namespaces (Linux shows start times
// relative to the reader's).
bool TokensCompare(const Facts& facts) {
  const platform::ForeignProcess* found = Found(facts);
  return found == nullptr || found->same_time_namespace;
}

}  // namespace

bool NeedsForeign(const Facts& facts) {
  return Judgeable(facts) && !InOwnersNamespace(facts) &&
         facts.judge_namespace == platform::kInitialPidNamespace &&
         facts.record->pid_namespace != uint64_t{0};
}

bool NeedsOwner(const Facts& facts) {
  return Judgeable(facts) &&
         (InOwnersNamespace(facts) || Found(facts) != nullptr);
}

bool NeedsOwnerUniqueId(const Facts& facts) {
  if (!facts.owner.has_value() || !facts.owner->ok()) return false;
  const platform::ProcessStatus& now = **facts.owner;
  if (now.liveness != platform::Liveness::kAlive ||
      facts.record->unique_id == 0) {
    return false;
  }
  if (!TokensCompare(facts)) return true;  // the unique id alone can tell
  return now.start_token.has_value() && facts.record->start.has_value() &&
         *now.start_token == *facts.record->start;
}

void InspectOwner(const platform::ProcessInspector& os, Facts& facts) {
  if (NeedsForeign(facts)) {
    facts.foreign = os.FindInPidNamespace(*facts.record->pid_namespace,
                                          facts.record->pid);
  }
  if (!NeedsOwner(facts)) return;
  facts.owner = os.Inspect(OwnerPid(facts));
  if (NeedsOwnerUniqueId(facts)) {
    facts.owner_unique_id = os.UniqueId(OwnerPid(facts));
  }
}

Verdict Judge(const Facts& facts) {
  if (facts.lock_held) {
    if (facts.record == nullptr) {
      return {EntryState::kLive,
              facts.record_undecodable
                  ? "its lease lock is held (its record did not decode)"
                  : "its lease lock is held by a process not on file"};
    }
    return {EntryState::kLive, ""};
  }
  if (facts.record == nullptr) {
    if (facts.record_undecodable) {
      return {EntryState::kStale,
              "its record did not decode and its lease lock is free"};
    }
    return {EntryState::kStale, "nobody holds it"};
  }
  const LeaseRecord& r = *facts.record;
  if (OtherBoot(facts)) {
    return {EntryState::kStale, "recorded before the machine last booted"};
  }
  if (r.hold == Hold::kLock) {
    return {EntryState::kStale,
            "its lease lock is free: the holder let go or is gone"};
  }
  if (!InOwnersNamespace(facts)) {
    const std::string where =
        absl::StrCat("its holder (pid ", r.pid, ") is in another PID namespace");
    if (!facts.foreign.has_value()) {
      return {EntryState::kUnknown,
              absl::StrCat(where, ", which cannot be seen from here")};
    }
    if (!facts.foreign->ok()) {
      return {EntryState::kUnknown,
              absl::StrCat(where, ": ", facts.foreign->status().message())};
    }
    if ((*facts.foreign)->pid == 0) {
      return {EntryState::kStale,
              absl::StrCat(where, ", which holds no such process any more")};
    }
  }
  if (!facts.owner.has_value()) {
    return {EntryState::kUnknown, "its holder was not inspected"};
  }
  const absl::StatusOr<platform::ProcessStatus>& owner = *facts.owner;
  if (!owner.ok()) {
    return {EntryState::kUnknown, std::string(owner.status().message())};
  }
  switch (owner->liveness) {
    case platform::Liveness::kDead:
      return {EntryState::kStale, absl::StrCat("process ", r.pid, " is gone")};
    case platform::Liveness::kUnknown:
      return {EntryState::kUnknown,
              absl::StrCat("the OS cannot say whether process ", r.pid,
                           " is alive")};
    case platform::Liveness::kAlive:
      break;
  }
  // Not inspectable (no token now) counts as alive.
  if (!owner->start_token.has_value()) return {EntryState::kLive, ""};
  const bool tokens = TokensCompare(facts);
  if (!r.start.has_value() || (!tokens && r.unique_id == 0)) {
    return {EntryState::kUnknown,
            absl::StrCat("process ", r.pid, " is alive, but ",
                         r.start.has_value()
                             ? "in another time namespace"
                             : "its start time could not be read when it was "
                               "recorded",
                         ", so a reused PID cannot be told apart")};
  }
  const std::string reused =
      absl::StrCat("PID ", r.pid, " now belongs to another process");
  if (tokens && *owner->start_token != *r.start) {
    return {EntryState::kStale, reused};
  }
  if (r.unique_id != 0) {
    // The same start token (reused within one tick of the clock, or not),
    // or tokens that do not compare.
    if (!facts.owner_unique_id.has_value()) {
      return {EntryState::kUnknown, "its holder's unique id was not asked"};
    }
    const absl::StatusOr<uint64_t>& unique = *facts.owner_unique_id;
    if (absl::IsNotFound(unique.status())) {
      return {EntryState::kStale, absl::StrCat("process ", r.pid, " is gone")};
    }
    if (unique.ok() && *unique != 0 && *unique != r.unique_id) {
      return {EntryState::kStale, reused};
    }
  }
  return {EntryState::kLive, ""};
}

bool SameOwner(const LeaseRecord& record,
               const platform::ProcessIdentity& identity,
               std::optional<uint64_t> pid_namespace) {
  if (record.pid != identity.pid || !record.start.has_value() ||
      *record.start != identity.start_token) {
    return false;
  }
  if (record.unique_id != 0 && identity.unique_id != 0 &&
      record.unique_id != identity.unique_id) {
    return false;
  }
  return record.pid_namespace == pid_namespace;
}

}  // namespace berth::registry
