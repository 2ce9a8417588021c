// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The pure parts of Run; tests/run_test.sh runs real servers.

#include "api/run.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(SubstitutePortsTest, ReplacesEveryPlaceholder) {
  auto args = SubstitutePorts(
      {"./srv", "--port", "{port}", "--url=http://x:{port}/{port}"}, {"web"},
      {8825});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args, ElementsAre("./srv", "--port", "8825",
                                 "--url=http://x:8825/8825"));
}

TEST(SubstitutePortsTest, NamedPlaceholdersTakeThatAppsPort) {
  auto args = SubstitutePorts(
      {"--port", "{port:web}", "--api={port:api}", "{port}:{port:hmr}"},
      {"web", "api", "hmr"}, {8825, 8967, 8801});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args,
              ElementsAre("--port", "8825", "--api=8967", "8825:8801"));
}

TEST(SubstitutePortsTest, LeavesOtherBracesAlone) {
  auto args = SubstitutePorts({"{PORT}", "{port", "port}", "{}", "", "{ports}"},
                              {"web"}, {1});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args, ElementsAre("{PORT}", "{port", "port}", "{}", "",
                                 "{ports}"));
}

TEST(SubstitutePortsTest, AnUnknownNameIsBadInput) {
  auto args = SubstitutePorts({"{port:db}"}, {"web", "api"}, {1, 2});
  EXPECT_EQ(args.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(args.status().message(), HasSubstr("web, api"));
}

TEST(PortVariableTest, UpperCasesAndReplacesTheRest) {
  EXPECT_EQ(PortVariable("web"), "WEB_PORT");
  EXPECT_EQ(PortVariable("my-api.v2"), "MY_API_V2_PORT");
  EXPECT_EQ(PortVariable("hmr"), "HMR_PORT");
  EXPECT_EQ(PortVariable("caf\xc3\xa9"), "CAF___PORT");
  EXPECT_EQ(PortVariable("a b"), "A_B_PORT");
}

}  // namespace
}  // namespace berth
