// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The liveness rule as a table: facts in, verdict out.

#include "registry/verdict.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::registry {

// For failure messages (gtest finds it by argument-dependent lookup).
void PrintTo(EntryState state, std::ostream* os) {
  constexpr const char* kNames[] = {"live", "stale", "unknown"};
  *os << kNames[static_cast<int>(state)];
}

namespace {

using platform::Liveness;
using platform::ProcessStatus;
using ::testing::HasSubstr;

constexpr uint64_t kHere = platform::kInitialPidNamespace;
constexpr uint64_t kSandbox = 4026532180;

LeaseRecord Record(Hold hold) {
  LeaseRecord r;
  r.port = 8825;
  r.app = "web";
  r.pid = 12;
  r.start = 5000;
  r.unique_id = 0;
  r.pid_namespace = kHere;
  r.boot_id = "boot-a";
  r.since = 1;
  r.hold = hold;
  return r;
}

ProcessStatus Alive(uint64_t token) {
  return ProcessStatus{Liveness::kAlive, token, "server"};
}

struct Case {
  std::string name;
  bool lock_held = false;
  std::optional<LeaseRecord> record;
  bool undecodable = false;
  std::string boot_id = "boot-a";
  std::optional<uint64_t> judge_namespace = kHere;
  // What the OS says of the recorded PID (only used when NeedsOwner).
  absl::StatusOr<ProcessStatus> owner = Alive(5000);
  // The owner's unique id now (only used when NeedsOwnerUniqueId).
  absl::StatusOr<uint64_t> owner_unique_id = uint64_t{0};
  bool needs_owner = false;
  EntryState want = EntryState::kUnknown;
  std::string why_has = "";
};

Case New(std::string name, bool lock_held, std::optional<LeaseRecord> record,
         bool undecodable = false) {
  Case c;
  c.name = std::move(name);
  c.lock_held = lock_held;
  c.record = std::move(record);
  c.undecodable = undecodable;
  return c;
}

std::vector<Case> Cases() {
  std::vector<Case> c;
  // 1. A held lock means taken, whoever is on file.
  c.push_back(New("HeldLockIsLive", true, Record(Hold::kLock)));
  c.back().want = EntryState::kLive;
  c.push_back(New("HeldLockWithoutRecordIsLive", true, std::nullopt));
  c.back().want = EntryState::kLive;
  c.back().why_has = "not on file";
  c.push_back(New("HeldLockWithGarbageIsLive", true, std::nullopt, true));
  c.back().want = EntryState::kLive;
  {
    // A server started through a wrapper that backgrounds it: the recorded
    // PID (the wrapper) is dead, but the server inherited the lock.
    Case k = New("HeldLockWithDeadRecordedPidIsLive", true,
                 Record(Hold::kLockOrPid));
    k.owner = ProcessStatus{Liveness::kDead, {}, {}};
    k.want = EntryState::kLive;
    c.push_back(k);
  }
  {
    Case k =
        New("HeldLockFromAnotherNamespaceIsLive", true, Record(Hold::kPid));
    k.judge_namespace = kSandbox;
    k.want = EntryState::kLive;
    c.push_back(k);
  }
  {
    Case k = New("HeldLockFromAnotherBootIsLive", true, Record(Hold::kPid));
    k.boot_id = "boot-b";
    k.want = EntryState::kLive;
    c.push_back(k);
  }
  // Nothing on file.
  c.push_back(New("EmptyFileIsFree", false, std::nullopt));
  c.back().want = EntryState::kStale;
  c.back().why_has = "nobody holds it";
  c.push_back(New("GarbageWithAFreeLockIsStale", false, std::nullopt, true));
  c.back().want = EntryState::kStale;
  c.back().why_has = "did not decode";
  // 2. Another boot.
  for (Hold hold : {Hold::kLock, Hold::kLockOrPid, Hold::kPid}) {
    Case k = New(std::string("OtherBootIsStale_") + HoldName(hold), false,
                 Record(hold));
    if (hold == Hold::kLockOrPid) k.name = "OtherBootIsStale_lockpid";
    k.boot_id = "boot-b";
    k.want = EntryState::kStale;
    k.why_has = "booted";
    c.push_back(k);
  }
  {
    Case k = New("UnknownBootComparesNothing", false, Record(Hold::kPid));
    k.boot_id = "";
    k.needs_owner = true;
    k.want = EntryState::kLive;
    c.push_back(k);
  }
  // 3. A free lock under kLock: the holder let go or is gone, whatever its
  // PID says (a forked child may hold that PID's start token, or the PID is
  // in another namespace).
  {
    Case k = New("FreeLockOfALockHolderIsStale", false, Record(Hold::kLock));
    k.want = EntryState::kStale;
    k.why_has = "lease lock is free";
    c.push_back(k);
  }
  {
    Case k = New("FreeLockOfALockHolderInAnotherNamespaceIsStale", false,
                 Record(Hold::kLock));
    k.judge_namespace = kSandbox;
    k.want = EntryState::kStale;
    c.push_back(k);
  }
  // 4. kLockOrPid and kPid: the recorded owner decides.
  {
    // A server that closed its inherited descriptors still runs.
    Case k =
        New("FreeLockWithLiveOwnerIsLive", false, Record(Hold::kLockOrPid));
    k.needs_owner = true;
    k.want = EntryState::kLive;
    c.push_back(k);
  }
  {
    Case k =
        New("FreeLockWithDeadOwnerIsStale", false, Record(Hold::kLockOrPid));
    k.owner = ProcessStatus{Liveness::kDead, {}, {}};
    k.needs_owner = true;
    k.want = EntryState::kStale;
    k.why_has = "process 12 is gone";
    c.push_back(k);
  }
  {
    Case k = New("ReservationOfALiveOwnerIsLive", false, Record(Hold::kPid));
    k.needs_owner = true;
    k.want = EntryState::kLive;
    c.push_back(k);
  }
  {
    Case k = New("ReusedPidIsStale", false, Record(Hold::kPid));
    k.owner = Alive(6000);
    k.needs_owner = true;
    k.want = EntryState::kStale;
    k.why_has = "now belongs to another process";
    c.push_back(k);
  }
  {
    // The PID was reused within one clock tick: same start token, another
    // unique id.
    Case k = New("ReusedPidWithinATickIsStale", false, Record(Hold::kPid));
    k.record->unique_id = 777;
    k.owner_unique_id = uint64_t{778};
    k.needs_owner = true;
    k.want = EntryState::kStale;
    c.push_back(k);
  }
  {
    Case k = New("SameUniqueIdIsLive", false, Record(Hold::kPid));
    k.record->unique_id = 777;
    k.owner_unique_id = uint64_t{777};
    k.needs_owner = true;
    k.want = EntryState::kLive;
    c.push_back(k);
  }
  {
    Case k = New("UniqueIdKnownOnOneSideOnlyIsNotCompared", false,
                 Record(Hold::kPid));
    k.record->unique_id = 777;
    k.owner_unique_id = uint64_t{0};
    k.needs_owner = true;
    k.want = EntryState::kLive;
    c.push_back(k);
  }
  {
    Case k = New("ZombieIsStale", false, Record(Hold::kPid));
    k.owner = ProcessStatus{Liveness::kDead, {}, {}};  // inspectors say so
    k.needs_owner = true;
    k.want = EntryState::kStale;
    c.push_back(k);
  }
  {
    Case k = New("NotInspectableIsLive", false, Record(Hold::kPid));
    k.owner = ProcessStatus{Liveness::kAlive, {}, {}};
    k.needs_owner = true;
    k.want = EntryState::kLive;
    c.push_back(k);
  }
  {
    // The start token could not be read when recorded: never compared.
    Case k = New("UnreadTokenWithALivePidIsUnknown", false, Record(Hold::kPid));
    k.record->start.reset();
    k.owner = Alive(12345);
    k.needs_owner = true;
    k.want = EntryState::kUnknown;
    k.why_has = "could not be read";
    c.push_back(k);
  }
  {
    Case k = New("UnreadTokenWithADeadPidIsStale", false, Record(Hold::kPid));
    k.record->start.reset();
    k.owner = ProcessStatus{Liveness::kDead, {}, {}};
    k.needs_owner = true;
    k.want = EntryState::kStale;
    c.push_back(k);
  }
  {
    Case k = New("OsCannotSayIsUnknown", false, Record(Hold::kPid));
    k.owner = ProcessStatus{Liveness::kUnknown, {}, {}};
    k.needs_owner = true;
    k.want = EntryState::kUnknown;
    c.push_back(k);
  }
  {
    Case k = New("InspectionErrorIsUnknown", false, Record(Hold::kPid));
    k.owner = absl::InternalError("read /proc/12/stat: garbage");
    k.needs_owner = true;
    k.want = EntryState::kUnknown;
    k.why_has = "garbage";
    c.push_back(k);
  }
  {
    // PID 12 of a sandbox is not this namespace's PID 12.
    Case k =
        New("AnotherNamespaceIsNeverJudgedByPid", false, Record(Hold::kPid));
    k.judge_namespace = kSandbox;
    k.owner = ProcessStatus{Liveness::kDead, {}, {}};
    k.want = EntryState::kUnknown;
    k.why_has = "another PID namespace";
    c.push_back(k);
  }
  {
    Case k =
        New("UnknownJudgeNamespaceIsNotTheOwners", false, Record(Hold::kPid));
    k.judge_namespace = std::nullopt;
    k.want = EntryState::kUnknown;
    c.push_back(k);
  }
  {
    // Format 1 records carry no namespace and were judged by PID.
    Case k =
        New("RecordWithoutNamespaceIsJudgedByPid", false, Record(Hold::kPid));
    k.record->pid_namespace.reset();
    k.judge_namespace = kSandbox;
    k.owner = ProcessStatus{Liveness::kDead, {}, {}};
    k.needs_owner = true;
    k.want = EntryState::kStale;
    c.push_back(k);
  }
  {
    // An OS without PID namespaces records 0 and judges from 0.
    Case k = New("NoNamespacesAtAll", false, Record(Hold::kLockOrPid));
    k.record->pid_namespace = 0;
    k.judge_namespace = 0;
    k.owner = ProcessStatus{Liveness::kDead, {}, {}};
    k.needs_owner = true;
    k.want = EntryState::kStale;
    c.push_back(k);
  }
  return c;
}

class VerdictTable : public ::testing::TestWithParam<Case> {};

TEST_P(VerdictTable, Decides) {
  const Case& c = GetParam();
  Facts facts;
  facts.lock_held = c.lock_held;
  facts.record = c.record ? &*c.record : nullptr;
  facts.record_undecodable = c.undecodable;
  facts.boot_id = c.boot_id;
  facts.judge_namespace = c.judge_namespace;
  EXPECT_EQ(NeedsOwner(facts), c.needs_owner);
  if (NeedsOwner(facts)) facts.owner = c.owner;
  if (NeedsOwnerUniqueId(facts)) facts.owner_unique_id = c.owner_unique_id;
  const Verdict v = Judge(facts);
  EXPECT_EQ(v.state, c.want) << v.why;
  EXPECT_THAT(v.why, HasSubstr(c.why_has));
}

INSTANTIATE_TEST_SUITE_P(Rule, VerdictTable, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

TEST(Verdict, TheUniqueIdIsAskedOnlyWhenTheStartTokenMatches) {
  LeaseRecord r = Record(Hold::kPid);
  r.unique_id = 777;
  Facts facts;
  facts.record = &r;
  facts.boot_id = "boot-a";
  facts.judge_namespace = kHere;
  facts.owner = Alive(6000);
  EXPECT_FALSE(NeedsOwnerUniqueId(facts)) << "another token says enough";
  facts.owner = Alive(5000);
  EXPECT_TRUE(NeedsOwnerUniqueId(facts));
  EXPECT_EQ(Judge(facts).state, EntryState::kUnknown) << "not asked: unknown";
  facts.owner_unique_id = absl::NotFoundError("gone");
  EXPECT_EQ(Judge(facts).state, EntryState::kStale) << "gone since";
  r.unique_id = 0;
  EXPECT_FALSE(NeedsOwnerUniqueId(facts)) << "nothing to compare";
}

TEST(Verdict, WithoutTheOwnerItIsUnknownNeverStale) {
  LeaseRecord r = Record(Hold::kPid);
  Facts facts;
  facts.record = &r;
  facts.boot_id = "boot-a";
  facts.judge_namespace = kHere;
  ASSERT_TRUE(NeedsOwner(facts));
  EXPECT_EQ(Judge(facts).state, EntryState::kUnknown);
}

// From the initial namespace an owner of another namespace is first found
// (FindInPidNamespace), then judged as the process found.
TEST(Verdict, TheInitialNamespaceFindsAndJudgesOtherNamespaces) {
  LeaseRecord r = Record(Hold::kLockOrPid);
  r.pid_namespace = kSandbox;
  Facts facts;
  facts.record = &r;
  facts.boot_id = "boot-a";
  facts.judge_namespace = kHere;
  ASSERT_TRUE(NeedsForeign(facts));
  EXPECT_FALSE(NeedsOwner(facts)) << "not before it is found";
  EXPECT_EQ(Judge(facts).state, EntryState::kUnknown);

  facts.foreign = absl::FailedPreconditionError("could not read them all");
  EXPECT_EQ(Judge(facts).state, EntryState::kUnknown);
  EXPECT_THAT(Judge(facts).why, HasSubstr("could not read them all"));

  facts.foreign = platform::ForeignProcess{0, true};
  EXPECT_EQ(Judge(facts).state, EntryState::kStale) << "the namespace is gone";

  facts.foreign = platform::ForeignProcess{31337, true};
  ASSERT_TRUE(NeedsOwner(facts));
  facts.owner = Alive(5000);
  EXPECT_EQ(Judge(facts).state, EntryState::kLive);
  facts.owner = Alive(6000);
  EXPECT_EQ(Judge(facts).state, EntryState::kStale) << "another process";

  // Start tokens of another time namespace do not compare: only the unique
  // id can tell.
  facts.foreign = platform::ForeignProcess{31337, false};
  EXPECT_FALSE(NeedsOwnerUniqueId(facts));
  EXPECT_EQ(Judge(facts).state, EntryState::kUnknown);
  r.unique_id = 77;
  ASSERT_TRUE(NeedsOwnerUniqueId(facts));
  facts.owner_unique_id = uint64_t{77};
  EXPECT_EQ(Judge(facts).state, EntryState::kLive);
  facts.owner_unique_id = uint64_t{78};
  EXPECT_EQ(Judge(facts).state, EntryState::kStale);

  // Only the initial namespace sees every other one.
  facts.judge_namespace = 4026532999;
  EXPECT_FALSE(NeedsForeign(facts));
  // A namespace recorded as unknown (0) is never looked for.
  facts.judge_namespace = kHere;
  r.pid_namespace = 0;
  EXPECT_FALSE(NeedsForeign(facts));
}

TEST(SameOwner, ComparesPidTokenUniqueIdAndNamespace) {
  LeaseRecord r = Record(Hold::kPid);
  r.unique_id = 9;
  const platform::ProcessIdentity me{12, 5000, 9};
  EXPECT_TRUE(SameOwner(r, me, kHere));
  EXPECT_FALSE(SameOwner(r, {13, 5000, 9}, kHere));
  EXPECT_FALSE(SameOwner(r, {12, 5001, 9}, kHere));
  EXPECT_FALSE(SameOwner(r, {12, 5000, 10}, kHere));
  EXPECT_TRUE(SameOwner(r, {12, 5000, 0}, kHere));  // unique id not offered
  EXPECT_FALSE(SameOwner(r, me, kSandbox));
  r.start.reset();
  EXPECT_FALSE(SameOwner(r, me, kHere)) << "an unread token matches nothing";
}

}  // namespace
}  // namespace berth::registry
