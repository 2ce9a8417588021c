// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The codec fuzz check (codec_check.h) on a seeded corpus, in CI without
// clang: a large registry (120 entries, escaped app names, unknown
// fields, `last` lines, unknown lines) and thousands of mutations of it:
// bit flips, truncations, random bytes, lines cut, doubled, swapped and
// spliced, numbers out of range, stray `end` and NUL bytes.
// registry/codec_test.cc's RandomDamageNeverCrashes does the same to a
// five-line file.

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "registry/codec.h"
#include "tests/fuzz/codec_check.h"

namespace berth::fuzz {
namespace {

using registry::v1::Decode;
using registry::v1::Encode;
using registry::v1::RegistryData;

// Decode runs unoptimized in CI (fastbuild, and again under ASan): a few
// thousand mutations of a ~10 KB registry take seconds there.
constexpr int kMutations = 2500;

// LargeRegistry is a valid registry with every feature of the format.
RegistryData LargeRegistry(std::mt19937& rng) {
  const std::vector<std::string> apps = {"web",
                                         "my app",
                                         "100%",
                                         "a=b",
                                         "tab\there",
                                         "line\nbreak",
                                         "\xc3\xbcml",
                                         "del\x7f",
                                         "%41",
                                         std::string(200, 'x'),
                                         "api-v2.internal",
                                         "=",
                                         std::string("nul\0byte", 8)};
  const std::vector<std::pair<std::string, std::string>> extras = {
      {"color", "blue"},
      {"x-y", "1"},
      {"future_field", "a,b;c"},
      {"n", "123456789012345678901234567890"},
      {"empty", ""},
      {"u", "\xc3\xa9t\xc3\xa9"}};
  RegistryData d;
  d.boot_id = "9f0c6a2e-51b4-4c8e-a7d3-3b8e2c6f1d20";
  for (int i = 0; i < 120; ++i) {
    registry::v1::Record r;
    r.port = static_cast<uint16_t>(1024 + i * 97 % 64000);
    r.app = absl::StrCat(apps[rng() % apps.size()], i % 3 ? "" : "-", i);
    r.pid = 1 + static_cast<int64_t>(rng() % 4194304);
    r.start = (uint64_t{rng()} << 32) | rng();
    r.since = 1764180000 + i;
    r.lease = rng() % 2;
    for (const auto& extra : extras) {
      if (rng() % 4 == 0) r.extra.push_back(extra);
    }
    d.entries.push_back(r);
  }
  for (int i = 0; i < 30; ++i) {
    d.last.push_back({static_cast<uint16_t>(1 + rng() % 65535),
                      absl::StrCat(apps[rng() % apps.size()], i)});
  }
  d.unknown_lines = {"future kind of line", "note with\ta tab",
                     "label a=b c=d",       "x",
                     "berth-registry 2",    "z9_-  two  spaces"};
  return d;
}

// Mutate damages `bytes` once, in one of a dozen ways.
void Mutate(std::string& bytes, std::mt19937& rng, const std::string& other) {
  auto at = [&](size_t n) { return n == 0 ? 0 : rng() % n; };
  static const std::vector<std::string> kTokens = {
      "end\n", "boot x\n",   "entry 1 a pid=1\n",
      "\n",    "\r\n",       "%",
      "%0",    "=",          std::string(1, '\0'),
      " ",     "last 5 b\n", "entry 1 a pid=1 pid=2\n",
      "hold lock\n", "pid 0\n", "remember - a 1\n", "port 70000\n",
      "berth-lease 2\n", "scope -\n"};
  static const std::vector<std::string> kNumbers = {"0",
                                                    "65535",
                                                    "65536",
                                                    "-1",
                                                    "+5",
                                                    "99999999999999999999",
                                                    "",
                                                    "18446744073709551616",
                                                    "9223372036854775808",
                                                    "0x10",
                                                    "1e3"};
  static const std::string kBytes = std::string("\0\n \t\r%=\x7f\xff", 9);
  std::vector<std::string> lines = absl::StrSplit(bytes, '\n');
  auto join = [&] {
    bytes.clear();
    for (size_t i = 0; i < lines.size(); ++i) {
      absl::StrAppend(&bytes, i ? "\n" : "", lines[i]);
    }
  };
  switch (rng() % 12) {
    case 0:  // bit flips
      for (int k = 0, n = 1 + rng() % 8; k < n && !bytes.empty(); ++k) {
        bytes[at(bytes.size())] ^= static_cast<char>(1 << (rng() % 8));
      }
      break;
    case 1:  // cut anywhere
      bytes.resize(at(bytes.size()));
      break;
    case 2:  // cut after a whole line: only the missing `end` tells
      lines.resize(1 + at(lines.size()));
      join();
      bytes.push_back('\n');
      break;
    case 3: {  // a run of bytes gone
      const size_t from = at(bytes.size());
      bytes.erase(from, rng() % 64);
      break;
    }
    case 4: {  // random bytes inserted
      std::string junk(1 + rng() % 16, '\0');
      for (char& c : junk) c = static_cast<char>(rng());
      bytes.insert(at(bytes.size() + 1), junk);
      break;
    }
    case 5: {  // a line doubled (a port held twice, a second boot line)
      const size_t i = at(lines.size());
      lines.insert(lines.begin() + i, lines[i]);
      join();
      break;
    }
    case 6:  // a line gone
      lines.erase(lines.begin() + at(lines.size()));
      join();
      break;
    case 7:  // two lines swapped (`end` or the magic line moved)
      std::swap(lines[at(lines.size())], lines[at(lines.size())]);
      join();
      break;
    case 8: {  // a number replaced by one out of range or malformed
      size_t i = at(bytes.size());
      while (i < bytes.size() && !(bytes[i] >= '0' && bytes[i] <= '9')) ++i;
      size_t j = i;
      while (j < bytes.size() && bytes[j] >= '0' && bytes[j] <= '9') ++j;
      bytes.replace(i, j - i, kNumbers[at(kNumbers.size())]);
      break;
    }
    case 9: {  // a token of the format where it does not belong
      const size_t i = at(lines.size());
      lines[i].insert(at(lines[i].size() + 1), kTokens[at(kTokens.size())]);
      join();
      break;
    }
    case 10:  // spliced with another registry (or random bytes)
      bytes = bytes.substr(0, at(bytes.size() + 1)) +
              other.substr(at(other.size() + 1));
      break;
    default:  // one byte made special
      if (!bytes.empty()) bytes[at(bytes.size())] = kBytes[at(kBytes.size())];
  }
}

// LargeMemory is a valid format 2 memory with every feature of the format.
std::string LargeMemory(std::mt19937& rng) {
  registry::Memory m;
  for (int i = 0; i < 120; ++i) {
    registry::Remembered r;
    if (i % 3) r.scope = absl::StrCat("/home/u/src/tree ", i, "/%=x");
    r.app = absl::StrCat(i % 2 ? "web" : "a=b c", i);
    for (int k = 0, n = 1 + rng() % 4; k < n; ++k) {
      r.ports.push_back(static_cast<uint16_t>(1 + rng() % 65535));
    }
    m.apps.push_back(r);
  }
  m.unknown_lines = {"future stuff 1 2", "x"};
  return registry::EncodeMemory(m);
}

// Lease is a valid lease record with every field.
std::string Lease(std::mt19937& rng) {
  registry::LeaseRecord r;
  r.port = static_cast<uint16_t>(1 + rng() % 65535);
  r.app = "my app=%";
  r.scope = "/home/u/src/shop v2";
  r.pid = 1 + static_cast<int64_t>(rng() % 4194304);
  r.start = (uint64_t{rng()} << 32) | rng();
  r.unique_id = rng();
  r.pid_namespace = 4026531836u;
  r.boot_id = "9f0c6a2e-51b4-4c8e-a7d3-3b8e2c6f1d20";
  r.since = 1764180000;
  r.hold = static_cast<registry::Hold>(rng() % 3);
  r.extra = {{"color", "blue sky"}, {"x-y", "1"}};
  return registry::EncodeLease(r);
}

// Mutations runs CheckCodec over `kMutations` damaged copies of `base`.
void Mutations(const std::string& base, std::string other, std::mt19937& rng,
               const std::function<bool(absl::string_view)>& decodes) {
  int accepted = 0, rejected = 0, broken = 0;
  for (int i = 0; i < kMutations; ++i) {
    std::string bytes = base;
    if (i % 50 == 0) {  // now and then, noise alone
      bytes.resize(rng() % 512);
      for (char& c : bytes) c = static_cast<char>(rng());
    }
    for (int k = 0, n = 1 + rng() % 3; k < n; ++k) Mutate(bytes, rng, other);
    const std::string wrong = CheckCodec(bytes);
    if (!wrong.empty()) {
      ADD_FAILURE() << "mutation " << i << ": " << wrong << "\ninput: \""
                    << absl::CHexEscape(bytes.substr(0, 2000)) << "\"";
      if (++broken == 20) return;  // enough said
      continue;
    }
    decodes(bytes) ? ++accepted : ++rejected;
    if (i % 10 == 0) other = bytes;  // splice with damaged ones too
  }
  std::printf("%d mutations: %d still decode, %d do not\n", kMutations,
              accepted, rejected);
  // Both sides must be reached, or the mutations test nothing.
  EXPECT_GT(accepted, kMutations / 50);
  EXPECT_GT(rejected, kMutations / 2);
}

TEST(CodecFuzzTest, SeededMutationsOfALeaseRecord) {
  std::mt19937 rng(20261129);
  Mutations(Lease(rng), Lease(rng), rng, [](absl::string_view b) {
    return registry::DecodeLease(b).ok();
  });
}

TEST(CodecFuzzTest, SeededMutationsOfALargeMemory) {
  std::mt19937 rng(20261130);
  Mutations(LargeMemory(rng), LargeMemory(rng), rng, [](absl::string_view b) {
    return registry::DecodeMemory(b).ok();
  });
}

TEST(CodecFuzzTest, LargeRegistryRoundTrips) {
  std::mt19937 rng(7);
  const RegistryData d = LargeRegistry(rng);
  const std::string bytes = Encode(d);
  auto back = Decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(SameData(d, *back), "");
  EXPECT_EQ(CheckCodec(bytes), "");
  EXPECT_GT(bytes.size(), 9000u);
}

TEST(CodecFuzzTest, SeededMutationsOfALargeFormat1Registry) {
  std::mt19937 rng(20261126);
  Mutations(Encode(LargeRegistry(rng)), Encode(LargeRegistry(rng)), rng,
            [](absl::string_view b) { return Decode(b).ok(); });
}

}  // namespace
}  // namespace berth::fuzz
