// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "allocator/allocator.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::allocator {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr Owner kMe{100, 1000};
constexpr Owner kOther{123, 2000};
// kMe's PID, reused by another process: a different owner.
constexpr Owner kReused{100, 9999};

Owner Pid(int64_t pid) { return Owner{pid, static_cast<uint64_t>(pid) * 7}; }

Entry Live(std::string app, uint16_t port, Owner owner = kOther) {
  return Entry{std::move(app), port, owner, EntryState::kLive};
}
Entry Stale(std::string app, uint16_t port, Owner owner = kOther) {
  return Entry{std::move(app), port, owner, EntryState::kStale};
}
Entry Unknown(std::string app, uint16_t port, Owner owner = kOther) {
  return Entry{std::move(app), port, owner, EntryState::kUnknown};
}

// The derived ports the table relies on; DerivedPortGolden pins them.
const uint16_t kWeb = DerivedPort("web", kDefaultRange);        // 8825
const uint16_t kApi = DerivedPort("api", kDefaultRange);        // 8967
const uint16_t kWorker = DerivedPort("worker", kDefaultRange);  // 8967
const uint16_t kBerth = DerivedPort("berth", kDefaultRange);    // 8994

// One row of the table: a request, a snapshot, and what Allocate must say.
struct Case {
  std::string name;
  Request request;
  Snapshot snapshot;
  // Expected outcome: a port, or an error code.
  std::optional<uint16_t> port;
  bool existing = false;
  absl::StatusCode code = absl::StatusCode::kOk;
  // Must appear in the reason (success) or the message (error).
  std::string text;
  // Must not appear there.
  std::string absent;
  std::vector<size_t> drop;

  explicit Case(std::string n) : name(std::move(n)) {
    request.app = "web";
    request.owner = kMe;
  }
  Case& App(std::string app) {
    request.app = std::move(app);
    return *this;
  }
  Case& Wants(uint16_t port) {
    request.wanted = port;
    return *this;
  }
  Case& NoReuse() {
    request.reuse_existing = false;
    return *this;
  }
  Case& Range(uint16_t lo, uint16_t hi) {
    request.range = PortRange{lo, hi};
    return *this;
  }
  Case& With(Entry entry) {
    snapshot.entries.push_back(std::move(entry));
    return *this;
  }
  Case& Busy(uint16_t port, std::string who = "") {
    snapshot.busy[port] = std::move(who);
    return *this;
  }
  Case& Last(std::string app, uint16_t port) {
    snapshot.last_port[std::move(app)] = port;
    return *this;
  }
  Case& Ephemeral(uint16_t lo, uint16_t hi) {
    snapshot.ephemeral = PortRange{lo, hi};
    return *this;
  }
  Case& Gets(uint16_t p, std::string reason) {
    port = p;
    text = std::move(reason);
    return *this;
  }
  Case& Keeps(uint16_t p, std::string reason) {
    existing = true;
    return Gets(p, std::move(reason));
  }
  Case& Fails(absl::StatusCode c, std::string message) {
    code = c;
    text = std::move(message);
    return *this;
  }
  Case& Drops(std::vector<size_t> d) {
    drop = std::move(d);
    return *this;
  }
  Case& Lacks(std::string text) {
    absent = std::move(text);
    return *this;
  }
  // FillDefaultRange adds 200 live entries, one on each port of the default
  // range, app "appPORT" of pid PORT.
  Case& FillDefaultRange() {
    for (uint32_t p = kDefaultRange.lo; p <= kDefaultRange.hi; ++p) {
      const auto port16 = static_cast<uint16_t>(p);
      With(Live(absl::StrCat("app", p), port16, Pid(port16)));
    }
    return *this;
  }

  friend std::ostream& operator<<(std::ostream& os, const Case& c) {
    return os << c.name;
  }
};

std::vector<Case> Cases() {
  using absl::StatusCode;
  std::vector<Case> cases;
  auto add = [&cases](Case& c) { cases.push_back(std::move(c)); };

  // --- Basics -------------------------------------------------------------
  add(Case("EmptySnapshotGetsDerivedPort")
          .Gets(kWeb,
                absl::StrCat("took ", kWeb, ", derived from the app name")));
  add(Case("DerivedPortDependsOnApp")
          .App("api")
          .Gets(kApi,
                absl::StrCat("took ", kApi, ", derived from the app name")));

  // --- The wanted port ----------------------------------------------------
  add(Case("WantedFree").Wants(8801).Gets(8801, "took 8801, the wanted port"));
  add(Case("WantedOutsideRangeIsHonoured")
          .Wants(3000)
          .Gets(3000, "took 3000, the wanted port"));
  add(Case("WantedHeldByLive")
          .Wants(8801)
          .With(Live("web", 8801))
          .Gets(kWeb, absl::StrCat("wanted port 8801 is held by web (pid 123); "
                                   "took ",
                                   kWeb, ", derived from the app name")));
  add(Case("WantedHeldByUnknown")
          .Wants(8801)
          .With(Unknown("db", 8801))
          .Gets(kWeb,
                "wanted port 8801 is held by db (pid 123), whose state "
                "is unknown; took"));
  add(Case("WantedHeldBySameOwnerOtherApp")
          .Wants(8801)
          .With(Live("api", 8801, kMe))
          .Gets(kWeb, "wanted port 8801 is held by api (pid 100); took"));
  add(Case("WantedHeldBySameAppOtherOwner")
          .Wants(8801)
          .With(Live("web", 8801, kReused))
          .Gets(kWeb, "wanted port 8801 is held by web (pid 100); took"));
  add(Case("WantedBusy")
          .Wants(8801)
          .Busy(8801, "python3 (pid 77)")
          .Gets(kWeb,
                "wanted port 8801 is busy: python3 (pid 77) listens on "
                "it; took"));
  add(Case("WantedBusyListenerUnknown")
          .Wants(8801)
          .Busy(8801)
          .Gets(kWeb, "wanted port 8801 is busy; took"));
  add(Case("WantedInEphemeralRange")
          .Wants(40000)
          .Ephemeral(32768, 60999)
          .Gets(kWeb,
                "wanted port 40000 is in the ephemeral range "
                "32768-60999; took"));
  add(Case("WantedOnEphemeralEdge")
          .Wants(60999)
          .Ephemeral(32768, 60999)
          .Gets(kWeb, "wanted port 60999 is in the ephemeral range"));
  add(Case("WantedJustAboveEphemeral")
          .Wants(61000)
          .Ephemeral(32768, 60999)
          .Gets(61000, "took 61000, the wanted port"));
  add(Case("WantedBadPort")
          .Wants(6666)
          .Gets(kWeb, "wanted port 6666 is on the browsers' bad-ports list"));
  add(Case("WantedBadPortHigh")
          .Wants(10080)
          .Gets(kWeb, "wanted port 10080 is on the browsers' bad-ports list"));
  add(Case("WantedBelow1024")
          .Wants(80)
          .Gets(kWeb, "wanted port 80 is below 1024"));
  add(Case("Wanted1023")
          .Wants(1023)
          .Gets(kWeb, "wanted port 1023 is below 1024"));
  add(Case("Wanted1024").Wants(1024).Gets(1024, "took 1024, the wanted port"));
  add(Case("WantedHeldByStaleIsTaken")
          .Wants(8801)
          .With(Stale("web", 8801, Pid(55)))
          .Gets(8801,
                "took 8801, the wanted port, freed from the stale entry "
                "of web (pid 55)")
          .Drops({0}));
  add(Case("WantedComesBeforeLastPort")
          .Wants(8801)
          .Last("web", 8850)
          .Gets(8801, "took 8801, the wanted port"));

  // --- The last port ------------------------------------------------------
  add(Case("LastPortFree")
          .Last("web", 8850)
          .Gets(8850, "took 8850, the port web had last"));
  add(Case("LastPortOfAnotherAppIgnored")
          .Last("api", 8850)
          .Gets(kWeb, "derived from the app name"));
  add(Case("LastPortHeld")
          .Last("web", 8850)
          .With(Live("db", 8850))
          .Gets(kWeb, absl::StrCat("last port 8850 is held by db (pid 123); "
                                   "took ",
                                   kWeb, ", derived from the app name")));
  add(Case("LastPortOutsideRangeIgnored")
          .Last("web", 9100)
          .Gets(kWeb, "derived from the app name")
          .Lacks("9100"));
  add(Case("LastPortBusyThenStaleEntry")
          .Last("web", 8850)
          .Busy(8850, "nginx (pid 9)")
          .With(Stale("web", 8870, Pid(55)))
          .Gets(8870,
                "last port 8850 is busy: nginx (pid 9) listens on it; "
                "took 8870, the port web had last, freed from the stale "
                "entry of web (pid 55)")
          .Drops({0}));
  add(Case("StaleEntryOfSameAppIsLastPort")
          .With(Live("db", 8860))
          .With(Stale("web", 8870, Pid(55)))
          .Gets(8870, "took 8870, the port web had last")
          .Drops({1}));
  add(Case("LastPortBeforeStaleEntry")
          .Last("web", 8850)
          .With(Stale("web", 8870, Pid(55)))
          .Gets(8850, "took 8850, the port web had last")
          .Drops({0}));
  add(Case("LastPortSameAsWantedReportedOnce")
          .Wants(8850)
          .Last("web", 8850)
          .Busy(8850)
          .Gets(kWeb, "wanted port 8850 is busy; took")
          .Lacks("last port"));

  // --- Derived port and scan ----------------------------------------------
  add(Case("DerivedHeldScansUp")
          .With(Live("db", kWeb))
          .Gets(kWeb + 1,
                absl::StrCat("derived port ", kWeb,
                             " is held by db (pid 123); took ", kWeb + 1,
                             ", the first free port scanning up from ", kWeb)));
  add(Case("ScanSkipsHeldUnknownAndBusy")
          .With(Live("db", kWeb))
          .With(Unknown("cache", kWeb + 1))
          .Busy(kWeb + 2, "redis (pid 8)")
          .Gets(kWeb + 3, "scanning up from"));
  add(Case("ScanWrapsAroundToLo")
          .App("berth")
          .With(Live("a", kBerth))
          .With(Live("b", kBerth + 1))
          .With(Live("c", kBerth + 2))
          .With(Live("d", kBerth + 3))
          .With(Live("e", kBerth + 4))
          .With(Live("f", kBerth + 5))
          .Gets(8800, absl::StrCat("took 8800, the first free port scanning "
                                   "up from ",
                                   kBerth)));
  add(Case("DerivedCollisionOfTwoApps")
          .App("worker")
          .With(Live("api", kApi))
          .Gets(kWorker + 1, absl::StrCat("derived port ", kWorker,
                                          " is held by api (pid 123)")));
  add(Case("ScanTakesStalePort")
          .With(Live("db", kWeb))
          .With(Stale("old", kWeb + 1, Pid(56)))
          .Gets(kWeb + 1, "freed from the stale entry of old (pid 56)")
          .Drops({1}));
  add(Case("StalePortButBusyIsSkipped")
          .With(Stale("old", kWeb, Pid(56)))
          .Busy(kWeb)
          .Gets(kWeb + 1, absl::StrCat("derived port ", kWeb, " is busy; took"))
          .Drops({0}));
  add(Case("ScanSkipsEphemeral")
          .Ephemeral(8800, 8900)
          .Gets(8901, absl::StrCat("derived port ", kWeb,
                                   " is in the ephemeral range 8800-8900; "
                                   "took 8901")));
  // 6665-6669 are bad ports.
  add(Case("ScanSkipsBadPorts")
          .Range(6665, 6670)
          .Gets(6670, absl::StrCat("derived port ",
                                   DerivedPort("web", PortRange{6665, 6670}),
                                   " is on the browsers' bad-ports list; "
                                   "took 6670")));
  add(Case("SameAppOtherOwnerIsNotExisting")
          .With(Live("web", kWeb))
          .Gets(kWeb + 1, absl::StrCat("derived port ", kWeb,
                                       " is held by web (pid 123)")));
  add(Case("ReusedPidIsAnotherOwner")
          .With(Live("web", kWeb, kReused))
          .Gets(kWeb + 1, absl::StrCat("derived port ", kWeb,
                                       " is held by web (pid 100)")));
  add(Case("EntriesOnPortZeroAreHarmless")
          .With(Live("z", 0))
          .With(Stale("y", 0))
          .Gets(kWeb, "derived from the app name")
          .Drops({1}));

  // --- The same owner asking again ----------------------------------------
  add(Case("ExistingSameOwner")
          .With(Live("web", 8840, kMe))
          .Keeps(8840, "kept 8840, which pid 100 already holds for web"));
  add(Case("NoReuseGivesASecondPort")
          .NoReuse()
          .With(Live("web", kWeb, kMe))
          .Gets(kWeb + 1, "first free port scanning up"));
  add(Case("ExistingUnknownState")
          .With(Unknown("web", 8840, kMe))
          .Keeps(8840, "kept 8840"));
  add(Case("ExistingWithSameWanted")
          .Wants(8840)
          .With(Live("web", 8840, kMe))
          .Keeps(8840, "kept 8840"));
  add(Case("ExistingWantedDifferentAndFree")
          .Wants(8801)
          .With(Live("web", 8840, kMe))
          .Gets(8801, "took 8801, the wanted port"));
  add(Case("ExistingWantedDifferentAndBusy")
          .Wants(8801)
          .Busy(8801, "python3 (pid 77)")
          .With(Live("web", 8840, kMe))
          .Keeps(8840,
                 "wanted port 8801 is busy: python3 (pid 77) listens on "
                 "it; kept 8840"));
  add(Case("ExistingEvenIfBusy")
          .With(Live("web", 8840, kMe))
          .Busy(8840, "web (pid 100)")
          .Keeps(8840, "kept 8840"));
  add(Case("ExistingOutsideRange")
          .With(Live("web", 3000, kMe))
          .Keeps(3000, "kept 3000"));
  add(Case("ExistingInEphemeralRange")
          .With(Live("web", 40000, kMe))
          .Ephemeral(32768, 60999)
          .Keeps(40000, "kept 40000"));
  add(Case("ExistingBeforeLastPort")
          .Last("web", 8850)
          .With(Live("web", 8840, kMe))
          .Keeps(8840, "kept 8840"));
  add(Case("ExistingStillDropsStale")
          .With(Stale("db", 8850, Pid(55)))
          .With(Live("web", 8840, kMe))
          .With(Stale("x", 8860, Pid(56)))
          .Keeps(8840, "kept 8840")
          .Drops({0, 2}));
  add(Case("ExistingFirstOfTwo")
          .With(Live("web", 8841, kMe))
          .With(Live("web", 8840, kMe))
          .Keeps(8841, "kept 8841"));
  add(Case("ExistingWantedPicksMatchingEntry")
          .Wants(8840)
          .With(Live("web", 8841, kMe))
          .With(Live("web", 8840, kMe))
          .Keeps(8840, "kept 8840"));
  add(Case("StaleEntryOfSameOwnerIsNotExisting")
          .With(Stale("web", 8840, kMe))
          .Gets(8840, "took 8840, the port web had last")
          .Drops({0}));
  add(Case("OwnPortAlsoHeldByOtherIsNotKept")
          .With(Live("web", 8840, kMe))
          .With(Live("db", 8840))
          .Gets(kWeb, "derived from the app name"));
  add(Case("OwnPortOfAnotherAppIsNotExisting")
          .With(Live("api", kWeb, kMe))
          .Gets(kWeb + 1, absl::StrCat("derived port ", kWeb,
                                       " is held by api (pid 100)")));

  // --- Stale and unknown entries ------------------------------------------
  add(Case("DropEveryStaleNeverUnknown")
          .With(Unknown("a", 8801))
          .With(Stale("b", 8802, Pid(2)))
          .With(Live("c", 8803, Pid(3)))
          .With(Stale("d", 8804, Pid(4)))
          .With(Unknown("e", 8805, Pid(5)))
          .Gets(kWeb, "derived")
          .Drops({1, 3}));

  // --- Ranges -------------------------------------------------------------
  add(Case("RangeOfSizeOne").Range(9000, 9000).Gets(9000, "took 9000"));
  add(Case("RangeOfSizeOneTop").Range(65535, 65535).Gets(65535, "took 65535"));
  add(Case("FullRange")
          .Range(1, 65535)
          .Gets(DerivedPort("web", PortRange{1, 65535}), "derived"));
  add(Case("FullRangeWithEphemeral")
          .Range(1, 65535)
          .Ephemeral(32768, 60999)
          .Gets(61000,
                "is in the ephemeral range 32768-60999; took 61000, "
                "the first free port scanning up from"));

  // --- Exhaustion ---------------------------------------------------------
  add(Case("ExhaustedAllLive")
          .FillDefaultRange()
          .Fails(StatusCode::kResourceExhausted,
                 "no free port in 8800-8999: 200 held by live processes, 0 "
                 "held by processes of unknown state, 0 busy, 0 reserved "
                 "(ephemeral range, browser bad ports, below 1024)"));
  add(Case("ExhaustedButWantedOutsideRangeIsFree")
          .FillDefaultRange()
          .Wants(3000)
          .Gets(3000, "took 3000, the wanted port"));
  add(Case("ExhaustedNamesWanted")
          .FillDefaultRange()
          .Wants(8801)
          .Fails(StatusCode::kResourceExhausted,
                 "wanted port 8801 is held by app8801 (pid 8801)"));
  // 8850 is held by this owner for web, and by app8850: not kept.
  add(Case("ExhaustedOwnPortHeldByOtherTooIsNotKept")
          .FillDefaultRange()
          .With(Live("web", 8850, kMe))
          .Fails(StatusCode::kResourceExhausted, "200 held by live processes"));
  add(Case("ExhaustedRangeOfSizeOne")
          .Range(9000, 9000)
          .With(Live("db", 9000))
          .Fails(StatusCode::kResourceExhausted,
                 "no free port in 9000-9000: 1 held by live processes, 0 held "
                 "by processes of unknown state, 0 busy, 0 reserved"));
  // 6660-6670: 6665-6669 are bad ports.
  add(Case("ExhaustedCountsEachKind")
          .Range(6660, 6670)
          .With(Live("a", 6660))
          .With(Unknown("b", 6661))
          .With(Live("c", 6661))  // live wins over unknown on one port
          .With(Unknown("d", 6662))
          .With(Unknown("d", 6662))
          .With(Stale("e", 6663))
          .Busy(6663)
          .Busy(6664, "nc (pid 5)")
          .Busy(6670)
          .Busy(6667)  // reserved before busy
          .Fails(StatusCode::kResourceExhausted,
                 "no free port in 6660-6670: 2 held by live processes, 1 held "
                 "by processes of unknown state, 3 busy, 5 reserved")
          .Drops({5}));
  add(Case("ExhaustedBelow1024AndEphemeral")
          .Range(1000, 1030)
          .Ephemeral(1025, 1040)
          .With(Live("a", 1024))
          .Fails(StatusCode::kResourceExhausted,
                 "no free port in 1000-1030: 1 held by live processes, 0 held "
                 "by processes of unknown state, 0 busy, 30 reserved"));
  add(Case("ExhaustedBelow1024Only")
          .Range(1, 1023)
          .Fails(StatusCode::kResourceExhausted, "1023 reserved"));

  // --- Invalid requests ---------------------------------------------------
  add(Case("EmptyApp")
          .App("")
          .Fails(StatusCode::kInvalidArgument, "empty app name"));
  add(Case("WantedZero")
          .Wants(0)
          .Fails(StatusCode::kInvalidArgument, "wanted port 0"));
  add(Case("RangeLoAboveHi")
          .Range(9000, 8999)
          .Fails(StatusCode::kInvalidArgument, "9000-8999"));
  add(Case("RangeLoZero")
          .Range(0, 100)
          .Fails(StatusCode::kInvalidArgument, "starts at 0"));
  add(Case("EphemeralLoAboveHi")
          .Ephemeral(61000, 32768)
          .Fails(StatusCode::kInvalidArgument, "ephemeral range 61000-32768"));

  return cases;
}

class AllocateTable : public ::testing::TestWithParam<Case> {};

TEST_P(AllocateTable, Decides) {
  const Case& c = GetParam();
  const absl::StatusOr<Decision> got = Allocate(c.request, c.snapshot);
  if (c.code != absl::StatusCode::kOk) {
    ASSERT_FALSE(got.ok()) << "port " << got->port << ": " << got->reason;
    EXPECT_EQ(got.status().code(), c.code) << got.status();
    EXPECT_THAT(got.status().message(), HasSubstr(c.text));
    if (!c.absent.empty()) {
      EXPECT_THAT(got.status().message(), Not(HasSubstr(c.absent)));
    }
    return;
  }
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(c.port.has_value());
  EXPECT_EQ(got->port, *c.port) << got->reason;
  EXPECT_EQ(got->existing, c.existing) << got->reason;
  EXPECT_EQ(got->existing, got->source == Source::kExisting);
  EXPECT_THAT(got->reason, HasSubstr(c.text));
  if (!c.absent.empty()) {
    EXPECT_THAT(got->reason, Not(HasSubstr(c.absent)));
  }
  EXPECT_THAT(got->drop, ElementsAreArray(c.drop));
}

INSTANTIATE_TEST_SUITE_P(Allocator, AllocateTable, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

TEST(Allocate, ReportsWhichCandidate) {
  Request request{"web", kMe, std::nullopt, kDefaultRange};
  Snapshot snapshot;
  EXPECT_EQ(Allocate(request, snapshot)->source, Source::kDerived);
  snapshot.last_port["web"] = 8850;
  EXPECT_EQ(Allocate(request, snapshot)->source, Source::kLast);
  request.wanted = 8801;
  EXPECT_EQ(Allocate(request, snapshot)->source, Source::kWanted);
  snapshot.entries.push_back(Live("web", 8801, kMe));
  EXPECT_EQ(Allocate(request, snapshot)->source, Source::kExisting);
  snapshot.entries.push_back(Live("db", kWeb));
  snapshot.entries[0].owner = kOther;
  snapshot.last_port.clear();
  EXPECT_EQ(Allocate(request, snapshot)->source, Source::kScan);
}

// --- The probe loop the registry runs ---------------------------------------

// Listening is what the OS would say: ports something listens on that the
// registry does not know about until it probes them.
struct ProbeLoopResult {
  absl::Status status;
  uint16_t port = 0;
  int calls = 0;
};

ProbeLoopResult RunProbeLoop(const Request& request, Snapshot snapshot,
                             const std::vector<uint16_t>& listening) {
  ProbeLoopResult result;
  const int limit = 70000;
  for (result.calls = 1; result.calls <= limit; ++result.calls) {
    absl::StatusOr<Decision> decision = Allocate(request, snapshot);
    if (!decision.ok()) {
      result.status = decision.status();
      return result;
    }
    if (decision->existing) {
      result.port = decision->port;
      return result;
    }
    EXPECT_FALSE(snapshot.busy.contains(decision->port))
        << "handed out a port already known busy: " << decision->port;
    if (std::find(listening.begin(), listening.end(), decision->port) ==
        listening.end()) {
      result.port = decision->port;
      return result;
    }
    snapshot.busy[decision->port] = "probe";
  }
  result.status = absl::InternalError("probe loop did not end");
  return result;
}

TEST(ProbeLoop, FindsTheOneFreePort) {
  std::vector<uint16_t> listening;
  for (uint16_t port = kDefaultRange.lo; port <= kDefaultRange.hi; ++port) {
    if (port != 8900) listening.push_back(port);
  }
  const Request request{"web", kMe, 8801, kDefaultRange};
  const ProbeLoopResult result = RunProbeLoop(request, Snapshot{}, listening);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.port, 8900);
  EXPECT_LE(result.calls, 201);
}

TEST(ProbeLoop, EndsExhaustedWithEveryPortCountedBusy) {
  std::vector<uint16_t> listening = {3000};  // the wanted port, too
  for (uint16_t port = kDefaultRange.lo; port <= kDefaultRange.hi; ++port) {
    listening.push_back(port);
  }
  const Request request{"web", kMe, 3000, kDefaultRange};
  const ProbeLoopResult result = RunProbeLoop(request, Snapshot{}, listening);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kResourceExhausted)
      << result.status;
  EXPECT_THAT(result.status.message(), HasSubstr("200 busy"));
  EXPECT_THAT(result.status.message(), HasSubstr("wanted port 3000 is busy"));
  // One call per port (range + wanted), plus the one that fails.
  EXPECT_EQ(result.calls, 202);
}

TEST(ProbeLoop, FullRangeEnds) {
  // 1..65535 with the ephemeral range out: only a few ports are listened on,
  // the loop still ends quickly.
  const Request request{"web", kMe, std::nullopt, PortRange{1, 65535}};
  Snapshot snapshot;
  snapshot.ephemeral = PortRange{32768, 60999};
  const ProbeLoopResult result =
      RunProbeLoop(request, snapshot, {61000, 61001});
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.port, 61002);
}

// --- Random snapshots against an independent model --------------------------

// HeldByOther: a live or unknown entry of someone else holds `port`.
bool HeldByOther(uint16_t port, const Request& request,
                 const Snapshot& snapshot) {
  for (const Entry& e : snapshot.entries) {
    if (e.port != port || e.state == EntryState::kStale) continue;
    if (e.owner == request.owner && e.app == request.app) continue;
    return true;
  }
  return false;
}

// Blocked restates the never-rules plainly, to check Allocate against.
bool Blocked(uint16_t port, const Request& request, const Snapshot& snapshot) {
  if (port < 1024 || IsBadPort(port)) return true;
  if (snapshot.ephemeral && snapshot.ephemeral->lo <= port &&
      port <= snapshot.ephemeral->hi) {
    return true;
  }
  if (snapshot.busy.contains(port)) return true;
  return HeldByOther(port, request, snapshot);
}

TEST(AllocateRandom, KeepsEveryPromise) {
  std::mt19937 rng(20260101);  // fixed seed: the same cases on every run
  auto pick = [&rng](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  const std::vector<std::string> apps = {"web", "api", "db", "x"};
  const std::vector<Owner> owners = {kMe, kOther, kReused, Pid(7)};
  // Ranges near reserved ports, so every rule comes into play.
  const std::vector<PortRange> ranges = {
      {1015, 1030}, {6660, 6700}, {8800, 8815}, {60990, 61010}, {7000, 7000}};
  int exhausted = 0, existing = 0, fresh = 0;
  for (int round = 0; round < 3000; ++round) {
    Request request;
    request.app = apps[pick(0, 3)];
    request.owner = owners[pick(0, 3)];
    request.range = ranges[pick(0, static_cast<int>(ranges.size()) - 1)];
    const int span = request.range.hi - request.range.lo + 4;
    auto some_port = [&] {
      return static_cast<uint16_t>(request.range.lo - 2 + pick(0, span));
    };
    if (pick(0, 2) == 0) request.wanted = some_port();
    Snapshot snapshot;
    for (int i = pick(0, span); i > 0; --i) {
      snapshot.entries.push_back(Entry{apps[pick(0, 3)], some_port(),
                                       owners[pick(0, 3)],
                                       static_cast<EntryState>(pick(0, 2))});
    }
    for (int i = pick(0, span); i > 0; --i) snapshot.busy[some_port()] = "";
    if (pick(0, 1) == 0) snapshot.last_port[request.app] = some_port();
    if (pick(0, 2) == 0) {
      const uint16_t a = some_port(), b = some_port();
      snapshot.ephemeral = PortRange{std::min(a, b), std::max(a, b)};
    }
    SCOPED_TRACE(absl::StrCat("round ", round));

    const absl::StatusOr<Decision> got = Allocate(request, snapshot);
    std::vector<size_t> stale;
    for (size_t i = 0; i < snapshot.entries.size(); ++i) {
      if (snapshot.entries[i].state == EntryState::kStale) stale.push_back(i);
    }
    // What the owner keeps: its entry for the app whose port nobody else
    // holds, the one on the wanted port first.
    std::optional<uint16_t> own_first, own_wanted;
    for (const Entry& e : snapshot.entries) {
      if (e.state == EntryState::kStale || e.owner != request.owner ||
          e.app != request.app || HeldByOther(e.port, request, snapshot)) {
        continue;
      }
      if (!own_first) own_first = e.port;
      if (e.port == request.wanted) own_wanted = e.port;
    }
    // Otherwise the first allowed candidate: wanted, last, stale entries of
    // the app, derived, then the range upward from the derived port.
    std::vector<uint16_t> order;
    if (request.wanted) order.push_back(*request.wanted);
    std::vector<uint16_t> last;
    if (snapshot.last_port.contains(request.app)) {
      last.push_back(snapshot.last_port.at(request.app));
    }
    for (const Entry& e : snapshot.entries) {
      if (e.state == EntryState::kStale && e.app == request.app) {
        last.push_back(e.port);
      }
    }
    for (const uint16_t p : last) {
      if (request.range.lo <= p && p <= request.range.hi) order.push_back(p);
    }
    const uint16_t derived = DerivedPort(request.app, request.range);
    for (uint32_t p = derived; p <= request.range.hi; ++p) {
      order.push_back(static_cast<uint16_t>(p));
    }
    for (uint32_t p = request.range.lo; p < derived; ++p) {
      order.push_back(static_cast<uint16_t>(p));
    }
    std::optional<uint16_t> first_allowed;
    for (const uint16_t p : order) {
      if (!Blocked(p, request, snapshot)) {
        first_allowed = p;
        break;
      }
    }
    const bool wanted_allowed =
        request.wanted && first_allowed == request.wanted;

    if (own_wanted || (own_first && !wanted_allowed)) {
      ++existing;
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_TRUE(got->existing) << got->reason;
      EXPECT_EQ(got->port, own_wanted ? *own_wanted : *own_first)
          << got->reason;
      EXPECT_THAT(got->drop, ElementsAreArray(stale));
      continue;
    }
    if (!first_allowed) {
      ++exhausted;
      ASSERT_FALSE(got.ok()) << got->port << ": " << got->reason;
      EXPECT_EQ(got.status().code(), absl::StatusCode::kResourceExhausted)
          << got.status();
      continue;
    }
    ++fresh;
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_FALSE(got->existing) << got->reason;
    EXPECT_EQ(got->port, *first_allowed) << got->reason;
    EXPECT_FALSE(Blocked(got->port, request, snapshot)) << got->reason;
    EXPECT_THAT(got->drop, ElementsAreArray(stale));
    // The same inputs give the same decision.
    const absl::StatusOr<Decision> again = Allocate(request, snapshot);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->port, got->port);
    EXPECT_EQ(again->reason, got->reason);
  }
  // The generator reaches every outcome.
  EXPECT_GT(exhausted, 50);
  EXPECT_GT(existing, 50);
  EXPECT_GT(fresh, 500);
}

// --- DerivedPort ------------------------------------------------------------

TEST(DerivedPort, Golden) {
  // FNV-1a 32-bit published vectors: "" -> 0x811c9dc5, "a" -> 0xe40c292c,
  // "foobar" -> 0xbf9cf968. On 1..65535 the port is 1 + hash % 65535.
  EXPECT_EQ(DerivedPort("", PortRange{1, 65535}), 1 + 0x811c9dc5u % 65535);
  EXPECT_EQ(DerivedPort("a", PortRange{1, 65535}), 3386);
  EXPECT_EQ(DerivedPort("foobar", PortRange{1, 65535}), 47366);
  EXPECT_EQ(DerivedPort("web", PortRange{1, 65535}), 52331);
  // The default range, as the table above uses it.
  EXPECT_EQ(DerivedPort("", kDefaultRange), 8861);
  EXPECT_EQ(DerivedPort("web", kDefaultRange), 8825);
  EXPECT_EQ(DerivedPort("api", kDefaultRange), 8967);
  EXPECT_EQ(DerivedPort("worker", kDefaultRange), 8967);
  EXPECT_EQ(DerivedPort("berth", kDefaultRange), 8994);
  EXPECT_EQ(DerivedPort("my-app", kDefaultRange), 8809);
  EXPECT_EQ(DerivedPort("frontend", kDefaultRange), 8885);
  // Every byte counts, also past a NUL.
  EXPECT_NE(DerivedPort(absl::string_view("a\0b", 3), PortRange{1, 65535}),
            DerivedPort(absl::string_view("a\0c", 3), PortRange{1, 65535}));
}

TEST(DerivedPort, StaysInRange) {
  const std::vector<PortRange> ranges = {
      {1, 65535},   {0, 65535},   {1, 1},       {65535, 65535},
      {8800, 8999}, {9000, 9000}, {1024, 1025}, {65534, 65535}};
  for (const PortRange range : ranges) {
    for (int i = 0; i < 2000; ++i) {
      const std::string app = absl::StrCat("app-", i);
      const uint16_t port = DerivedPort(app, range);
      ASSERT_GE(port, range.lo) << app << " " << range.lo << "-" << range.hi;
      ASSERT_LE(port, range.hi) << app << " " << range.lo << "-" << range.hi;
    }
  }
  EXPECT_EQ(DerivedPort("web", PortRange{9000, 9000}), 9000);
  EXPECT_EQ(DerivedPort("web", PortRange{9000, 8000}), 9000);
}

TEST(DerivedPort, SpreadsOverTheRange) {
  std::vector<int> hits(200, 0);
  for (int i = 0; i < 2000; ++i) {
    ++hits[DerivedPort(absl::StrCat("app-", i), kDefaultRange) - 8800];
  }
  EXPECT_EQ(std::count(hits.begin(), hits.end(), 0), 0);
}

// --- IsBadPort and ValidateRange --------------------------------------------

TEST(IsBadPort, MatchesFetchStandard) {
  const std::vector<uint16_t> bad = {
      1,    7,    9,    11,   13,   15,   17,   19,   20,   21,   22,   23,
      25,   37,   42,   43,   53,   69,   77,   79,   87,   95,   101,  102,
      103,  104,  109,  110,  111,  113,  115,  117,  119,  123,  135,  137,
      139,  143,  161,  179,  389,  427,  465,  512,  513,  514,  515,  526,
      530,  531,  532,  540,  548,  554,  556,  563,  587,  601,  636,  989,
      990,  993,  995,  1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
      6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080};
  ASSERT_EQ(bad.size(), 82u);
  int count = 0;
  for (uint32_t port = 0; port <= 65535; ++port) {
    const bool want = std::find(bad.begin(), bad.end(), port) != bad.end();
    EXPECT_EQ(IsBadPort(static_cast<uint16_t>(port)), want) << port;
    count += IsBadPort(static_cast<uint16_t>(port));
  }
  EXPECT_EQ(count, 82);
}

TEST(ValidateRange, Rules) {
  EXPECT_TRUE(ValidateRange(kDefaultRange).ok());
  EXPECT_TRUE(ValidateRange(PortRange{1, 65535}).ok());
  EXPECT_TRUE(ValidateRange(PortRange{9000, 9000}).ok());
  EXPECT_EQ(ValidateRange(PortRange{0, 10}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateRange(PortRange{0, 0}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateRange(PortRange{9001, 9000}).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace berth::allocator
