// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// registry/verdict.h: who holds a port, decided from evidence. Pure: the
// registry gathers the facts about one lease file (only now, only for the
// ports it is about to use) and this decides; tested by a table.
//
// The rule, strongest evidence first:
//   1. A held lease lock means taken, whoever is on file: the kernel holds
//      it for the holder's open file, whatever its PID, namespace or fork
//      history says.
//   2. A record from before the machine last booted is stale.
//   3. A free lock under a Hold::kLock record is stale: such a holder keeps
//      its lock until it lets go or dies.
//   4. Otherwise (Hold::kLockOrPid, Hold::kPid) the recorded owner decides,
//      but a PID means something only in its PID namespace: a judge in the
//      owner's namespace inspects it; a judge in the initial namespace,
//      which sees every process, first finds which process the owner's
//      namespace numbers that way (none: the namespace, or the process, is
//      gone: stale); any other judge cannot tell (unknown). Alive with the
//      same start token (and unique id, when both are known) is live; dead,
//      a zombie, or alive with another token or unique id (the PID was
//      reused) is stale; not inspectable is live; a token that was not
//      readable when recorded, or that does not compare (another time
//      namespace, without a unique id), is never compared, and such an
//      owner is unknown while its PID is alive. What the OS cannot tell is
//      unknown. Unknown is never stale.

#ifndef BERTH_REGISTRY_VERDICT_H_
#define BERTH_REGISTRY_VERDICT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "platform/process.h"
#include "registry/codec.h"

namespace berth::registry {

enum class EntryState { kLive, kStale, kUnknown };

// Facts is what is known about one lease file at one moment.
struct Facts {
  // Someone holds the file's lock (not the judge).
  bool lock_held = false;
  // The file's record; null when the file is empty.
  const LeaseRecord* record = nullptr;
  // The file held bytes that do not decode.
  bool record_undecodable = false;
  // This boot's id; "" when unknown.
  std::string boot_id;
  // The judge's PID namespace (platform::ProcessInspector::PidNamespace);
  // nullopt when it could not be read.
  std::optional<uint64_t> judge_namespace;
  // Where the initial namespace finds the owner of another namespace. Set it
  // when NeedsForeign says so.
  std::optional<absl::StatusOr<platform::ForeignProcess>> foreign;
  // The recorded owner as the OS reports it now. Set it when NeedsOwner
  // says so; the verdict is unknown without it.
  std::optional<absl::StatusOr<platform::ProcessStatus>> owner;
  // The owner's unique id now (ProcessInspector::UniqueId; 0: none). Set it
  // when NeedsOwnerUniqueId says so.
  std::optional<absl::StatusOr<uint64_t>> owner_unique_id;
};

struct Verdict {
  EntryState state = EntryState::kUnknown;
  std::string why;  // for people; empty for a plain live entry
};

// NeedsForeign says whether Judge needs Facts::foreign: the owner is of
// another PID namespace, and the judge is in the initial one.
bool NeedsForeign(const Facts& facts);

// NeedsOwner says whether Judge needs Facts::owner (an inspection of the
// recorded PID, or of the process Facts::foreign found) for these facts.
bool NeedsOwner(const Facts& facts);

// NeedsOwnerUniqueId says whether Judge needs Facts::owner_unique_id too:
// the owner is alive with the recorded start token, and the record has a
// unique id to compare.
bool NeedsOwnerUniqueId(const Facts& facts);

// InspectOwner fills in Facts::foreign, owner and owner_unique_id as far as
// needed, asking `os`.
void InspectOwner(const platform::ProcessInspector& os, Facts& facts);

// Judge applies the rule above. An empty file with a free lock has no
// holder: kStale, "nobody holds it".
Verdict Judge(const Facts& facts);

// SameOwner says whether `record` was made by the process `identity` in
// `pid_namespace` (the same app asked again by the same owner).
bool SameOwner(const LeaseRecord& record,
               const platform::ProcessIdentity& identity,
               std::optional<uint64_t> pid_namespace);

}  // namespace berth::registry

#endif  // BERTH_REGISTRY_VERDICT_H_
