// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "registry/codec.h"

#include <optional>
#include <random>
#include <vector>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::registry {
namespace {

using ::testing::HasSubstr;
using v1::Decode;
using v1::Encode;
using v1::Record;
using v1::RegistryData;

constexpr absl::string_view kGolden =
    "berth-registry 1\n"
    "boot 9f0c6a2e-51b4\n"
    "entry 8800 web pid=4242 start=1234567 since=1764180000 lease=1\n"
    "entry 8801 my%20app pid=7 start=0 since=5 lease=0 color=blue x-y=1\n"
    "last 8802 api\n"
    "future kind of line\n"
    "end\n";

RegistryData GoldenData() {
  RegistryData d;
  d.boot_id = "9f0c6a2e-51b4";
  d.entries.push_back({8800, "web", 4242, 1234567, 1764180000, true, {}});
  d.entries.push_back(
      {8801, "my app", 7, 0, 5, false, {{"color", "blue"}, {"x-y", "1"}}});
  d.last.push_back({8802, "api"});
  d.unknown_lines.push_back("future kind of line");
  return d;
}

void ExpectSame(const RegistryData& a, const RegistryData& b) {
  EXPECT_EQ(a.boot_id, b.boot_id);
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (size_t i = 0; i < a.entries.size(); ++i) {
    const Record& x = a.entries[i];
    const Record& y = b.entries[i];
    EXPECT_EQ(x.port, y.port);
    EXPECT_EQ(x.app, y.app);
    EXPECT_EQ(x.pid, y.pid);
    EXPECT_EQ(x.start, y.start);
    EXPECT_EQ(x.since, y.since);
    EXPECT_EQ(x.lease, y.lease);
    EXPECT_EQ(x.extra, y.extra);
  }
  ASSERT_EQ(a.last.size(), b.last.size());
  for (size_t i = 0; i < a.last.size(); ++i) {
    EXPECT_EQ(a.last[i].port, b.last[i].port);
    EXPECT_EQ(a.last[i].app, b.last[i].app);
  }
  EXPECT_EQ(a.unknown_lines, b.unknown_lines);
}

TEST(CodecV1Test, EncodesTheDocumentedFormat) {
  EXPECT_EQ(Encode(GoldenData()), kGolden);
}

TEST(CodecV1Test, DecodesTheDocumentedFormat) {
  auto d = Decode(kGolden);
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectSame(*d, GoldenData());
}

TEST(CodecV1Test, UnknownFieldsAndLinesSurviveARewrite) {
  auto d = Decode(kGolden);
  ASSERT_TRUE(d.ok());
  d->entries.erase(d->entries.begin());  // a rewrite that drops an entry
  const std::string out = Encode(*d);
  EXPECT_THAT(out, HasSubstr("color=blue x-y=1\n"));
  EXPECT_THAT(out, HasSubstr("\nfuture kind of line\n"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("8800")));
}

TEST(CodecV1Test, EmptyFileIsAnEmptyRegistry) {
  auto d = Decode("");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->entries.empty());
  EXPECT_EQ(Encode(*d), "berth-registry 1\nend\n");
}

TEST(CodecV1Test, AppNamesRoundTripWhateverTheirBytes) {
  for (std::string app : {std::string("web"), std::string("a b=c%d"),
                          std::string("caf\xc3\xa9"), std::string("%20"),
                          std::string("tab\there"), std::string(200, 'x')}) {
    EXPECT_EQ(*UnescapeApp(EscapeApp(app)), app);
    EXPECT_EQ(EscapeApp(app).find(' '), std::string::npos);
  }
  EXPECT_EQ(EscapeApp("a b"), "a%20b");
}

TEST(CodecV1Test, RejectsBadEscapes) {
  for (absl::string_view bad : {"%", "%2", "%zz", "a%2", ""}) {
    EXPECT_FALSE(UnescapeApp(bad).ok()) << bad;
  }
}

struct BadCase {
  const char* name;
  std::string bytes;
  const char* message;
};

TEST(CodecV1Test, RejectsWhatIsNotARegistry) {
  const std::string head = "berth-registry 1\n";
  const BadCase cases[] = {
      {"garbage", "hello world\n", "expected \"berth-registry 1\""},
      {"wrong version", "berth-registry 2\nend\n", "berth-registry 2"},
      {"binary", std::string("berth-registry 1\n\0\1\2end\n", 22), "NUL"},
      {"no newline", head + "end", "cut short"},
      {"no end", head + "entry 8800 web pid=1\n", "no \"end\""},
      {"after end", head + "end\nentry 8800 web pid=1\n", "after \"end\""},
      {"port zero", head + "entry 0 web pid=1\nend\n", "bad port"},
      {"port too big", head + "entry 65536 web pid=1\nend\n", "bad port"},
      {"signed port", head + "entry +80 web pid=1\nend\n", "bad port"},
      {"no pid", head + "entry 8800 web start=1\nend\n", "without pid"},
      {"pid zero", head + "entry 8800 web pid=0\nend\n", "bad value for pid"},
      {"huge pid", head + "entry 8800 web pid=99999999999999999999\nend\n",
       "bad value for pid"},
      {"negative start", head + "entry 8800 web pid=1 start=-1\nend\n",
       "bad value for start"},
      {"bad lease", head + "entry 8800 web pid=1 lease=2\nend\n",
       "bad value for lease"},
      {"twice", head + "entry 8800 web pid=1 pid=2\nend\n", "given twice"},
      {"no equals", head + "entry 8800 web pid=1 oops\nend\n", "has no ="},
      {"held twice", head + "entry 8800 a pid=1\nentry 8800 b pid=2\nend\n",
       "held twice"},
      {"empty line", head + "\nend\n", "empty line"},
      {"bad kind", head + "ENTRY 8800 web pid=1\nend\n", "not a registry"},
      {"boot twice", head + "boot a\nboot b\nend\n", "bad boot"},
      {"bad last", head + "last 8800\nend\n", "last needs"},
      {"bad app", head + "entry 8800 we%zzb pid=1\nend\n", "escape"},
  };
  for (const BadCase& c : cases) {
    auto d = Decode(c.bytes);
    EXPECT_FALSE(d.ok()) << c.name;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss) << c.name;
    EXPECT_THAT(d.status().message(), HasSubstr(c.message)) << c.name;
  }
}

TEST(CodecV1Test, EveryTruncationIsDetected) {
  const std::string full(kGolden);
  for (size_t n = 1; n < full.size(); ++n) {
    EXPECT_FALSE(Decode(full.substr(0, n)).ok()) << "cut at " << n;
  }
}

TEST(CodecV1Test, TenMegabytesOfGarbageIsRejectedQuickly) {
  std::string big = "berth-registry 1\n";
  big.append(10 << 20, 'x');
  big.push_back('\n');
  EXPECT_FALSE(Decode(big).ok());
}

// A seeded run of random damage: decode must return (ok or DataLoss), never
// crash or hang, and whatever it accepts must re-encode to something that
// decodes to the same data.
TEST(CodecV1Test, RandomDamageNeverCrashes) {
  std::mt19937 rng(20261126);
  const std::string full(kGolden);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = full;
    switch (rng() % 3) {
      case 0:  // bit flips
        for (int k = 0, n = 1 + rng() % 4; k < n; ++k) {
          bytes[rng() % bytes.size()] ^= static_cast<char>(1 << (rng() % 8));
        }
        break;
      case 1:  // truncation
        bytes.resize(rng() % bytes.size());
        break;
      default:  // random bytes
        bytes.resize(rng() % 64);
        for (char& c : bytes) c = static_cast<char>(rng());
    }
    auto d = Decode(bytes);
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
      continue;
    }
    ++accepted;
    auto again = Decode(Encode(*d));
    ASSERT_TRUE(again.ok()) << again.status();
    ExpectSame(*again, *d);
  }
  EXPECT_GT(accepted, 0);  // some flips land in harmless places
}

// --- Format 2: lease records ------------------------------------------------

constexpr absl::string_view kLeaseGolden =
    "berth-lease 2\n"
    "port 8825\n"
    "app my%20app\n"
    "scope /home/ada/src/shop%20v2\n"
    "pid 4242\n"
    "start 1234567\n"
    "unique 99881\n"
    "pidns 4026531836\n"
    "boot 9f0c6a2e-51b4\n"
    "since 1764180000\n"
    "hold lock+pid\n"
    "color blue sky\n"
    "end\n";

LeaseRecord GoldenLease() {
  LeaseRecord r;
  r.port = 8825;
  r.app = "my app";
  r.scope = "/home/ada/src/shop v2";
  r.pid = 4242;
  r.start = 1234567;
  r.unique_id = 99881;
  r.pid_namespace = 4026531836u;
  r.boot_id = "9f0c6a2e-51b4";
  r.since = 1764180000;
  r.hold = Hold::kLockOrPid;
  r.extra = {{"color", "blue sky"}};
  return r;
}

TEST(LeaseCodecTest, EncodesAndDecodesTheDocumentedFormat) {
  EXPECT_EQ(EncodeLease(GoldenLease()), kLeaseGolden);
  absl::StatusOr<LeaseRecord> r = DecodeLease(kLeaseGolden);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(*r == GoldenLease());
}

TEST(LeaseCodecTest, OptionalFieldsMayBeAbsent) {
  LeaseRecord r;
  r.port = 1;
  r.app = "a";
  r.pid = 1;
  r.since = 0;
  r.hold = Hold::kPid;
  EXPECT_EQ(EncodeLease(r),
            "berth-lease 2\nport 1\napp a\npid 1\nsince 0\nhold pid\nend\n");
  absl::StatusOr<LeaseRecord> back = DecodeLease(EncodeLease(r));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(*back == r);
  EXPECT_FALSE(back->start.has_value());
  EXPECT_FALSE(back->pid_namespace.has_value());
  // A namespace of 0 (an OS without them) is not the same as none recorded.
  r.pid_namespace = 0;
  back = DecodeLease(EncodeLease(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->pid_namespace, std::optional<uint64_t>(0));
}

TEST(LeaseCodecTest, EveryHoldRoundTrips) {
  for (Hold hold : {Hold::kLock, Hold::kLockOrPid, Hold::kPid}) {
    LeaseRecord r = GoldenLease();
    r.hold = hold;
    absl::StatusOr<LeaseRecord> back = DecodeLease(EncodeLease(r));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->hold, hold) << HoldName(hold);
  }
}

TEST(LeaseCodecTest, RefusesDamage) {
  const std::string golden(kLeaseGolden);
  auto replace = [&](absl::string_view from, absl::string_view to) {
    std::string s = golden;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  for (const std::string& bad : std::vector<std::string>{
           "", "berth-lease 3\nend\n", replace("port 8825", "port 0"),
           replace("port 8825", "port 65536"), replace("pid 4242", "pid 0"),
           replace("pid 4242", "pid -3"), replace("hold lock+pid", "hold all"),
           replace("pid 4242\n", ""), replace("since 1764180000\n", ""),
           replace("app my%20app", "app my app"),
           replace("color blue sky", "Color x"),
           replace("color blue sky", "color x\tz"),
           replace("scope /home/ada/src/shop%20v2", "scope -"),
           replace("pid 4242", "pid 4242\npid 4243"),
           golden + "extra\n", golden.substr(0, golden.size() - 1),
           replace("since", std::string("si\0ce", 6))}) {
    EXPECT_EQ(DecodeLease(bad).status().code(), absl::StatusCode::kDataLoss)
        << absl::CHexEscape(bad);
  }
}

TEST(LeaseCodecTest, EveryTruncationIsDetected) {
  for (size_t n = 0; n < kLeaseGolden.size(); ++n) {
    EXPECT_FALSE(DecodeLease(kLeaseGolden.substr(0, n)).ok()) << n;
  }
}

TEST(LeaseCodecTest, TheLongestRecordFitsTheLimit) {
  LeaseRecord r = GoldenLease();
  r.app = std::string(200, '%');         // every byte escaped
  r.scope = "/" + std::string(1023, ' ');
  r.boot_id = std::string(64, 'b');
  EXPECT_LT(static_cast<int64_t>(EncodeLease(r).size()),
            kMaxLeaseRecordBytes / 2);
}

// --- Format 2: the memory ---------------------------------------------------

TEST(MemoryCodecTest, RoundTripsAndKeepsUnknownLines) {
  Memory m;
  m.apps.push_back({"", "web", {8825, 8830}});
  m.apps.push_back({"/home/ada/src/shop", "web", {8826}});
  m.apps.push_back({"/x y", "a=b", {1}});
  m.unknown_lines.push_back("future stuff 1 2");
  const std::string text = EncodeMemory(m);
  EXPECT_EQ(text,
            "berth-registry 2\n"
            "remember - web 8825 8830\n"
            "remember /home/ada/src/shop web 8826\n"
            "remember /x%20y a%3Db 1\n"
            "future stuff 1 2\n"
            "end\n");
  absl::StatusOr<Memory> back = DecodeMemory(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->apps, m.apps);
  EXPECT_EQ(back->unknown_lines, m.unknown_lines);
  EXPECT_TRUE(DecodeMemory("")->apps.empty());
}

TEST(MemoryCodecTest, RefusesDamage) {
  for (absl::string_view bad :
       {"berth-registry 2\n", "berth-registry 2\nremember - web\nend\n",
        "berth-registry 2\nremember - web 0\nend\n",
        "berth-registry 2\nremember - web 8825\nend\nend\n",
        "berth-registry 1\nend\n", "berth-registry 2\n!!\nend\n"}) {
    EXPECT_EQ(DecodeMemory(bad).status().code(), absl::StatusCode::kDataLoss)
        << absl::CHexEscape(bad);
  }
}

TEST(FormatVersionTest, ReadsTheFirstLine) {
  EXPECT_EQ(FormatVersionOf("berth-registry 1\nend\n"), 1);
  EXPECT_EQ(FormatVersionOf("berth-registry 2\nend\n"), 2);
  EXPECT_EQ(FormatVersionOf(kLeaseGolden), 2);
  EXPECT_EQ(FormatVersionOf(""), 0);
  EXPECT_EQ(FormatVersionOf("garbage"), 0);
  EXPECT_EQ(FormatVersionOf("other-thing 2\n"), 0);
}

}  // namespace
}  // namespace berth::registry
