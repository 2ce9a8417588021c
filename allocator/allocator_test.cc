// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "allocator/allocator.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::allocator {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

// In kDefaultRange (8800-8999), "web" derives 8825 and "api" 8967.
constexpr uint16_t kWebDerived = 8825;

// World is what the registry would find: obstacles by port, with who.
struct World {
  std::map<uint16_t, std::pair<Obstacle, std::string>> obstacles;
};

// Outcome is what walking a plan through a world gives: the chosen
// candidate and the reason, or the error; and every candidate offered.
struct Outcome {
  std::optional<Candidate> chosen;
  std::string reason;
  absl::Status error;
  std::vector<Candidate> offered;
};

Outcome WalkThrough(const Plan& plan, const World& world) {
  Outcome out;
  EXPECT_TRUE(Validate(plan).ok()) << Validate(plan);
  Walk walk(plan);
  while (std::optional<Candidate> c = walk.Next()) {
    out.offered.push_back(*c);
    const auto it = world.obstacles.find(c->port);
    if (it == world.obstacles.end()) {
      out.chosen = *c;
      out.reason = walk.Took(*c);
      return out;
    }
    walk.Pass(*c, it->second.first, it->second.second);
  }
  out.error = walk.Exhausted();
  return out;
}

Plan Web() {
  Plan plan;
  plan.app = "web";
  return plan;
}

// --- Candidate order --------------------------------------------------------

struct OrderCase {
  std::string name;
  Plan plan;
  World world;
  uint16_t want_port;
  Source want_source;
  std::string want_reason;
};

std::vector<OrderCase> OrderCases() {
  std::vector<OrderCase> cases;
  {
    OrderCase c{"DerivedWhenNothingElse",
                Web(),
                {},
                kWebDerived,
                Source::kDerived,
                "took 8825, derived from the app name"};
    cases.push_back(c);
  }
  {
    Plan plan = Web();
    plan.wanted = 8801;
    cases.push_back({"WantedFirst",
                     plan,
                     {},
                     8801,
                     Source::kWanted,
                     "took 8801, the wanted port"});
  }
  {
    Plan plan = Web();
    plan.wanted = 20000;  // outside the range: still offered
    cases.push_back({"WantedOutsideTheRange",
                     plan,
                     {},
                     20000,
                     Source::kWanted,
                     "took 20000, the wanted port"});
  }
  {
    Plan plan = Web();
    plan.wanted = 8801;
    World world;
    world.obstacles[8801] = {Obstacle::kHeld, "api (pid 77)"};
    cases.push_back({"WantedHeld", plan, world, kWebDerived, Source::kDerived,
                     "wanted port 8801 is held by api (pid 77); took 8825, "
                     "derived from the app name"});
  }
  {
    Plan plan = Web();
    plan.wanted = 8801;
    World world;
    world.obstacles[8801] = {Obstacle::kBusy, "python3 (pid 4321)"};
    cases.push_back({"WantedBusy", plan, world, kWebDerived, Source::kDerived,
                     "wanted port 8801 is busy: python3 (pid 4321) listens "
                     "on it; took 8825, derived from the app name"});
  }
  {
    Plan plan = Web();
    plan.remembered = {8850, 8860};
    cases.push_back({"RememberedBeforeDerived",
                     plan,
                     {},
                     8850,
                     Source::kRemembered,
                     "took 8850, the port web had last"});
  }
  {
    Plan plan = Web();
    plan.remembered = {8850, 8860};
    World world;
    world.obstacles[8850] = {Obstacle::kHeldUnknown, "web (pid 5)"};
    cases.push_back({"SecondRemembered", plan, world, 8860, Source::kRemembered,
                     "last port 8850 is held by web (pid 5), whose state is "
                     "unknown; took 8860, the port web had last"});
  }
  {
    Plan plan = Web();
    plan.remembered = {20000};  // outside the range: not offered
    cases.push_back({"RememberedOutsideTheRangeIsSkipped",
                     plan,
                     {},
                     kWebDerived,
                     Source::kDerived,
                     "took 8825, derived from the app name"});
  }
  {
    World world;
    world.obstacles[kWebDerived] = {Obstacle::kHeld, ""};
    world.obstacles[8826] = {Obstacle::kBusy, ""};
    cases.push_back({"ScanUpFromDerived", Web(), world, 8827, Source::kScan,
                     "derived port 8825 is held by a live process; took "
                     "8827, the first free port scanning up from 8825"});
  }
  {
    Plan plan = Web();
    plan.app = "app-0";  // derives 8825 in 8820-8826
    plan.range = {8820, 8826};
    World world;
    world.obstacles[8825] = {Obstacle::kHeld, ""};
    world.obstacles[8826] = {Obstacle::kHeld, ""};
    cases.push_back({"ScanWrapsAround", plan, world, 8820, Source::kScan,
                     "derived port 8825 is held by a live process; took "
                     "8820, the first free port scanning up from 8825"});
  }
  {
    Plan plan = Web();
    plan.wanted = 80;
    cases.push_back({"WantedBelow1024",
                     plan,
                     {},
                     kWebDerived,
                     Source::kDerived,
                     "wanted port 80 is below 1024; took 8825, derived from "
                     "the app name"});
  }
  {
    Plan plan = Web();
    plan.wanted = 6000;
    cases.push_back({"WantedBadPort",
                     plan,
                     {},
                     kWebDerived,
                     Source::kDerived,
                     "wanted port 6000 is on the browsers' bad-ports list; "
                     "took 8825, derived from the app name"});
  }
  {
    Plan plan = Web();
    plan.ephemeral = PortRange{8800, 8830};
    cases.push_back({"EphemeralSkipped",
                     plan,
                     {},
                     8831,
                     Source::kScan,
                     "derived port 8825 is in the ephemeral range 8800-8830; "
                     "took 8831, the first free port scanning up from 8825"});
  }
  {
    Plan plan = Web();
    plan.exclude = {kWebDerived};
    cases.push_back({"ExcludedSkipped",
                     plan,
                     {},
                     8826,
                     Source::kScan,
                     "derived port 8825 is taken by another app of this "
                     "request; took 8826, the first free port scanning up "
                     "from 8825"});
  }
  {
    Plan plan = Web();
    plan.wanted = 8825;
    plan.remembered = {8825};
    cases.push_back({"ANamedPortIsOfferedOnce",
                     plan,
                     {},
                     8825,
                     Source::kWanted,
                     "took 8825, the wanted port"});
  }
  {
    World world;
    world.obstacles[kWebDerived] = {Obstacle::kReserved, ""};
    cases.push_back({"ReservedByTheOs", Web(), world, 8826, Source::kScan,
                     "derived port 8825 is refused by the operating system; "
                     "took 8826, the first free port scanning up from 8825"});
  }
  {
    World world;
    world.obstacles[kWebDerived] = {Obstacle::kReserved,
                                    "reserved by Windows (an excluded range)"};
    cases.push_back({"ReservedWithTheOsReason", Web(), world, 8826,
                     Source::kScan,
                     "derived port 8825 is reserved by Windows (an excluded "
                     "range); took 8826, the first free port scanning up from "
                     "8825"});
  }
  return cases;
}

class OrderTable : public ::testing::TestWithParam<OrderCase> {};

TEST_P(OrderTable, ChoosesAndSaysWhy) {
  const OrderCase& c = GetParam();
  const Outcome out = WalkThrough(c.plan, c.world);
  ASSERT_TRUE(out.chosen.has_value()) << out.error;
  EXPECT_EQ(out.chosen->port, c.want_port);
  EXPECT_EQ(out.chosen->source, c.want_source);
  EXPECT_EQ(out.reason, c.want_reason);
}

INSTANTIATE_TEST_SUITE_P(Walk, OrderTable, ::testing::ValuesIn(OrderCases()),
                         [](const auto& info) { return info.param.name; });

TEST(Walk, OffersNamedCandidatesThenTheScanInOrder) {
  Plan plan = Web();
  plan.app = "app-4";
  plan.range = {8820, 8827};
  ASSERT_EQ(DerivedPort(plan.app, plan.range), 8825);
  plan.wanted = 20000;
  plan.remembered = {8822, 8821};
  World world;
  for (uint16_t p : {20000, 8822, 8821, 8825, 8826, 8827, 8820, 8823}) {
    world.obstacles[p] = {Obstacle::kBusy, ""};
  }
  const Outcome out = WalkThrough(plan, world);
  ASSERT_TRUE(out.chosen.has_value());
  std::vector<uint16_t> ports;
  std::vector<Source> sources;
  for (const Candidate& c : out.offered) {
    ports.push_back(c.port);
    sources.push_back(c.source);
  }
  EXPECT_THAT(ports, ElementsAre(20000, 8822, 8821, 8825, 8826, 8827, 8820,
                                 8823, 8824));
  EXPECT_THAT(sources, ElementsAre(Source::kWanted, Source::kRemembered,
                                   Source::kRemembered, Source::kDerived,
                                   Source::kScan, Source::kScan, Source::kScan,
                                   Source::kScan, Source::kScan));
  EXPECT_EQ(out.chosen->port, 8824);
}

TEST(Walk, KeptNamesTheOwner) {
  Plan plan = Web();
  plan.wanted = 8801;
  Walk walk(plan);
  std::optional<Candidate> c = walk.Next();
  ASSERT_TRUE(c.has_value());
  walk.Pass(*c, Obstacle::kHeld, "api (pid 7)");
  EXPECT_EQ(walk.Kept(8825, 42),
            "wanted port 8801 is held by api (pid 7); kept 8825, which pid "
            "42 already holds for web");
}

TEST(Walk, TookNamesTheStaleHolder) {
  Walk walk(Web());
  std::optional<Candidate> c = walk.Next();
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(walk.Took(*c, "web (pid 9)"),
            "took 8825, derived from the app name, freed from the stale "
            "entry of web (pid 9)");
}

// --- Exhaustion -------------------------------------------------------------

TEST(Walk, ExhaustedCountsEveryPortOfTheRangeOnce) {
  Plan plan = Web();
  plan.range = {6660, 6679};  // holds bad ports 6665-6669 and 6679
  plan.wanted = 30000;
  plan.remembered = {6670};
  plan.ephemeral = PortRange{6670, 6672};
  plan.exclude = {6673};
  World world;
  world.obstacles[30000] = {Obstacle::kHeld, "db (pid 3)"};
  for (uint16_t p = 6660; p <= 6679; ++p) {
    if (p <= 6662) {
      world.obstacles[p] = {Obstacle::kHeld, ""};
    } else if (p <= 6664) {
      world.obstacles[p] = {Obstacle::kHeldUnknown, ""};
    } else {
      world.obstacles[p] = {Obstacle::kBusy, ""};
    }
  }
  const Outcome out = WalkThrough(plan, world);
  ASSERT_FALSE(out.chosen.has_value());
  EXPECT_EQ(out.error.code(), absl::StatusCode::kResourceExhausted);
  // 6660-6662 held, 6663-6664 unknown, 6674-6678 busy; 6665-6669 and 6679
  // bad, 6670-6672 ephemeral, 6673 excluded: reserved.
  EXPECT_EQ(out.error.message(),
            "no free port in 6660-6679 for web: 3 held by live processes, 2 "
            "held by processes of unknown state, 5 busy, 10 reserved "
            "(below 1024, the browsers' bad ports, the ephemeral range, or "
            "refused by the operating system); wanted port "
            "30000 is held by db (pid 3); stop a server that holds a port or "
            "use a wider range");
}

TEST(Walk, EveryPortOfAFullRangeIsOfferedAtMostOnce) {
  Plan plan = Web();
  plan.range = {1, 65535};
  plan.remembered = {8800, 8801};
  Walk walk(plan);
  std::set<uint16_t> seen;
  size_t offered = 0;
  while (std::optional<Candidate> c = walk.Next()) {
    ASSERT_TRUE(seen.insert(c->port).second) << c->port;
    ++offered;
    walk.Pass(*c, Obstacle::kBusy, "");
  }
  // Everything but the ports below 1024 and the 19 bad ports above it.
  EXPECT_EQ(offered, 65535u - 1023u - 19u);
  EXPECT_THAT(walk.Exhausted().message(), HasSubstr("64493 busy"));
  EXPECT_THAT(walk.Exhausted().message(), HasSubstr("1042 reserved"));
}

// --- Validate ---------------------------------------------------------------

TEST(Validate, RefusesBadPlans) {
  Plan ok = Web();
  EXPECT_TRUE(Validate(ok).ok());
  Plan empty = Web();
  empty.app.clear();
  EXPECT_EQ(Validate(empty).code(), absl::StatusCode::kInvalidArgument);
  Plan zero = Web();
  zero.wanted = 0;
  EXPECT_EQ(Validate(zero).code(), absl::StatusCode::kInvalidArgument);
  Plan range = Web();
  range.range = {9000, 8000};
  EXPECT_EQ(Validate(range).code(), absl::StatusCode::kInvalidArgument);
  Plan ephemeral = Web();
  ephemeral.ephemeral = PortRange{9000, 8000};
  EXPECT_EQ(Validate(ephemeral).code(), absl::StatusCode::kInvalidArgument);
}

// --- Random plans: the promises hold ----------------------------------------

TEST(WalkRandom, KeepsEveryPromise) {
  std::mt19937 rng(20261129);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  int chosen = 0, exhausted = 0;
  for (int round = 0; round < 3000; ++round) {
    Plan plan;
    plan.app = absl::StrCat("app", pick(0, 5));
    const int lo = pick(1000, 1100);
    plan.range = {static_cast<uint16_t>(lo),
                  static_cast<uint16_t>(lo + pick(0, 40))};
    if (pick(0, 1)) plan.wanted = static_cast<uint16_t>(pick(990, 1200));
    for (int i = pick(0, 3); i > 0; --i) {
      plan.remembered.push_back(static_cast<uint16_t>(pick(990, 1200)));
    }
    if (pick(0, 3) == 0) {
      const int elo = pick(1000, 1150);
      plan.ephemeral = PortRange{static_cast<uint16_t>(elo),
                                 static_cast<uint16_t>(elo + pick(0, 20))};
    }
    for (int i = pick(0, 3); i > 0; --i) {
      plan.exclude.push_back(static_cast<uint16_t>(pick(1000, 1150)));
    }
    World world;
    for (int p = 990; p <= 1200; ++p) {
      if (pick(0, 9) < 7) {
        world.obstacles[static_cast<uint16_t>(p)] = {
            static_cast<Obstacle>(pick(0, 3)), ""};
      }
    }
    const Outcome out = WalkThrough(plan, world);
    std::set<uint16_t> seen;
    for (const Candidate& c : out.offered) {
      ASSERT_TRUE(seen.insert(c.port).second) << "offered twice: " << c.port;
      ASSERT_GE(c.port, 1024);
      ASSERT_FALSE(IsBadPort(c.port));
      ASSERT_TRUE(std::find(plan.exclude.begin(), plan.exclude.end(), c.port) ==
                  plan.exclude.end());
      if (plan.ephemeral) {
        ASSERT_FALSE(plan.ephemeral->lo <= c.port &&
                     c.port <= plan.ephemeral->hi);
      }
      const bool in_range = plan.range.lo <= c.port && c.port <= plan.range.hi;
      ASSERT_TRUE(in_range || (plan.wanted && c.port == *plan.wanted));
    }
    if (out.chosen) {
      ++chosen;
      EXPECT_EQ(world.obstacles.count(out.chosen->port), 0u);
    } else {
      ++exhausted;
      // Every free, allowed port of the range would have been chosen.
      for (int p = plan.range.lo; p <= plan.range.hi; ++p) {
        const auto port = static_cast<uint16_t>(p);
        const bool allowed = port >= 1024 && !IsBadPort(port) &&
                             std::find(plan.exclude.begin(), plan.exclude.end(),
                                       port) == plan.exclude.end() &&
                             !(plan.ephemeral && plan.ephemeral->lo <= port &&
                               port <= plan.ephemeral->hi);
        if (allowed) {
          ASSERT_EQ(world.obstacles.count(port), 1u) << port;
        }
      }
      EXPECT_EQ(out.error.code(), absl::StatusCode::kResourceExhausted);
    }
  }
  EXPECT_GT(chosen, 500);
  EXPECT_GT(exhausted, 50);
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

// The fetch standard's table of bad ports, as it writes it: each port with
// the service it belongs to (6665-6669 are one row, "ircu").
TEST(IsBadPort, MatchesFetchStandard) {
  struct Row {
    uint16_t lo, hi;
    const char* service;
  };
  const Row rows[] = {
      {1, 1, "tcpmux"},
      {7, 7, "echo"},
      {9, 9, "discard"},
      {11, 11, "systat"},
      {13, 13, "daytime"},
      {15, 15, "netstat"},
      {17, 17, "qotd"},
      {19, 19, "chargen"},
      {20, 20, "ftp-data"},
      {21, 21, "ftp"},
      {22, 22, "ssh"},
      {23, 23, "telnet"},
      {25, 25, "smtp"},
      {37, 37, "time"},
      {42, 42, "name"},
      {43, 43, "nicname"},
      {53, 53, "domain"},
      {69, 69, "tftp"},
      {77, 77, "priv-rjs"},
      {79, 79, "finger"},
      {87, 87, "ttylink"},
      {95, 95, "supdup"},
      {101, 101, "hostname"},
      {102, 102, "iso-tsap"},
      {103, 103, "gppitnp"},
      {104, 104, "acr-nema"},
      {109, 109, "pop2"},
      {110, 110, "pop3"},
      {111, 111, "sunrpc"},
      {113, 113, "auth"},
      {115, 115, "sftp"},
      {117, 117, "uucp-path"},
      {119, 119, "nntp"},
      {123, 123, "ntp"},
      {135, 135, "epmap"},
      {137, 137, "netbios-ns"},
      {139, 139, "netbios-ssn"},
      {143, 143, "imap"},
      {161, 161, "snmp"},
      {179, 179, "bgp"},
      {389, 389, "ldap"},
      {427, 427, "svrloc"},
      {465, 465, "submissions"},
      {512, 512, "exec"},
      {513, 513, "login"},
      {514, 514, "shell"},
      {515, 515, "printer"},
      {526, 526, "tempo"},
      {530, 530, "courier"},
      {531, 531, "chat"},
      {532, 532, "netnews"},
      {540, 540, "uucp"},
      {548, 548, "afp"},
      {554, 554, "rtsp"},
      {556, 556, "remotefs"},
      {563, 563, "nntps"},
      {587, 587, "submission"},
      {601, 601, "syslog-conn"},
      {636, 636, "ldaps"},
      {989, 989, "ftps-data"},
      {990, 990, "ftps"},
      {993, 993, "imaps"},
      {995, 995, "pop3s"},
      {1719, 1719, "h323gatestat"},
      {1720, 1720, "h323hostcall"},
      {1723, 1723, "pptp"},
      {2049, 2049, "nfs"},
      {3659, 3659, "apple-sasl"},
      {4045, 4045, "npp"},
      {4190, 4190, "sieve"},
      {5060, 5060, "sip"},
      {5061, 5061, "sips"},
      {6000, 6000, "x11"},
      {6566, 6566, "sane-port"},
      {6665, 6669, "ircu"},
      {6679, 6679, "osaut"},
      {6697, 6697, "ircs-u"},
      {10080, 10080, "amanda"},
  };
  std::map<uint32_t, const char*> service;
  for (const Row& row : rows) {
    for (uint32_t port = row.lo; port <= row.hi; ++port) {
      service[port] = row.service;
    }
  }
  ASSERT_EQ(service.size(), 82u);
  for (uint32_t port = 0; port <= 65535; ++port) {
    const auto it = service.find(port);
    EXPECT_EQ(IsBadPort(static_cast<uint16_t>(port)), it != service.end())
        << port << (it != service.end() ? it->second : "");
  }
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
