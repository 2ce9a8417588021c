// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "cli/args.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr FlagSpec kSpecs[] = {{"json", false}, {"port", true}, {"help", false}};

absl::StatusOr<Args> Parse(std::vector<std::string> argv, bool dashdash = false) {
  return ParseArgs(argv, kSpecs, dashdash);
}

TEST(ArgsTest, SplitsFlagsAndPositionals) {
  auto a = Parse({"web", "--port", "8800", "--json", "x"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(a->positional, ElementsAre("web", "x"));
  EXPECT_EQ(a->Get("port"), "8800");
  EXPECT_TRUE(a->Has("json"));
  EXPECT_FALSE(a->Has("help"));
  EXPECT_FALSE(a->command.has_value());
}

TEST(ArgsTest, TakesEqualsForm) {
  auto a = Parse({"--port=9000"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->Get("port"), "9000");
}

TEST(ArgsTest, NegativeNumbersArePositional) {
  auto a = Parse({"-1", "-42"});
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->positional, ElementsAre("-1", "-42"));
}

TEST(ArgsTest, DashHIsHelp) {
  auto a = Parse({"-h"});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->Has("help"));
}

TEST(ArgsTest, DashDashEndsParsingWhenAsked) {
  auto a = Parse({"web", "--", "./server", "--port", "{port}"}, true);
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->positional, ElementsAre("web"));
  ASSERT_TRUE(a->command.has_value());
  EXPECT_THAT(*a->command, ElementsAre("./server", "--port", "{port}"));
}

TEST(ArgsTest, ErrorsSayWhatIsWrong) {
  EXPECT_THAT(Parse({"--nope"}).status().message(),
              HasSubstr("unknown option --nope"));
  EXPECT_THAT(Parse({"-x"}).status().message(), HasSubstr("unknown option -x"));
  EXPECT_THAT(Parse({"--port"}).status().message(), HasSubstr("needs a value"));
  EXPECT_THAT(Parse({"--json=1"}).status().message(),
              HasSubstr("takes no value"));
  EXPECT_THAT(Parse({"--", "x"}).status().message(),
              HasSubstr("unknown option --"));
}

TEST(ArgsTest, ParsePidAcceptsOnlyPlainPositiveNumbers) {
  EXPECT_EQ(*ParsePid("1"), 1);
  EXPECT_EQ(*ParsePid("4194304"), 4194304);
  for (const char* bad : {"", "abc", "-1", "0", "+5", " 5", "5 ", "1e3",
                          "99999999999", "18446744073709551617"}) {
    auto pid = ParsePid(bad);
    EXPECT_FALSE(pid.ok()) << bad;
    EXPECT_THAT(pid.status().message(), HasSubstr("invalid PID")) << bad;
  }
}

TEST(ArgsTest, ParsePortAcceptsOneTo65535) {
  EXPECT_EQ(*ParsePort("1"), 1);
  EXPECT_EQ(*ParsePort("65535"), 65535);
  for (const char* bad : {"0", "65536", "-1", "x", "", "080a"}) {
    EXPECT_FALSE(ParsePort(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace berth::cli
