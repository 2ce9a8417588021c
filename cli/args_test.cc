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

constexpr Flag kFlags[] = {{"json", nullptr, "print JSON"},
                           {"port", "P", "a port"}};

absl::StatusOr<Args> Parse(std::vector<std::string> argv,
                           Operands operands = Operands::kPlain) {
  return ParseArgs(argv, kFlags, operands);
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
  a = Parse({"--port="});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->Get("port"), "");
}

TEST(ArgsTest, NegativeNumbersArePositional) {
  auto a = Parse({"-1", "-42"});
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->positional, ElementsAre("-1", "-42"));
}

TEST(ArgsTest, DashHIsHelpAndHelpIsAlwaysKnown) {
  auto a = Parse({"-h"});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->Has("help"));
  a = Parse({"--help"});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->Has("help"));
}

TEST(ArgsTest, DashDashEndsTheOptionsOfEveryCommand) {
  auto a = Parse({"--json", "--", "-x", "--port", "--"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(a->positional, ElementsAre("-x", "--port", "--"));
  EXPECT_TRUE(a->Has("json"));
  EXPECT_FALSE(a->Has("port"));
  EXPECT_FALSE(a->command.has_value());
  a = Parse({"--"});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->positional.empty());
  a = Parse({"-"});
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->positional, ElementsAre("-"));
}

TEST(ArgsTest, TheDashDashAfterTheAppsStartsTheCommand) {
  auto a = Parse({"web", "api", "--port", "1", "--", "./server", "--port",
                  "{port}", "--", "x"},
                 Operands::kAppsThenCommand);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(a->positional, ElementsAre("web", "api"));
  EXPECT_EQ(a->Get("port"), "1");
  ASSERT_TRUE(a->command.has_value());
  EXPECT_THAT(*a->command,
              ElementsAre("./server", "--port", "{port}", "--", "x"));
}

TEST(ArgsTest, ADashDashBeforeTheAppsOnlyEndsTheOptions) {
  auto a = Parse({"--json", "--", "-x", "--json", "--", "cmd", "--json"},
                 Operands::kAppsThenCommand);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(a->positional, ElementsAre("-x", "--json"));
  EXPECT_THAT(*a->command, ElementsAre("cmd", "--json"));
  // No app at all: the second -- starts the command.
  a = Parse({"--", "--", "cmd"}, Operands::kAppsThenCommand);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->positional.empty());
  EXPECT_THAT(*a->command, ElementsAre("cmd"));
  a = Parse({"web"}, Operands::kAppsThenCommand);
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->command.has_value());
}

TEST(ArgsTest, ErrorsSayWhatIsWrong) {
  EXPECT_THAT(Parse({"--nope"}).status().message(),
              HasSubstr("unknown option --nope"));
  EXPECT_THAT(Parse({"-x"}).status().message(), HasSubstr("unknown option -x"));
  EXPECT_THAT(Parse({"-x"}).status().message(), HasSubstr("put -- before"));
  EXPECT_THAT(Parse({"--port"}).status().message(),
              HasSubstr("needs a value (--port P)"));
  EXPECT_THAT(Parse({"--json=1"}).status().message(),
              HasSubstr("takes no value"));
  EXPECT_THAT(Parse({"--json", "--json"}).status().message(),
              HasSubstr("given twice"));
  EXPECT_THAT(Parse({"--port", "1", "--port=2"}).status().message(),
              HasSubstr("given twice"));
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

TEST(ArgsTest, ParseSecondsAcceptsDecimalSecondsUpToADay) {
  EXPECT_EQ(*ParseSeconds("30"), absl::Seconds(30));
  EXPECT_EQ(*ParseSeconds("0"), absl::ZeroDuration());
  EXPECT_EQ(*ParseSeconds("0.5"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseSeconds("86400"), absl::Hours(24));
  for (const char* bad : {"", "-1", "1e3", "inf", "nan", ".5", "5.", "1.2.3",
                          "86401", " 1", "0x10", "1,5"}) {
    auto s = ParseSeconds(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(s.status())) << bad;
  }
}

}  // namespace
}  // namespace berth::cli
